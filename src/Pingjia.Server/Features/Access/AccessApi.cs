using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Access;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Access;

public sealed record UserRequest(string? UserName, string? DisplayName, string? Password, Role? Role, string? RegionCode, string? AgencyCreditCode);

public sealed record UserUpdate(string? DisplayName, string? Password, Role? Role, string? RegionCode, string? AgencyCreditCode);

public sealed record UserResponse(string UserName, string DisplayName, Role Role, string? RegionCode, string? AgencyCreditCode, bool IsActive, DateTime CreatedAt);

public sealed record ApiKeyRequest(string? Name, Role? Role, string? RegionCode, string? AgencyCreditCode);

public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, Role Role, string? RegionCode, string? AgencyCreditCode, DateTime CreatedAt, DateTime? RevokedAt);

/// <summary>The only response that ever contains a key's secret.</summary>
public sealed record ApiKeyCreated(Guid Id, string Name, string Prefix, Role Role, string Key);

public sealed record SignInRequest(string? UserName, string? Password);

public sealed record MeResponse(string Actor, Role Role, string? RegionCode, string? AgencyCreditCode);

/// <summary>User accounts, API keys and signing in. Admins hand out roles only inside their own scope.</summary>
public static partial class AccessApi
{
    public const int MaxFailedSignIns = SignInService.MaxFailedSignIns;
    public static readonly TimeSpan Lockout = SignInService.Lockout;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{2,63}$")]
    private static partial Regex UserNamePattern();

    public static void MapAccess(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/v1/users").WithTags("Access");
        users.MapGet("/", ListUsers);
        users.MapGet("/{userName}", GetUser);
        users.MapPost("/", CreateUser);
        users.MapPut("/{userName}", UpdateUser);
        users.MapPost("/{userName}/deactivate", (string userName, PingjiaDbContext db, Caller c, AuditLog a, TimeProvider t, CancellationToken ct) => SetUserActive(userName, false, db, c, a, t, ct));
        users.MapPost("/{userName}/activate", (string userName, PingjiaDbContext db, Caller c, AuditLog a, TimeProvider t, CancellationToken ct) => SetUserActive(userName, true, db, c, a, t, ct));

        var keys = app.MapGroup("/api/v1/api-keys").WithTags("Access");
        keys.MapGet("/", ListKeys);
        keys.MapPost("/", CreateKey);
        keys.MapPost("/{id:guid}/revoke", RevokeKey);

        var auth = app.MapGroup("/api/v1/auth").WithTags("Access");
        auth.MapPost("/sign-in", SignIn).AllowAnonymous();
        auth.MapPost("/sign-out", (Delegate)SignOut);
        auth.MapGet("/me", Me);
    }

    // ------------------------------------------------------------ scopes shared by users and keys

    private sealed record ResolvedScope(Guid? RegionId, string? RegionPath, Guid? AgencyId, string? AgencyRegionPath);

    private static async Task<ResolvedScope> ResolveScopeAsync(
        PingjiaDbContext db, Caller caller, Role role, string? regionCode, string? agencyCreditCode, CancellationToken ct)
    {
        var v = new Validation();
        if (!Roles.CanGrant(caller.Role!.Value, role))
        {
            throw new DomainException(ErrorKind.Forbidden, "role_not_grantable", $"You may not grant the role {Roles.ToWire(role)}.");
        }

        v.Check(!Roles.NeedsRegion(role) || regionCode is not null, "regionCode", $"The role {Roles.ToWire(role)} needs a regionCode.");
        v.Check(Roles.MayHaveRegion(role) || regionCode is null, "regionCode", $"The role {Roles.ToWire(role)} is not scoped to a region.");
        v.Check(!Roles.NeedsAgency(role) || agencyCreditCode is not null, "agencyCreditCode", $"The role {Roles.ToWire(role)} needs an agencyCreditCode.");
        v.Check(Roles.NeedsAgency(role) || agencyCreditCode is null, "agencyCreditCode", $"The role {Roles.ToWire(role)} is not scoped to an agency.");
        v.ThrowIfInvalid();

        if (regionCode is not null)
        {
            var region = await db.VisibleRegions(caller).AsNoTracking().FirstOrDefaultAsync(r => r.Code == regionCode, ct)
                ?? throw new DomainException(ErrorKind.NotFound, "region_not_found", $"Region {regionCode} was not found.");
            return new(region.Id, region.Path, null, null);
        }

        if (agencyCreditCode is not null)
        {
            var agency = await db.VisibleAgencies(caller).AsNoTracking().Select(a => new { a.Id, a.CreditCode, a.Region.Path }).FirstOrDefaultAsync(a => a.CreditCode == agencyCreditCode, ct)
                ?? throw new DomainException(ErrorKind.NotFound, "agency_not_found", $"Agency {agencyCreditCode} was not found.");
            return new(null, null, agency.Id, agency.Path);
        }

        if (!caller.IsEverywhere)
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", "Only a system administrator may grant a role without a scope.");
        }

        return new(null, null, null, null);
    }

    /// <summary>Accounts and keys a caller may see: those whose scope lies inside the caller's own.</summary>
    private static bool Sees(Caller caller, string? regionPath, string? agencyRegionPath) =>
        caller.IsEverywhere
        || (caller.RegionPath is not null
            && ((regionPath ?? agencyRegionPath)?.StartsWith(caller.RegionPath, StringComparison.Ordinal) ?? false));

    // ------------------------------------------------------------ users

    private sealed record UserRow(UserAccount User, string? RegionCode, string? RegionPath, string? AgencyCode, string? AgencyRegionPath);

    /// <summary>Projects last: EF cannot filter or sort on a constructed record, so callers narrow the accounts first.</summary>
    private static IQueryable<UserRow> UserRows(PingjiaDbContext db, IQueryable<UserAccount> users) =>
        users.AsNoTracking().Select(u => new UserRow(
            u,
            db.Regions.Where(r => r.Id == u.ScopeRegionId).Select(r => r.Code).FirstOrDefault(),
            db.Regions.Where(r => r.Id == u.ScopeRegionId).Select(r => r.Path).FirstOrDefault(),
            db.Agencies.Where(a => a.Id == u.ScopeAgencyId).Select(a => a.CreditCode).FirstOrDefault(),
            db.Agencies.Where(a => a.Id == u.ScopeAgencyId).Select(a => a.Region.Path).FirstOrDefault()));

    private static UserResponse ToResponse(UserRow r) =>
        new(r.User.UserName, r.User.DisplayName, r.User.Role, r.RegionCode, r.AgencyCode, r.User.IsActive, r.User.CreatedAt);

    internal static async Task<Ok<Page<UserResponse>>> ListUsers(PingjiaDbContext db, Caller caller, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var users = db.Users.AsQueryable();
        if (!caller.IsEverywhere)
        {
            var path = caller.RegionPath!;
            users = users.Where(u => db.Regions.Any(r => r.Id == u.ScopeRegionId && r.Path.StartsWith(path))
                || db.Agencies.Any(a => a.Id == u.ScopeAgencyId && a.Region.Path.StartsWith(path)));
        }

        if (!string.IsNullOrWhiteSpace(q))
        {
            var like = Paging.LikeContains(q.Trim());
            users = users.Where(u => EF.Functions.Like(u.UserName, like, "\\") || EF.Functions.Like(u.DisplayName, like, "\\"));
        }

        var result = await users.OrderBy(u => u.UserName).ToPageAsync(page, pageSize, x => UserRows(db, x), ct);
        return TypedResults.Ok(new Page<UserResponse>([.. result.Items.Select(ToResponse)], result.Total, result.PageNumber, result.PageSize));
    }

    private static async Task<UserRow> FindUserAsync(string userName, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var row = await UserRows(db, db.Users.Where(u => u.UserName == userName)).FirstOrDefaultAsync(ct);
        if (row is null || !Sees(caller, row.RegionPath, row.AgencyRegionPath))
        {
            throw DomainException.NotFound($"User {userName}");
        }

        return row;
    }

    private static async Task<Ok<UserResponse>> GetUser(string userName, PingjiaDbContext db, Caller caller, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await FindUserAsync(userName, db, caller, ct)));

    internal static async Task<Created<UserResponse>> CreateUser(UserRequest request, PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        new Validation()
            .Check(request.UserName is not null && UserNamePattern().IsMatch(request.UserName), "userName", "userName is 3 to 64 lower-case letters, digits, '.', '_' or '-'.")
            .Required(request.DisplayName, "displayName", 100)
            .Check(request.Password is { Length: >= 10 and <= 200 }, "password", "password must be 10 to 200 characters.")
            .Check(request.Role is not null, "role", "role is required.")
            .ThrowIfInvalid();
        var scope = await ResolveScopeAsync(db, caller, request.Role!.Value, request.RegionCode, request.AgencyCreditCode, ct);
        if (await db.Users.AnyAsync(u => u.UserName == request.UserName, ct))
        {
            throw DomainException.Conflict("duplicate_user", $"User {request.UserName} already exists.");
        }

        var now = time.UtcNow();
        var user = new UserAccount
        {
            Id = time.NewId(),
            UserName = request.UserName!,
            DisplayName = request.DisplayName!.Trim(),
            PasswordHash = Passwords.Hash(request.Password!),
            Role = request.Role.Value,
            ScopeRegionId = scope.RegionId,
            ScopeAgencyId = scope.AgencyId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        audit.Record("user.created", "user", user.UserName, new { user.UserName, user.DisplayName, role = Roles.ToWire(user.Role), request.RegionCode, request.AgencyCreditCode });
        await audit.SaveAsync(ct);
        return TypedResults.Created($"/api/v1/users/{user.UserName}", ToResponse(new UserRow(user, request.RegionCode, scope.RegionPath, request.AgencyCreditCode, scope.AgencyRegionPath)));
    }

    private static async Task<Ok<UserResponse>> UpdateUser(string userName, UserUpdate request, PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var row = await FindUserAsync(userName, db, caller, ct);
        new Validation()
            .Required(request.DisplayName, "displayName", 100)
            .Check(request.Password is null or { Length: >= 10 and <= 200 }, "password", "password must be 10 to 200 characters.")
            .Check(request.Role is not null, "role", "role is required.")
            .ThrowIfInvalid();
        if (!Roles.CanGrant(caller.Role!.Value, row.User.Role))
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", "You may not change this account.");
        }

        var scope = await ResolveScopeAsync(db, caller, request.Role!.Value, request.RegionCode, request.AgencyCreditCode, ct);
        var user = await db.Users.FirstAsync(u => u.Id == row.User.Id, ct);
        user.DisplayName = request.DisplayName!.Trim();
        user.Role = request.Role.Value;
        user.ScopeRegionId = scope.RegionId;
        user.ScopeAgencyId = scope.AgencyId;
        if (request.Password is not null)
        {
            user.PasswordHash = Passwords.Hash(request.Password);
            user.FailedSignIns = 0;
            user.LockedUntil = null;
        }

        user.UpdatedAt = time.UtcNow();
        audit.Record("user.updated", "user", user.UserName, new { user.DisplayName, role = Roles.ToWire(user.Role), request.RegionCode, request.AgencyCreditCode, passwordChanged = request.Password is not null });
        await audit.SaveAsync(ct);
        return TypedResults.Ok(ToResponse(row with { User = user, RegionCode = request.RegionCode, RegionPath = scope.RegionPath, AgencyCode = request.AgencyCreditCode, AgencyRegionPath = scope.AgencyRegionPath }));
    }

    private static async Task<Ok<UserResponse>> SetUserActive(string userName, bool active, PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var row = await FindUserAsync(userName, db, caller, ct);
        if (!Roles.CanGrant(caller.Role!.Value, row.User.Role))
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", "You may not change this account.");
        }

        var user = await db.Users.FirstAsync(u => u.Id == row.User.Id, ct);
        if (user.IsActive != active)
        {
            user.IsActive = active;
            user.UpdatedAt = time.UtcNow();
            audit.Record(active ? "user.activated" : "user.deactivated", "user", user.UserName, new { user.IsActive });
            await audit.SaveAsync(ct);
        }

        return TypedResults.Ok(ToResponse(row with { User = user }));
    }

    // ------------------------------------------------------------ API keys

    private sealed record KeyRow(ApiKey Key, string? RegionCode, string? RegionPath, string? AgencyCode, string? AgencyRegionPath);

    private static IQueryable<KeyRow> Keys(PingjiaDbContext db, IQueryable<ApiKey> keys) =>
        keys.AsNoTracking().Select(k => new KeyRow(
            k,
            db.Regions.Where(r => r.Id == k.ScopeRegionId).Select(r => r.Code).FirstOrDefault(),
            db.Regions.Where(r => r.Id == k.ScopeRegionId).Select(r => r.Path).FirstOrDefault(),
            db.Agencies.Where(a => a.Id == k.ScopeAgencyId).Select(a => a.CreditCode).FirstOrDefault(),
            db.Agencies.Where(a => a.Id == k.ScopeAgencyId).Select(a => a.Region.Path).FirstOrDefault()));

    private static ApiKeyResponse ToResponse(KeyRow r) =>
        new(r.Key.Id, r.Key.Name, r.Key.Prefix, r.Key.Role, r.RegionCode, r.AgencyCode, r.Key.CreatedAt, r.Key.RevokedAt);

    private static async Task<Ok<Page<ApiKeyResponse>>> ListKeys(PingjiaDbContext db, Caller caller, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var keys = db.ApiKeys.AsQueryable();
        if (!caller.IsEverywhere)
        {
            var path = caller.RegionPath!;
            keys = keys.Where(k => db.Regions.Any(r => r.Id == k.ScopeRegionId && r.Path.StartsWith(path))
                || db.Agencies.Any(a => a.Id == k.ScopeAgencyId && a.Region.Path.StartsWith(path)));
        }

        var result = await keys.OrderBy(k => k.CreatedAt).ToPageAsync(page, pageSize, x => Keys(db, x), ct);
        return TypedResults.Ok(new Page<ApiKeyResponse>([.. result.Items.Select(ToResponse)], result.Total, result.PageNumber, result.PageSize));
    }

    private static async Task<Created<ApiKeyCreated>> CreateKey(ApiKeyRequest request, PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        new Validation()
            .Required(request.Name, "name", 100)
            .Check(request.Role is not null, "role", "role is required.")
            .ThrowIfInvalid();
        var scope = await ResolveScopeAsync(db, caller, request.Role!.Value, request.RegionCode, request.AgencyCreditCode, ct);
        var key = ApiKeyFormat.Generate();
        ApiKeyFormat.TryParse(key, out var prefix, out var secret);
        var row = new ApiKey
        {
            Id = time.NewId(),
            Name = request.Name!.Trim(),
            Prefix = prefix,
            SecretHash = ApiKeyFormat.HashSecret(secret),
            Role = request.Role.Value,
            ScopeRegionId = scope.RegionId,
            ScopeAgencyId = scope.AgencyId,
            CreatedAt = time.UtcNow(),
        };
        db.ApiKeys.Add(row);
        audit.Record("api_key.created", "api_key", row.Id.ToString(), new { row.Name, row.Prefix, role = Roles.ToWire(row.Role), request.RegionCode, request.AgencyCreditCode });
        await audit.SaveAsync(ct);
        return TypedResults.Created($"/api/v1/api-keys/{row.Id}", new ApiKeyCreated(row.Id, row.Name, prefix, row.Role, key));
    }

    private static async Task<Ok<ApiKeyResponse>> RevokeKey(Guid id, PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time, ApiKeyCache keyCache, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var row = await Keys(db, db.ApiKeys.Where(k => k.Id == id)).FirstOrDefaultAsync(ct);
        if (row is null || !Sees(caller, row.RegionPath, row.AgencyRegionPath))
        {
            throw DomainException.NotFound("API key");
        }

        var key = await db.ApiKeys.FirstAsync(k => k.Id == id, ct);
        if (key.RevokedAt is null)
        {
            key.RevokedAt = time.UtcNow();
            audit.Record("api_key.revoked", "api_key", key.Id.ToString(), new { key.Prefix });
            await audit.SaveAsync(ct);
            keyCache.Evict(key.Prefix);
        }

        return TypedResults.Ok(ToResponse(row with { Key = key }));
    }

    // ------------------------------------------------------------ signing in

    private static async Task<Ok<MeResponse>> SignIn(SignInRequest request, HttpContext http, PingjiaDbContext db, SignInService signIns, CancellationToken ct) =>
        TypedResults.Ok(await DescribeAsync(await signIns.SignInAsync(http, request.UserName, request.Password, ct), db, ct));

    private static async Task<NoContent> SignOut(HttpContext http)
    {
        await SignInService.SignOutAsync(http);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MeResponse>> Me(Caller caller, PingjiaDbContext db, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        return TypedResults.Ok(await DescribeAsync(caller, db, ct));
    }

    private static async Task<MeResponse> DescribeAsync(Caller caller, PingjiaDbContext db, CancellationToken ct) =>
        new(caller.Actor, caller.Role!.Value,
            caller.RegionId is null ? null : await db.Regions.Where(r => r.Id == caller.RegionId).Select(r => r.Code).FirstOrDefaultAsync(ct),
            caller.AgencyId is null ? null : await db.Agencies.Where(a => a.Id == caller.AgencyId).Select(a => a.CreditCode).FirstOrDefaultAsync(ct));
}
