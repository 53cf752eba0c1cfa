using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Catalog;

public sealed record StaffRequest(string? EmployeeNo, string? Name);

public sealed record StaffUpdate(string? Name);

public sealed record StaffResponse(string AgencyCreditCode, string EmployeeNo, string Name, bool IsActive, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>Staff by employee number within their agency.</summary>
public static class StaffApi
{
    public static RouteGroupBuilder MapStaff(this IEndpointRouteBuilder app)
    {
        var all = app.MapGroup("/api/v1/staff").WithTags("Catalog: staff");
        all.MapGet("/", List);

        var group = app.MapGroup("/api/v1/agencies/{creditCode}/staff").WithTags("Catalog: staff");
        group.MapGet("/", (string creditCode, PingjiaDbContext db, Caller caller, string? q, bool? active, int? page, int? pageSize, CancellationToken ct) =>
            List(db, caller, null, creditCode, q, active, page, pageSize, ct));
        group.MapGet("/{employeeNo}", Get);
        group.MapPost("/", Create);
        group.MapPut("/{employeeNo}", Update);
        group.MapPost("/{employeeNo}/deactivate", (string creditCode, string employeeNo, CatalogService c, CancellationToken ct) => SetActive(creditCode, employeeNo, false, c, ct));
        group.MapPost("/{employeeNo}/activate", (string creditCode, string employeeNo, CatalogService c, CancellationToken ct) => SetActive(creditCode, employeeNo, true, c, ct));
        return group;
    }

    private static StaffResponse ToResponse(Data.Catalog.Staff s, string creditCode) =>
        new(creditCode, s.EmployeeNo, s.Name, s.IsActive, s.CreatedAt, s.UpdatedAt);

    private static async Task<Ok<Page<StaffResponse>>> List(
        PingjiaDbContext db, Caller caller, string? under, string? agency, string? q, bool? active, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var agencies = db.VisibleAgencies(caller);
        if (under is not null)
        {
            var root = await db.VisibleRegionPathAsync(caller, under, ct);
            agencies = agencies.Where(a => a.Region.Path.StartsWith(root));
        }

        if (agency is not null)
        {
            if (!await agencies.AnyAsync(a => a.CreditCode == agency, ct))
            {
                throw CatalogScope.AgencyNotFound(agency);
            }

            agencies = agencies.Where(a => a.CreditCode == agency);
        }

        var query = db.Staff.AsNoTracking().Where(s => agencies.Any(a => a.Id == s.AgencyId));
        if (!string.IsNullOrWhiteSpace(q))
        {
            var like = Paging.LikeContains(q.Trim());
            query = query.Where(s => EF.Functions.Like(s.Name, like, "\\") || EF.Functions.Like(s.EmployeeNo, like, "\\"));
        }

        if (active is not null)
        {
            query = query.Where(s => s.IsActive == active);
        }

        return TypedResults.Ok(await query.OrderBy(s => s.Agency.CreditCode).ThenBy(s => s.EmployeeNo).ToPageAsync(page, pageSize,
            x => x.Select(s => new StaffResponse(s.Agency.CreditCode, s.EmployeeNo, s.Name, s.IsActive, s.CreatedAt, s.UpdatedAt)), ct));
    }

    private static async Task<Ok<StaffResponse>> Get(string creditCode, string employeeNo, CatalogService catalog, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var agency = await catalog.RequireVisibleAgencyAsync(creditCode, ct);
        var staff = await db.Staff.AsNoTracking().FirstOrDefaultAsync(s => s.AgencyId == agency.Id && s.EmployeeNo == employeeNo, ct)
            ?? throw Domain.DomainException.NotFound($"Staff {employeeNo} of agency {creditCode}");
        return TypedResults.Ok(ToResponse(staff, creditCode));
    }

    private static async Task<Created<StaffResponse>> Create(string creditCode, StaffRequest request, CatalogService catalog, CancellationToken ct)
    {
        var (staff, _) = await catalog.SaveStaffAsync(creditCode, request, WriteMode.Create, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Created($"/api/v1/agencies/{creditCode}/staff/{staff.EmployeeNo}", ToResponse(staff, creditCode));
    }

    private static async Task<Ok<StaffResponse>> Update(string creditCode, string employeeNo, StaffUpdate request, CatalogService catalog, CancellationToken ct)
    {
        var (staff, _) = await catalog.SaveStaffAsync(creditCode, new StaffRequest(employeeNo, request.Name), WriteMode.Update, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(staff, creditCode));
    }

    private static async Task<Ok<StaffResponse>> SetActive(string creditCode, string employeeNo, bool active, CatalogService catalog, CancellationToken ct)
    {
        var staff = await catalog.SetStaffActiveAsync(creditCode, employeeNo, active, ct);
        await catalog.CommitAsync(ct);
        return TypedResults.Ok(ToResponse(staff, creditCode));
    }
}
