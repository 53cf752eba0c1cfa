using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Domain;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Access;

/// <summary>
/// Signing a user in with the session cookie, for the API and the console alike: password check, lockout after
/// <see cref="MaxFailedSignIns"/> failures for <see cref="Lockout"/>, the lock audited.
/// </summary>
public sealed class SignInService(PingjiaDbContext db, AuditLog audit, TimeProvider time)
{
    public const int MaxFailedSignIns = 5;
    public static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    /// <summary>Checks the password and issues the cookie; throws <c>invalid_credentials</c> or <c>account_locked</c>.</summary>
    public async Task<Caller> SignInAsync(HttpContext http, string? userName, string? password, CancellationToken ct)
    {
        new Validation().Required(userName, "userName", 64).Required(password, "password", 200).ThrowIfInvalid();
        var user = await db.Users.FirstOrDefaultAsync(u => u.UserName == userName, ct);
        var now = time.UtcNow();
        if (user is { LockedUntil: { } until } && until > now)
        {
            throw new DomainException(ErrorKind.Unauthorized, "account_locked", "Too many failed sign-ins; try again later.");
        }

        if (user is null || !user.IsActive || !Passwords.Verify(password!, user.PasswordHash))
        {
            if (user is not null)
            {
                user.FailedSignIns++;
                if (user.FailedSignIns >= MaxFailedSignIns)
                {
                    user.LockedUntil = now + Lockout;
                    user.FailedSignIns = 0;
                    audit.ActorOverride = $"user:{user.UserName}";
                    audit.Record("user.locked", "user", user.UserName, new { until = user.LockedUntil });
                }

                await audit.SaveAsync(ct);
            }

            throw new DomainException(ErrorKind.Unauthorized, "invalid_credentials", "User name or password is wrong.");
        }

        user.FailedSignIns = 0;
        user.LockedUntil = null;
        await db.SaveChangesAsync(ct);
        var regionPath = user.ScopeRegionId is null ? null : await db.Regions.Where(r => r.Id == user.ScopeRegionId).Select(r => r.Path).FirstOrDefaultAsync(ct);
        var agencyPath = user.ScopeAgencyId is null ? null : await db.Agencies.Where(a => a.Id == user.ScopeAgencyId).Select(a => a.Region.Path).FirstOrDefaultAsync(ct);
        var claims = Caller.ClaimsFor($"user:{user.UserName}", user.Role, user.ScopeRegionId, regionPath, user.ScopeAgencyId, agencyPath).ToList();
        claims.Add(new Claim(ClaimTypes.Name, user.DisplayName));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return Caller.From(principal);
    }

    public static Task SignOutAsync(HttpContext http) => http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
}
