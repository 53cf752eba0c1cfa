using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Access;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Access;

/// <summary>
/// First start: when no system administrator exists, creates one API key — from <c>PINGJIA_ADMIN_API_KEY</c>
/// when set, otherwise generated and printed once to the console (never to the log).
/// </summary>
internal static class Bootstrap
{
    public static async Task EnsureAdminAsync(PingjiaDbContext db, PingjiaOptions options, TimeProvider time, TextWriter console, CancellationToken ct)
    {
        var hasAdmin = await db.ApiKeys.AnyAsync(k => k.Role == Role.SystemAdmin && k.RevokedAt == null, ct)
            || await db.Users.AnyAsync(u => u.Role == Role.SystemAdmin && u.IsActive, ct);
        if (hasAdmin)
        {
            return;
        }

        var key = options.AdminApiKey ?? ApiKeyFormat.Generate();
        ApiKeyFormat.TryParse(key, out var prefix, out var secret);
        if (await db.ApiKeys.AnyAsync(k => k.Prefix == prefix, ct))
        {
            // A revoked key with the configured value exists: do not resurrect it.
            key = ApiKeyFormat.Generate();
            ApiKeyFormat.TryParse(key, out prefix, out secret);
        }

        var row = new ApiKey
        {
            Id = time.NewId(),
            Name = "bootstrap system admin",
            Prefix = prefix,
            SecretHash = ApiKeyFormat.HashSecret(secret),
            Role = Role.SystemAdmin,
            CreatedAt = time.UtcNow(),
        };
        db.ApiKeys.Add(row);
        var audit = new AuditLog(db, time, Caller.Anonymous) { ActorOverride = "system:bootstrap" };
        audit.Record("api_key.created", "api_key", row.Id.ToString(), new { row.Name, row.Prefix, role = "system_admin", bootstrap = true });
        await audit.SaveAsync(ct);
        if (options.AdminApiKey is null || key != options.AdminApiKey)
        {
            await console.WriteLineAsync($"首次启动：已生成系统管理员 API 密钥（只显示这一次）/ First start: system-admin API key (shown once):{Environment.NewLine}  {key}");
        }
        else
        {
            await console.WriteLineAsync("首次启动：已按 PINGJIA_ADMIN_API_KEY 创建系统管理员密钥 / First start: system-admin key created from PINGJIA_ADMIN_API_KEY.");
        }
    }
}
