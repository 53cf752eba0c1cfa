using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;

namespace Pingjia.Server.Features.Health;

public sealed record HealthResponse(string Status, string? Detail = null);

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: the database answers and has every migration.</summary>
public static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok"))).AllowAnonymous().WithTags("Health");
        app.MapGet("/readyz", Ready).AllowAnonymous().WithTags("Health");
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Ready(PingjiaDbContext db, CancellationToken ct)
    {
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).Count();
            if (pending > 0)
            {
                return TypedResults.Json(new HealthResponse("not_ready", $"{pending} migration(s) not applied."), statusCode: 503);
            }

            await db.AuditHeads.AnyAsync(ct);
            return TypedResults.Ok(new HealthResponse("ok"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return TypedResults.Json(new HealthResponse("not_ready", "The database is not reachable."), statusCode: 503);
        }
    }
}
