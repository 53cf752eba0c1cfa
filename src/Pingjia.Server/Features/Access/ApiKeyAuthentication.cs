using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Pingjia.Data;

namespace Pingjia.Server.Features.Access;

/// <summary>Authenticates <c>Authorization: Bearer pj_…</c> or <c>X-Api-Key: pj_…</c> against the hashed keys.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PingjiaDbContext db,
    ApiKeyCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    internal static string? ReadKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue("X-Api-Key", out var header) && header.Count == 1)
        {
            return header[0];
        }

        var auth = request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeyFormat.TryParse(key, out var prefix, out var secret))
        {
            return AuthenticateResult.Fail("Malformed API key.");
        }

        var row = await cache.GetAsync(prefix, () => db.ApiKeys.AsNoTracking()
            .Where(k => k.Prefix == prefix && k.RevokedAt == null)
            .Select(k => new ApiKeyCache.Entry(
                k.SecretHash,
                k.Role,
                k.ScopeRegionId,
                db.Regions.Where(r => r.Id == k.ScopeRegionId).Select(r => r.Path).FirstOrDefault(),
                k.ScopeAgencyId,
                db.Agencies.Where(a => a.Id == k.ScopeAgencyId).Select(a => a.Region.Path).FirstOrDefault()))
            .FirstOrDefaultAsync(Context.RequestAborted));
        if (row is null || !ApiKeyFormat.Matches(secret, row.SecretHash))
        {
            return AuthenticateResult.Fail("Unknown or revoked API key.");
        }

        var identity = new ClaimsIdentity(
            Caller.ClaimsFor($"key:{prefix}", row.Role, row.ScopeRegionId, row.RegionPath, row.ScopeAgencyId, row.AgencyRegionPath),
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>
/// Remembers key lookups for a short while so that authentication does not cost a query per request.
/// Revocation through this process evicts at once; the TTL bounds how long another process may still accept a key.
/// </summary>
public sealed class ApiKeyCache(TimeProvider time)
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Entry? Entry, long At)> _entries = new();

    public sealed record Entry(string SecretHash, Domain.Access.Role Role, Guid? ScopeRegionId, string? RegionPath, Guid? ScopeAgencyId, string? AgencyRegionPath);

    public async Task<Entry?> GetAsync(string prefix, Func<Task<Entry?>> load)
    {
        if (_entries.TryGetValue(prefix, out var hit) && time.GetElapsedTime(hit.At) < Ttl)
        {
            return hit.Entry;
        }

        var entry = await load();
        if (entry is not null)
        {
            // Only found keys are kept: caching misses would let anyone fill memory with random prefixes.
            _entries[prefix] = (entry, time.GetTimestamp());
        }

        return entry;
    }

    public void Evict(string prefix) => _entries.TryRemove(prefix, out _);
}

internal static class AccessSetup
{
    public const string PolicyScheme = "Pingjia";

    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddHttpContextAccessor();
        // Wall-clock time on purpose: a cache's freshness is not part of the domain's (possibly simulated) time.
        services.AddSingleton(_ => new ApiKeyCache(TimeProvider.System));
        services.AddScoped(sp => Caller.From(sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User));
        services.AddScoped<SignInService>();
        services.AddAuthentication(PolicyScheme)
            .AddPolicyScheme(PolicyScheme, "API key or cookie", o =>
                o.ForwardDefaultSelector = ctx => ApiKeyAuthenticationHandler.ReadKey(ctx.Request) is null
                    ? CookieAuthenticationDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "pingjia_session";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                // The API answers with status codes; console pages send the browser to the sign-in page.
                o.LoginPath = "/console/sign-in";
                o.ReturnUrlParameter = "returnUrl";
                o.Events.OnRedirectToLogin = ctx =>
                {
                    if (ctx.Request.Path.StartsWithSegments("/console") && HttpMethods.IsGet(ctx.Request.Method))
                    {
                        ctx.Response.Redirect(ctx.RedirectUri);
                        return Task.CompletedTask;
                    }

                    return Deny(ctx, StatusCodes.Status401Unauthorized);
                };
                o.Events.OnRedirectToAccessDenied = ctx => Deny(ctx, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorization();
        return services;
    }

    private static Task Deny(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        ctx.Response.StatusCode = status;
        return Task.CompletedTask;
    }
}
