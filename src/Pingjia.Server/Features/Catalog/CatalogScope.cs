using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Catalog;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;

namespace Pingjia.Server.Features.Catalog;

/// <summary>Narrows catalog queries to what a caller may see; one definition for lists, reads and writes.</summary>
internal static class CatalogScope
{
    public static IQueryable<Region> VisibleRegions(this PingjiaDbContext db, Caller caller) => caller switch
    {
        { IsEverywhere: true } => db.Regions,
        { RegionPath: { } path } => db.Regions.Where(r => r.Path.StartsWith(path)),
        { AgencyRegionPath: { } path } => db.Regions.Where(r => r.Path == path),
        _ => db.Regions.Where(_ => false),
    };

    public static IQueryable<Agency> VisibleAgencies(this PingjiaDbContext db, Caller caller) => caller switch
    {
        { IsEverywhere: true } => db.Agencies,
        { RegionPath: { } path } => db.Agencies.Where(a => a.Region.Path.StartsWith(path)),
        { AgencyId: { } id } => db.Agencies.Where(a => a.Id == id),
        _ => db.Agencies.Where(_ => false),
    };

    /// <summary>Roles that may change agencies, halls and windows; agency managers may change their own halls and windows.</summary>
    public static readonly Role[] AgencyWriters = [Role.SystemAdmin, Role.BureauAdmin];

    public static readonly Role[] StaffWriters = [Role.SystemAdmin, Role.BureauAdmin, Role.AgencyManager];

    public static readonly Role[] ItemWriters = [Role.SystemAdmin, Role.BureauAdmin, Role.Integration];

    /// <summary>The path of a region the caller can see, for subtree filters ("under" a region), or 404.</summary>
    public static async Task<string> VisibleRegionPathAsync(this PingjiaDbContext db, Caller caller, string code, CancellationToken ct) =>
        await db.VisibleRegions(caller).Where(r => r.Code == code).Select(r => r.Path).FirstOrDefaultAsync(ct)
            ?? throw RegionNotFound(code);

    public static DomainException RegionNotFound(string code) => DomainException.NotFound($"Region {code}");

    public static DomainException AgencyNotFound(string code) => DomainException.NotFound($"Agency {code}");
}
