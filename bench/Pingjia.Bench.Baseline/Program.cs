namespace Pingjia.Bench.Baseline;

/// <summary>
/// The ceiling for bench/catalog-list.sh: plain Kestrel serving a page shaped like <c>GET /api/v1/items</c>
/// (50 items, serialised per request from an in-memory array), with no database, authentication or middleware.
/// The catalog benchmark is reported as a percentage of this, measured on the same machine in the same run.
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

        var items = CreateItems();
        var app = builder.Build();
        app.MapGet("/list", () => TypedResults.Ok(new Page<ItemResponse>(items[..PageSize], items.Length, 1, PageSize)));
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
