namespace Pingjia.Domain.Access;

/// <summary>What a user or API key may do; its scope (region subtree or agency) says where.</summary>
public enum Role
{
    SystemAdmin,
    BureauAdmin,
    AgencyManager,
    Staff,
    Evaluator,
    Auditor,
    Integration,
}

/// <summary>Which scope each role needs, decided once so that accounts and keys follow the same rule.</summary>
public static class Roles
{
    public static bool NeedsRegion(Role role) =>
        role is Role.BureauAdmin or Role.Evaluator or Role.Integration;

    /// <summary>An auditor may be scoped to a region or see everything (the audit log itself spans all regions).</summary>
    public static bool MayHaveRegion(Role role) => NeedsRegion(role) || role == Role.Auditor;

    public static bool NeedsAgency(Role role) => role is Role.AgencyManager or Role.Staff;

    /// <summary>Roles a bureau admin may hand out inside its own subtree; only a system admin makes admins of the whole system.</summary>
    public static bool CanGrant(Role granter, Role granted) => granter switch
    {
        Role.SystemAdmin => true,
        Role.BureauAdmin => granted != Role.SystemAdmin,
        _ => false,
    };

    public static string ToWire(Role role) => role switch
    {
        Role.SystemAdmin => "system_admin",
        Role.BureauAdmin => "bureau_admin",
        Role.AgencyManager => "agency_manager",
        Role.Staff => "staff",
        Role.Evaluator => "evaluator",
        Role.Auditor => "auditor",
        Role.Integration => "integration",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? text, out Role role)
    {
        foreach (var r in Enum.GetValues<Role>())
        {
            if (string.Equals(ToWire(r), text, StringComparison.Ordinal))
            {
                role = r;
                return true;
            }
        }

        role = default;
        return false;
    }
}
