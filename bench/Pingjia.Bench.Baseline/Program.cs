using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pingjia.Bench.Baseline;

/// <summary>
/// The ceiling for the benchmarks in bench/: plain Kestrel with no database, authentication or middleware.
/// <c>GET /list</c> (bench/catalog-list.sh) serves a page shaped like <c>GET /api/v1/items</c> (50 items, serialised
/// per request from an in-memory array); <c>POST /rate</c> (bench/rating-submit.sh) reads a rating body shaped like
/// <c>POST /api/v1/ratings</c> into the same record and answers 202 with no body. Each benchmark is reported as a
/// percentage of its endpoint here, measured on the same machine in the same run.
/// </summary>
public static class Program
{
    private const int ItemCount = 500;
    private const int PageSize = 50;

    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls(builder.Configuration["urls"] ?? "http://127.0.0.1:5101");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The server's enum convention: snake_case names, no numbers ("hall_device").
        builder.Services.ConfigureHttpJsonOptions(o =>
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)));

        var items = CreateItems();
        var app = builder.Build();
        app.MapGet("/list", () => TypedResults.Ok(new Page<ItemResponse>(items[..PageSize], items.Length, 1, PageSize)));
        // Binding deserialises the whole body; a missing case number or level is refused as the server would.
        app.MapPost("/rate", (RatingRequest request) =>
            request.CaseNo is { Length: > 0 } && request.Level is >= 1 and <= 5 && request.Channel is not null
                ? Results.StatusCode(StatusCodes.Status202Accepted)
                : Results.BadRequest());
        app.Run();
    }

    /// <summary>The same catalog that catalog-list.sh seeds into the server: BENCH-0001 … BENCH-0500.</summary>
    private static ItemResponse[] CreateItems()
    {
        // Microsecond timestamps, as the server stores them, so both bodies are about the same size.
        var start = new DateTime(2025, 1, 1, 8, 0, 0, DateTimeKind.Utc);
        return
        [
            .. Enumerable.Range(1, ItemCount).Select(i => new ItemResponse(
                $"BENCH-{i:D4}", $"基准测试事项 {i:D4}", "01", 20, 10, false, "91440300MA5BENCH0X", true,
                start.AddMicroseconds(i * 12_345.678), start.AddMicroseconds(i * 12_345.678))),
        ];
    }
}

/// <summary>Same JSON shape as the server's <c>Page&lt;T&gt;</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PageSize);

/// <summary>Same JSON shape as the server's <c>ItemResponse</c>.</summary>
public sealed record ItemResponse(
    string ItemCode, string Name, string ItemType, int LegalLimitDays, int PromisedLimitDays, bool IssuesCertificate,
    string AgencyCreditCode, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Same JSON shape as the server's <c>RatingRequest</c> (POST /api/v1/ratings).</summary>
public sealed record RatingRequest(
    string? CaseNo, string? Step, int? Level, Dictionary<string, int>? Indicators, List<string>? Tags, string? Text,
    RatingChannel? Channel, List<RelatedRatingRequest>? Related);

/// <summary>Same JSON shape as the server's <c>RelatedRatingRequest</c>.</summary>
public sealed record RelatedRatingRequest(string? CaseNo, int? Level, Dictionary<string, int>? Indicators, List<string>? Tags, string? Text);

/// <summary>The server's rating channels, so the body's <c>"channel"</c> is parsed the same way.</summary>
public enum RatingChannel
{
    Pc,
    App,
    QrCode,
    HallDevice,
    SelfServiceTerminal,
    Hotline,
    Sms,
    Paper,
    MiniProgram,
    Default,
}
