using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Audit;

public sealed record AuditEntryResponse(long Sequence, DateTime At, string Actor, string Action, string EntityType, string EntityId, string Data, string Hash);

/// <summary>Reading and verifying the audit log. It spans every region, so only unscoped auditors and system admins read it.</summary>
public static class AuditApi
{
    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/audit").WithTags("Audit");
        group.MapGet("/", List);
        group.MapGet("/verify", Verify);
    }

    private static void RequireReader(Caller caller)
    {
        caller.Require(Role.SystemAdmin, Role.Auditor);
        if (!caller.IsEverywhere)
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", "The audit log spans all regions; a region-scoped account cannot read it.");
        }
    }

    internal static async Task<Ok<Page<AuditEntryResponse>>> List(
        PingjiaDbContext db, Caller caller, string? entityType, string? entityId, int? page, int? pageSize, CancellationToken ct)
    {
        RequireReader(caller);
        var query = db.AuditEntries.AsNoTracking();
        if (entityType is not null)
        {
            query = query.Where(e => e.EntityType == entityType);
        }

        if (entityId is not null)
        {
            query = query.Where(e => e.EntityId == entityId);
        }

        return TypedResults.Ok(await query.OrderByDescending(e => e.Sequence).ToPageAsync(page, pageSize,
            x => x.Select(e => new AuditEntryResponse(e.Sequence, e.At, e.Actor, e.Action, e.EntityType, e.EntityId, e.Data, e.Hash)), ct));
    }

    internal static async Task<Ok<AuditVerification>> Verify(PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        RequireReader(caller);
        return TypedResults.Ok(await AuditVerifier.VerifyAsync(db, ct));
    }
}
