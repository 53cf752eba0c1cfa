using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Catalog;

public sealed record AgencyRequest(string? CreditCode, string? Name, string? Kind, string? RegionCode, string? ParentCreditCode);

public sealed record AgencyUpdate(string? Name, string? Kind, string? RegionCode, string? ParentCreditCode);

public sealed record AgencyResponse(string CreditCode, string Name, string Kind, string RegionCode, string? ParentCreditCode, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record HallRequest(string? Name, string? Address);

public sealed record HallResponse(Guid Id, string AgencyCreditCode, string Name, string? Address, bool IsActive);

public sealed record WindowRequest(string? Number, string? Name);

public sealed record WindowResponse(Guid Id, Guid HallId, string AgencyCreditCode, string Number, string Name, bool IsActive);

/// <summary>Agencies by unified social credit code, with their halls and windows.</summary>
public static class AgenciesApi
{
    public static RouteGroupBuilder MapAgencies(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/agencies").WithTags("Catalog: agencies");
        group.MapGet("/", List);
        group.MapGet("/{creditCode}", Get);
        group.MapPost("/", Create);
        group.MapPut("/{creditCode}", Update);
        group.MapPost("/{creditCode}/deactivate", (string creditCode, CatalogService c, PingjiaDbContext db, CancellationToken ct) => SetActive(creditCode, false, c, db, ct));
        group.MapPost("/{creditCode}/activate", (string creditCode, CatalogService c, PingjiaDbContext db, CancellationToken ct) => SetActive(creditCode, true, c, db, ct));
        group.MapGet("/{creditCode}/halls", ListHalls);
        group.MapPost("/{creditCode}/halls", CreateHall);

        var halls = app.MapGroup("/api/v1/halls").WithTags("Catalog: agencies");
        halls.MapPut("/{hallId:guid}", UpdateHall);
        halls.MapPost("/{hallId:guid}/deactivate", (Guid hallId, CatalogService c, CancellationToken ct) => SetHallActive(hallId, false, c, ct));
        halls.MapPost("/{hallId:guid}/activate", (Guid hallId, CatalogService c, CancellationToken ct) => SetHallActive(hallId, true, c, ct));
        halls.MapGet("/{hallId:guid}/windows", ListWindows);
        halls.MapPost("/{hallId:guid}/windows", CreateWindow);

        var windows = app.MapGroup("/api/v1/windows").WithTags("Catalog: agencies");
        windows.MapGet("/{windowId:guid}", GetWindow);
        windows.MapPut("/{windowId:guid}", UpdateWindow);
        windows.MapPost("/{windowId:guid}/deactivate", (Guid windowId, CatalogService c, CancellationToken ct) => SetWindowActive(windowId, false, c, ct));
        windows.MapPost("/{windowId:guid}/activate", (Guid windowId, CatalogService c, CancellationToken ct) => SetWindowActive(windowId, true, c, ct));
        return group;
    }

    private static IQueryable<AgencyResponse> Project(IQueryable<Data.Catalog.Agency> query, PingjiaDbContext db) =>
        query.Select(a => new AgencyResponse(
            a.CreditCode, a.Name, a.Kind, a.Region.Code,
            db.Agencies.Where(p => p.Id == a.ParentAgencyId).Select(p => p.CreditCode).FirstOrDefault(),
            a.IsActive, a.CreatedAt, a.UpdatedAt));

    private static async Task<Ok<Page<AgencyResponse>>> List(
        PingjiaDbContext db, Caller caller, string? under, string? q, string? kind, bool? active, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var query = db.VisibleAgencies(caller).AsNoTracking();
        if (under is not null)
        {
            var root = await db.VisibleRegionPathAsync(caller, under, ct);
            query = query.Where(a => a.Region.Path.StartsWith(root));
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var like = Paging.LikeContains(q.Trim());
            query = query.Where(a => EF.Functions.Like(a.Name, like, "\\") || EF.Functions.Like(a.CreditCode, like, "\\"));
        }

        if (kind is not null)
        {
            query = query.Where(a => a.Kind == kind);
        }

        if (active is not null)
        {
            query = query.Where(a => a.IsActive == active);
        }

        return TypedResults.Ok(await query.OrderBy(a => a.CreditCode).ToPageAsync(page, pageSize, x => Project(x, db), ct));
    }

    private static async Task<Ok<AgencyResponse>> Get(string creditCode, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        return TypedResults.Ok(await Read(creditCode, db, caller, ct));
    }

    private static async Task<AgencyResponse> Read(string creditCode, PingjiaDbContext db, Caller caller, CancellationToken ct) =>
        await Project(db.VisibleAgencies(caller).AsNoTracking().Where(a => a.CreditCode == creditCode), db).FirstOrDefaultAsync(ct)
            ?? throw CatalogScope.AgencyNotFound(creditCode);

    private static async Task<Created<AgencyResponse>> Create(AgencyRequest request, CatalogService catalog, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        var (agency, _) = await catalog.SaveAgencyAsync(request, WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/agencies/{agency.CreditCode}", await Read(agency.CreditCode, db, caller, ct));
    }

    private static async Task<Ok<AgencyResponse>> Update(string creditCode, AgencyUpdate request, CatalogService catalog, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        await catalog.SaveAgencyAsync(new AgencyRequest(creditCode, request.Name, request.Kind, request.RegionCode, request.ParentCreditCode), WriteMode.Update, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(await Read(creditCode, db, caller, ct));
    }

    private static async Task<Ok<AgencyResponse>> SetActive(string creditCode, bool active, CatalogService catalog, PingjiaDbContext db, CancellationToken ct)
    {
        await catalog.SetAgencyActiveAsync(creditCode, active, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(await Project(db.Agencies.AsNoTracking().Where(a => a.CreditCode == creditCode), db).FirstAsync(ct));
    }

    private static async Task<Ok<List<HallResponse>>> ListHalls(string creditCode, CatalogService catalog, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var agency = await catalog.RequireVisibleAgencyAsync(creditCode, ct);
        return TypedResults.Ok(await db.Halls.AsNoTracking().Where(h => h.AgencyId == agency.Id).OrderBy(h => h.Name)
            .Select(h => new HallResponse(h.Id, creditCode, h.Name, h.Address, h.IsActive)).ToListAsync(ct));
    }

    private static async Task<Created<HallResponse>> CreateHall(string creditCode, HallRequest request, CatalogService catalog, CancellationToken ct)
    {
        var hall = await catalog.SaveHallAsync(creditCode, null, request, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/halls/{hall.Id}", new HallResponse(hall.Id, creditCode, hall.Name, hall.Address, hall.IsActive));
    }

    private static async Task<Ok<HallResponse>> UpdateHall(Guid hallId, HallRequest request, CatalogService catalog, CancellationToken ct)
    {
        var (_, agency) = await catalog.RequireVisibleHallAsync(hallId, ct);
        var hall = await catalog.SaveHallAsync(agency.CreditCode, hallId, request, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(new HallResponse(hall.Id, agency.CreditCode, hall.Name, hall.Address, hall.IsActive));
    }

    private static async Task<Ok<List<WindowResponse>>> ListWindows(Guid hallId, CatalogService catalog, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var (hall, agency) = await catalog.RequireVisibleHallAsync(hallId, ct);
        return TypedResults.Ok(await db.Windows.AsNoTracking().Where(w => w.HallId == hall.Id).OrderBy(w => w.Number)
            .Select(w => new WindowResponse(w.Id, w.HallId, agency.CreditCode, w.Number, w.Name, w.IsActive)).ToListAsync(ct));
    }

    private static async Task<Created<WindowResponse>> CreateWindow(Guid hallId, WindowRequest request, CatalogService catalog, CancellationToken ct)
    {
        var window = await catalog.SaveWindowAsync(hallId, null, request, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/windows/{window.Id}", new WindowResponse(window.Id, hallId, window.Agency.CreditCode, window.Number, window.Name, window.IsActive));
    }

    private static async Task<Ok<WindowResponse>> GetWindow(Guid windowId, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var w = await db.Windows.AsNoTracking().Include(x => x.Agency).ThenInclude(a => a.Region).FirstOrDefaultAsync(x => x.Id == windowId, ct);
        if (w is null || !caller.SeesAgency(w.AgencyId, w.Agency.Region.Path))
        {
            throw DomainException.NotFound("Window");
        }

        return TypedResults.Ok(new WindowResponse(w.Id, w.HallId, w.Agency.CreditCode, w.Number, w.Name, w.IsActive));
    }

    private static async Task<Ok<WindowResponse>> UpdateWindow(Guid windowId, WindowRequest request, CatalogService catalog, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        var hallId = await db.Windows.Where(w => w.Id == windowId).Select(w => (Guid?)w.HallId).FirstOrDefaultAsync(ct)
            ?? throw DomainException.NotFound("Window");
        var window = await catalog.SaveWindowAsync(hallId, windowId, request, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(new WindowResponse(window.Id, hallId, (await catalog.RequireVisibleHallAsync(hallId, ct)).Agency.CreditCode, window.Number, window.Name, window.IsActive));
    }

    private static async Task<Ok<HallResponse>> SetHallActive(Guid hallId, bool active, CatalogService catalog, CancellationToken ct)
    {
        var hall = await catalog.SetHallActiveAsync(hallId, active, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(new HallResponse(hall.Id, hall.Agency.CreditCode, hall.Name, hall.Address, hall.IsActive));
    }

    private static async Task<Ok<WindowResponse>> SetWindowActive(Guid windowId, bool active, CatalogService catalog, CancellationToken ct)
    {
        var window = await catalog.SetWindowActiveAsync(windowId, active, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(new WindowResponse(window.Id, window.HallId, window.Agency.CreditCode, window.Number, window.Name, window.IsActive));
    }
}
