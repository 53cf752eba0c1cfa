using Pingjia.Data;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages;

/// <summary>
/// The figures of <c>GET /api/v1/stats</c> for pages, computed by that very handler (scope, validation, counters,
/// Wilson ranking), so a page can never disagree with the API.
/// </summary>
public sealed class StatsReader(PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time)
{
    /// <summary>The caller of the public pages: published figures cover every region, read-only.</summary>
    public static Caller Public { get; } = new("public", Role.Auditor, null, null, null, null);

    public Task<StatsResponse> ReadAsync(DateOnly from, DateOnly to, string? groupBy = null, string? region = null, string? agency = null,
        bool rank = false, int? minN = null, CancellationToken ct = default) =>
        ReadAsAsync(caller, from, to, groupBy, region, agency, rank, minN, ct);

    public async Task<StatsResponse> ReadAsAsync(Caller who, DateOnly from, DateOnly to, string? groupBy = null, string? region = null,
        string? agency = null, bool rank = false, int? minN = null, CancellationToken ct = default)
    {
        var catalog = new CatalogService(db, who, audit, time);
        var result = await StatsApi.Get(db, who, catalog, from, to, groupBy, region, agency, null, null, null, rank, minN, ct);
        return result.Value!;
    }

    /// <summary>Today on the Beijing calendar.</summary>
    public static DateOnly Today(TimeProvider time) =>
        DateOnly.FromDateTime(time.UtcNow() + Domain.Ratings.RatingWindow.ShanghaiOffset);
}
