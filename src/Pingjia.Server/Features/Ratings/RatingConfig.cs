using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

public sealed record IndicatorSets(IReadOnlyList<string> Online, IReadOnlyList<string> Offline, IReadOnlyList<string> ServiceOnly);

/// <summary>The rating configuration as data. Every change makes a new version; each rating records the version it was made under.</summary>
public sealed record RatingConfigDocument(
    int WindowDays, int ReminderDelayHours, TagPolicy TagPolicy, IndicatorSets Indicators, IReadOnlyList<TagDefinition> Tags)
{
    private IReadOnlyDictionary<string, TagDefinition>? _byCode;

    public IReadOnlyDictionary<string, TagDefinition> TagsByCode => _byCode ??= Tags.ToDictionary(t => t.Code, StringComparer.Ordinal);

    public IReadOnlyList<string> IndicatorsFor(RatingScope scope, bool online) =>
        scope == RatingScope.ServiceOnly ? Indicators.ServiceOnly : online ? Indicators.Online : Indicators.Offline;

    /// <summary>DESIGN.md's defaults with the national evaluation-content codes (current and retired) as the tag dictionary.</summary>
    public static RatingConfigDocument Defaults()
    {
        using var stream = typeof(RatingConfigDocument).Assembly.GetManifestResourceStream("Pingjia.Server.national-haochaping-codes.json")
            ?? throw new InvalidOperationException("The national code table is not embedded.");
        using var json = JsonDocument.Parse(stream);
        var content = json.RootElement.GetProperty("evaluationContent");
        var tags = content.GetProperty("inUse").EnumerateArray().Select(t => Tag(t, retired: false))
            .Concat(content.GetProperty("retired").EnumerateArray().Select(t => Tag(t, retired: true)))
            .ToList();
        return new RatingConfigDocument(
            WindowDays: 7,
            ReminderDelayHours: 24,
            TagPolicy: TagPolicy.OwnLevel,
            new IndicatorSets(
                Online: ["办事效率", "办事指南精确度", "办事便捷度", "平台操作性"],
                Offline: ["服务效率", "服务水平", "服务态度"],
                ServiceOnly: ["服务水平", "服务态度"]),
            tags);

        static TagDefinition Tag(JsonElement t, bool retired) =>
            new(t.GetProperty("code").GetString()!, t.GetProperty("name").GetString()!, t.GetProperty("level").GetInt32(), "any", retired);
    }

    public void Validate()
    {
        var v = new Validation()
            .Check(WindowDays is >= 1 and <= 60, "windowDays", "windowDays is from 1 to 60 natural days.")
            .Check(ReminderDelayHours >= 1 && ReminderDelayHours < WindowDays * 24, "reminderDelayHours", "reminderDelayHours is at least 1 and shorter than the window.")
            .Check(Enum.IsDefined(TagPolicy), "tagPolicy", "tagPolicy is own_level or same_polarity.");
        foreach (var (name, list) in new[] { ("online", Indicators?.Online), ("offline", Indicators?.Offline), ("serviceOnly", Indicators?.ServiceOnly) })
        {
            v.Check(list is { Count: >= 1 and <= 10 } && list.All(i => !string.IsNullOrWhiteSpace(i) && i.Length <= 20) && list.Distinct().Count() == list.Count,
                $"indicators.{name}", "An indicator set has 1 to 10 distinct names of at most 20 characters.");
        }

        v.Check(Tags is { Count: <= 500 }, "tags", "At most 500 tags.");
        foreach (var t in Tags ?? [])
        {
            v.Check(!string.IsNullOrWhiteSpace(t.Code) && t.Code.Length <= 10 && t.Code.All(char.IsAsciiLetterOrDigit), "tags", $"Tag code '{t.Code}' must be 1 to 10 letters or digits.")
             .Check(RatingLevels.IsValid(t.Level), "tags", $"Tag '{t.Code}' needs a level from 1 to 5.")
             .Check(!string.IsNullOrWhiteSpace(t.Name) && t.Name.Length <= 40, "tags", $"Tag '{t.Code}' needs a name of at most 40 characters.")
             .Check(t.ChannelKind is "any" or "online" or "offline", "tags", $"Tag '{t.Code}' channelKind is any, online or offline.");
        }

        v.Check(Tags is null || Tags.Select(t => t.Code).Distinct().Count() == Tags.Count, "tags", "Tag codes must be unique.");
        v.ThrowIfInvalid();
    }
}

/// <summary>Versions are immutable, so each is parsed once and kept.</summary>
public sealed class RatingConfigCache
{
    private readonly ConcurrentDictionary<int, RatingConfigDocument> _versions = new();
    private (int Version, long At)? _current;

    /// <summary>
    /// The current version number as last read, if read within the last two seconds. Changes made through this
    /// process are seen at once (<see cref="SetCurrent"/>); another process's change within two seconds.
    /// </summary>
    public int? RecentCurrent(TimeProvider time) =>
        _current is { } c && time.GetElapsedTime(c.At) < TimeSpan.FromSeconds(2) ? c.Version : null;

    public void SetCurrent(int version, TimeProvider time) => _current = (version, time.GetTimestamp());

    public bool TryGet(int version, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RatingConfigDocument? document) =>
        _versions.TryGetValue(version, out document);

    public RatingConfigDocument Get(int version, Func<string> load) =>
        _versions.GetOrAdd(version, _ => JsonSerializer.Deserialize<RatingConfigDocument>(load(), RatingConfigJson.Options)!);
}

internal static class RatingConfigJson
{
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PingjiaApp.ConfigureJson(o);
        return o;
    }
}

public sealed record RatingConfigResponse(int Version, DateTime CreatedAt, string CreatedBy, RatingConfigDocument Config);

/// <summary>Reading and changing the rating configuration.</summary>
public static class RatingConfigApi
{
    public static void MapRatingConfig(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/rating-config").WithTags("Ratings: configuration");
        group.MapGet("/", Current);
        group.MapGet("/{version:int}", ByVersion);
        group.MapPut("/", Change);
    }

    /// <summary>The current version; version 1 holds the defaults and is created on first use.</summary>
    public static async Task<(int Version, RatingConfigDocument Config)> CurrentAsync(PingjiaDbContext db, RatingConfigCache cache, CancellationToken ct)
    {
        var version = cache.RecentCurrent(TimeProvider.System) ?? await db.RatingConfigVersions.MaxAsync(v => (int?)v.Version, ct)
            ?? throw new InvalidOperationException("The rating configuration was not seeded.");
        cache.SetCurrent(version, TimeProvider.System);
        return (version, await GetAsync(db, cache, version, ct));
    }

    public static async Task<RatingConfigDocument> GetAsync(PingjiaDbContext db, RatingConfigCache cache, int version, CancellationToken ct)
    {
        if (cache.TryGet(version, out var known))
        {
            return known;
        }

        var text = await db.RatingConfigVersions.Where(v => v.Version == version).Select(v => v.Document).SingleAsync(ct);
        return cache.Get(version, () => text);
    }

    /// <summary>Creates version 1 with DESIGN.md's defaults when there is none (first start).</summary>
    public static async Task SeedAsync(PingjiaDbContext db, TimeProvider time, CancellationToken ct)
    {
        if (await db.RatingConfigVersions.AnyAsync(ct))
        {
            return;
        }

        db.RatingConfigVersions.Add(new RatingConfigVersion
        {
            Version = 1,
            Document = JsonSerializer.Serialize(RatingConfigDocument.Defaults(), RatingConfigJson.Options),
            CreatedBy = "system:defaults",
            CreatedAt = time.UtcNow(),
        });
        await db.SaveChangesAsync(ct);
    }

    private static async Task<Ok<RatingConfigResponse>> Current(PingjiaDbContext db, RatingConfigCache cache, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var (version, _) = await CurrentAsync(db, cache, ct);
        return await ByVersion(version, db, cache, caller, ct);
    }

    private static async Task<Ok<RatingConfigResponse>> ByVersion(int version, PingjiaDbContext db, RatingConfigCache cache, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var row = await db.RatingConfigVersions.AsNoTracking().FirstOrDefaultAsync(v => v.Version == version, ct)
            ?? throw DomainException.NotFound($"Rating configuration version {version}");
        return TypedResults.Ok(new RatingConfigResponse(row.Version, row.CreatedAt, row.CreatedBy, cache.Get(row.Version, () => row.Document)));
    }

    private static async Task<Ok<RatingConfigResponse>> Change(
        RatingConfigDocument request, PingjiaDbContext db, RatingConfigCache cache, Caller caller, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin);
        request.Validate();
        var (current, old) = await CurrentAsync(db, cache, ct);
        var missing = old.Tags.Select(t => t.Code).Except(request.Tags.Select(t => t.Code)).ToList();
        if (missing.Count > 0)
        {
            // Old ratings must stay readable: tags are retired, never removed.
            throw DomainException.Invalid("tag_removed", $"Tags cannot be removed, only retired: {string.Join(", ", missing.Take(10))}.", "tags");
        }

        var row = new RatingConfigVersion
        {
            Version = current + 1,
            Document = JsonSerializer.Serialize(request, RatingConfigJson.Options),
            CreatedBy = caller.Actor,
            CreatedAt = time.UtcNow(),
        };
        db.RatingConfigVersions.Add(row);
        audit.Record("rating_config.changed", "rating_config", row.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { request.WindowDays, request.ReminderDelayHours, tagPolicy = request.TagPolicy.ToString(), request.Indicators, tags = request.Tags.Count });
        await audit.SaveAsync(ct);
        cache.SetCurrent(row.Version, TimeProvider.System);
        return TypedResults.Ok(new RatingConfigResponse(row.Version, row.CreatedAt, row.CreatedBy, request));
    }
}
