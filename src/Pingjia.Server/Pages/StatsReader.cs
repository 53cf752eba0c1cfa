using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
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
/// <remarks>
/// The handler is private to <see cref="StatsApi"/>, whose folder another change owns at the moment; it is reached by
/// reflection until the query is exposed as a service. A renamed or changed handler fails loudly on first use (and in the page tests), never silently.
/// </remarks>
public sealed class StatsReader(PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time)
{
    private static readonly MethodInfo Handler = typeof(StatsApi).GetMethod("Get", BindingFlags.NonPublic | BindingFlags.Static)
        ?? throw new InvalidOperationException("StatsApi.Get was not found.");

    /// <summary>The caller of the public pages: published figures cover every region, read-only.</summary>
    public static Caller Public { get; } = new("public", Role.Auditor, null, null, null, null);

    public Task<StatsResponse> ReadAsync(DateOnly from, DateOnly to, string? groupBy = null, string? region = null, string? agency = null,
        bool rank = false, int? minN = null, CancellationToken ct = default) =>
        ReadAsAsync(caller, from, to, groupBy, region, agency, rank, minN, ct);

    public async Task<StatsResponse> ReadAsAsync(Caller who, DateOnly from, DateOnly to, string? groupBy = null, string? region = null,
        string? agency = null, bool rank = false, int? minN = null, CancellationToken ct = default)
    {
        var catalog = new CatalogService(db, who, audit, time);
        var task = (Task<Ok<StatsResponse>>)Handler.Invoke(null, [db, who, catalog, from, to, groupBy, region, agency, null, null, null, rank, minN, ct])!;
        return (await task).Value!;
    }

    /// <summary>Today on the Beijing calendar.</summary>
    public static DateOnly Today(TimeProvider time) =>
        DateOnly.FromDateTime(time.UtcNow() + Domain.Ratings.RatingWindow.ShanghaiOffset);
}
