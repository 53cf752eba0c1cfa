using System.Security.Claims;
using Pingjia.Domain;
using Pingjia.Domain.Access;

namespace Pingjia.Server.Features.Access;

/// <summary>
/// Who is calling and where they may act, read from the authenticated principal's claims (no database work).
/// Scope rule: a region scope covers its subtree; an agency scope covers that agency (and reading its region).
/// Anything outside the scope is reported as not found, never as forbidden, so its existence is not revealed.
/// </summary>
public sealed class Caller
{
    public const string RoleClaim = "pj_role";
    public const string RegionIdClaim = "pj_region_id";
    public const string RegionPathClaim = "pj_region_path";
    public const string AgencyIdClaim = "pj_agency_id";
    public const string AgencyRegionPathClaim = "pj_agency_region_path";
    public const string ActorClaim = "pj_actor";

    public static Caller Anonymous { get; } = new("anonymous", null, null, null, null, null);

    public Caller(string actor, Role? role, Guid? regionId, string? regionPath, Guid? agencyId, string? agencyRegionPath)
    {
        Actor = actor;
        Role = role;
        RegionId = regionId;
        RegionPath = regionPath;
        AgencyId = agencyId;
        AgencyRegionPath = agencyRegionPath;
    }

    /// <summary>How the audit log names this caller: <c>user:name</c> or <c>key:prefix</c>.</summary>
    public string Actor { get; }

    public Role? Role { get; }

    public Guid? RegionId { get; }

    public string? RegionPath { get; }

    public Guid? AgencyId { get; }

    public string? AgencyRegionPath { get; }

    public bool IsEverywhere => Role is not null && RegionPath is null && AgencyId is null;

    public static Caller From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true || !Roles.TryParse(user.FindFirstValue(RoleClaim), out var role))
        {
            return Anonymous;
        }

        return new Caller(
            user.FindFirstValue(ActorClaim) ?? "unknown",
            role,
            Guid.TryParse(user.FindFirstValue(RegionIdClaim), out var r) ? r : null,
            user.FindFirstValue(RegionPathClaim),
            Guid.TryParse(user.FindFirstValue(AgencyIdClaim), out var a) ? a : null,
            user.FindFirstValue(AgencyRegionPathClaim));
    }

    /// <summary>The claims that describe a principal; the inverse of <see cref="From"/>.</summary>
    public static IEnumerable<Claim> ClaimsFor(string actor, Role role, Guid? regionId, string? regionPath, Guid? agencyId, string? agencyRegionPath)
    {
        yield return new Claim(ActorClaim, actor);
        yield return new Claim(RoleClaim, Roles.ToWire(role));
        if (regionId is not null && regionPath is not null)
        {
            yield return new Claim(RegionIdClaim, regionId.Value.ToString());
            yield return new Claim(RegionPathClaim, regionPath);
        }

        if (agencyId is not null && agencyRegionPath is not null)
        {
            yield return new Claim(AgencyIdClaim, agencyId.Value.ToString());
            yield return new Claim(AgencyRegionPathClaim, agencyRegionPath);
        }
    }

    /// <summary>Throws 403 unless the caller holds one of <paramref name="roles"/>.</summary>
    public void Require(params Role[] roles)
    {
        if (Role is null)
        {
            throw new DomainException(ErrorKind.Unauthorized, "unauthorized", "Authentication is required.");
        }

        if (!roles.Contains(Role.Value))
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", $"The role {Roles.ToWire(Role.Value)} may not do this.");
        }
    }

    /// <summary>Whether a region (by its path) is inside this caller's scope for reading.</summary>
    public bool SeesRegion(string regionPath) =>
        IsEverywhere
        || (RegionPath is not null && regionPath.StartsWith(RegionPath, StringComparison.Ordinal))
        || (AgencyRegionPath is not null && regionPath == AgencyRegionPath);

    /// <summary>Whether an agency is inside this caller's scope.</summary>
    public bool SeesAgency(Guid agencyId, string agencyRegionPath) =>
        IsEverywhere
        || (RegionPath is not null && agencyRegionPath.StartsWith(RegionPath, StringComparison.Ordinal))
        || (AgencyId is not null && AgencyId == agencyId);

    /// <summary>Whether the caller may create or change regions at this path: strictly below its own root.</summary>
    public bool ManagesRegionAt(string regionPath) =>
        Role == Domain.Access.Role.SystemAdmin
        || (Role == Domain.Access.Role.BureauAdmin && RegionPath is not null
            && regionPath.StartsWith(RegionPath, StringComparison.Ordinal) && regionPath != RegionPath);
}
