using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Catalog;
using Pingjia.Domain.Access;
using Pingjia.Domain.Catalog;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Catalog;

public sealed record RegionRequest(string? Code, string? Name, string? ParentCode);

public sealed record RegionUpdate(string? Name);

public sealed record RegionResponse(string Code, string Name, RegionLevel Level, string? ParentCode, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The region tree: 12-digit codes, each region below its parent, subtrees found by path prefix.</summary>
public static class RegionsApi
{
    public static RouteGroupBuilder MapRegions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/regions").WithTags("Catalog: regions");
        group.MapGet("/", List);
        group.MapGet("/{code}", Get);
        group.MapPost("/", Create);
        group.MapPut("/{code}", Update);
        group.MapPost("/{code}/deactivate", (string code, CatalogService catalog, CancellationToken ct) => SetActive(code, false, catalog, ct));
        group.MapPost("/{code}/activate", (string code, CatalogService catalog, CancellationToken ct) => SetActive(code, true, catalog, ct));
        return group;
    }

    internal static RegionResponse ToResponse(Region r) =>
        new(r.Code, r.Name, r.Level, ParentCodeOf(r.Path), r.IsActive, r.CreatedAt, r.UpdatedAt);

    /// <summary>The parent's code is the second-last segment of the path, so no join is needed.</summary>
    internal static string? ParentCodeOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 2 ? parts[^2] : null;
    }

    private static async Task<Ok<Page<RegionResponse>>> List(
        PingjiaDbContext db, Caller caller, string? under, string? q, RegionLevel? level, bool? active, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var query = db.VisibleRegions(caller);
        if (under is not null)
        {
            var root = await db.VisibleRegionPathAsync(caller, under, ct);
            query = query.Where(r => r.Path.StartsWith(root));
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var like = Paging.LikeContains(q.Trim());
            query = query.Where(r => EF.Functions.Like(r.Name, like, "\\") || EF.Functions.Like(r.Code, like, "\\"));
        }

        if (level is not null)
        {
            query = query.Where(r => r.Level == level);
        }

        if (active is not null)
        {
            query = query.Where(r => r.IsActive == active);
        }

        var result = await query.OrderBy(r => r.Code).ToPageAsync(page, pageSize, x => x, ct);
        return TypedResults.Ok(new Page<RegionResponse>([.. result.Items.Select(ToResponse)], result.Total, result.PageNumber, result.PageSize));
    }

    private static async Task<Ok<RegionResponse>> Get(string code, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var region = await db.VisibleRegions(caller).AsNoTracking().FirstOrDefaultAsync(r => r.Code == code, ct)
            ?? throw CatalogScope.RegionNotFound(code);
        return TypedResults.Ok(ToResponse(region));
    }

    private static async Task<Created<RegionResponse>> Create(RegionRequest request, CatalogService catalog, CancellationToken ct)
    {
        var (region, _) = await catalog.SaveRegionAsync(request, WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/regions/{region.Code}", ToResponse(region));
    }

    private static async Task<Ok<RegionResponse>> Update(string code, RegionUpdate request, CatalogService catalog, CancellationToken ct)
    {
        var (region, _) = await catalog.SaveRegionAsync(new RegionRequest(code, request.Name, null), WriteMode.Update, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(region));
    }

    private static async Task<Ok<RegionResponse>> SetActive(string code, bool active, CatalogService catalog, CancellationToken ct)
    {
        var region = await catalog.SetRegionActiveAsync(code, active, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(region));
    }
}
