using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Catalog;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Catalog;

public sealed record ItemRequest(
    string? ItemCode, string? Name, string? ItemType, int? LegalLimitDays, int? PromisedLimitDays, bool? IssuesCertificate, string? AgencyCreditCode);

public sealed record ItemUpdate(string? Name, string? ItemType, int? LegalLimitDays, int? PromisedLimitDays, bool? IssuesCertificate, string? AgencyCreditCode);

public sealed record ItemResponse(
    string ItemCode, string Name, string ItemType, int LegalLimitDays, int PromisedLimitDays, bool IssuesCertificate,
    string AgencyCreditCode, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Service items (政务服务事项) by item code.</summary>
public static class ItemsApi
{
    public static RouteGroupBuilder MapItems(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/items").WithTags("Catalog: service items");
        group.MapGet("/", List);
        group.MapGet("/{itemCode}", Get);
        group.MapPost("/", Create);
        group.MapPut("/{itemCode}", Update);
        group.MapPost("/{itemCode}/deactivate", (string itemCode, CatalogService c, CancellationToken ct) => SetActive(itemCode, false, c, ct));
        group.MapPost("/{itemCode}/activate", (string itemCode, CatalogService c, CancellationToken ct) => SetActive(itemCode, true, c, ct));
        return group;
    }

    internal static ItemResponse ToResponse(ServiceItem i, string agencyCreditCode) =>
        new(i.ItemCode, i.Name, i.ItemType, i.LegalLimitDays, i.PromisedLimitDays, i.IssuesCertificate, agencyCreditCode, i.IsActive, i.CreatedAt, i.UpdatedAt);

    private static IQueryable<ItemResponse> Project(IQueryable<ServiceItem> q) =>
        q.Select(i => new ItemResponse(i.ItemCode, i.Name, i.ItemType, i.LegalLimitDays, i.PromisedLimitDays, i.IssuesCertificate, i.Agency.CreditCode, i.IsActive, i.CreatedAt, i.UpdatedAt));

    private static IQueryable<ServiceItem> Visible(PingjiaDbContext db, Caller caller)
    {
        var agencies = db.VisibleAgencies(caller);
        return db.Items.AsNoTracking().Where(i => agencies.Any(a => a.Id == i.AgencyId));
    }

    private static async Task<Ok<Page<ItemResponse>>> List(
        PingjiaDbContext db, Caller caller, string? under, string? agency, string? q, string? itemType, bool? active, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var query = Visible(db, caller);
        if (under is not null)
        {
            var root = await db.VisibleRegionPathAsync(caller, under, ct);
            query = query.Where(i => i.Agency.Region.Path.StartsWith(root));
        }

        if (agency is not null)
        {
            query = query.Where(i => i.Agency.CreditCode == agency);
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var like = Paging.LikeContains(q.Trim());
            query = query.Where(i => EF.Functions.Like(i.Name, like, "\\") || EF.Functions.Like(i.ItemCode, like, "\\"));
        }

        if (itemType is not null)
        {
            query = query.Where(i => i.ItemType == itemType);
        }

        if (active is not null)
        {
            query = query.Where(i => i.IsActive == active);
        }

        return TypedResults.Ok(await query.OrderBy(i => i.ItemCode).ToPageAsync(page, pageSize, Project, ct));
    }

    private static async Task<Ok<ItemResponse>> Get(string itemCode, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        return TypedResults.Ok(await Project(Visible(db, caller).Where(i => i.ItemCode == itemCode)).FirstOrDefaultAsync(ct)
            ?? throw DomainException.NotFound($"Service item {itemCode}"));
    }

    private static async Task<Created<ItemResponse>> Create(ItemRequest request, CatalogService catalog, CancellationToken ct)
    {
        var (item, _) = await catalog.SaveItemAsync(request, WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/items/{item.ItemCode}", ToResponse(item, item.Agency.CreditCode));
    }

    private static async Task<Ok<ItemResponse>> Update(string itemCode, ItemUpdate request, CatalogService catalog, CancellationToken ct)
    {
        var (item, _) = await catalog.SaveItemAsync(
            new ItemRequest(itemCode, request.Name, request.ItemType, request.LegalLimitDays, request.PromisedLimitDays, request.IssuesCertificate, request.AgencyCreditCode),
            WriteMode.Update, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(item, item.Agency.CreditCode));
    }

    private static async Task<Ok<ItemResponse>> SetActive(string itemCode, bool active, CatalogService catalog, CancellationToken ct)
    {
        var item = await catalog.SetItemActiveAsync(itemCode, active, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(item, item.Agency.CreditCode));
    }
}
