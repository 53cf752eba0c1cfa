using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Catalog;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Catalog;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Catalog;

/// <summary>How a write treats an existing record: the API creates or updates explicitly; imports upsert.</summary>
public enum WriteMode
{
    Create,
    Update,
    Upsert,
}

/// <summary>What a write did; imports count these, and an unchanged record writes nothing (not even audit).</summary>
public enum Change
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>
/// Every catalog write goes through here — from the API and from imports alike — so validation, scope checks
/// and audit entries are the same whichever way data arrives. Changes are tracked until <see cref="CommitAsync"/>.
/// </summary>
public sealed partial class CatalogService(PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time)
{
    public static readonly string[] AgencyKinds = ["department", "service_centre", "public_service"];

    /// <summary>National item-type codes (taskType) from the exchange code tables.</summary>
    public static readonly string[] ItemTypes = ["01", "05", "07", "08", "09", "10", "20", "99"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")]
    private static partial Regex EmployeeNoPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")]
    private static partial Regex ItemCodePattern();

    public Task CommitAsync(CancellationToken ct) => audit.SaveAsync(ct);

    // ---------------------------------------------------------------- regions

    public async Task<(Region Region, Change Change)> SaveRegionAsync(RegionRequest request, WriteMode mode, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var v = new Validation();
        RegionCode? code = null;
        if (!RegionCode.TryParse(request.Code, out var parsed, out var codeError))
        {
            v.Add("code", codeError!);
        }
        else
        {
            code = parsed;
        }

        v.Required(request.Name, "name", 100);
        RegionCode? parentCode = null;
        if (mode != WriteMode.Update && code is { } c)
        {
            if (c.Level == RegionLevel.Province)
            {
                v.Check(string.IsNullOrEmpty(request.ParentCode), "parentCode", "A province-level region has no parent.");
            }
            else if (string.IsNullOrEmpty(request.ParentCode))
            {
                v.Add("parentCode", "parentCode is required below province level.");
            }
            else if (!RegionCode.TryParse(request.ParentCode, out var p, out var parentError))
            {
                v.Add("parentCode", parentError!);
            }
            else if (!p.Value.IsAncestorOf(c))
            {
                v.Add("parentCode", $"{p.Value} is not above {c} in the code hierarchy.");
            }
            else
            {
                parentCode = p;
            }
        }

        v.ThrowIfInvalid();
        var name = request.Name!.Trim();
        var existing = await FindRegionAsync(code!.Value.Value, ct);
        if (existing is not null && !caller.SeesRegion(existing.Path))
        {
            existing = null; // outside the caller's scope it does not exist for them; a create then fails on the parent
        }

        if (existing is null)
        {
            if (mode == WriteMode.Update)
            {
                throw CatalogScope.RegionNotFound(code.Value.Value);
            }

            var parent = parentCode is null ? null : await FindRegionAsync(parentCode.Value.Value, ct);
            if (parentCode is not null && (parent is null || !caller.SeesRegion(parent.Path)))
            {
                throw new DomainException(ErrorKind.NotFound, "parent_not_found", $"Parent region {parentCode} was not found.",
                    new Dictionary<string, string[]> { ["parentCode"] = ["No such region in your scope."] });
            }

            if (parent is { IsActive: false })
            {
                throw DomainException.Conflict("parent_inactive", $"Parent region {parent.Code} is deactivated.");
            }

            var path = (parent?.Path ?? "") + code.Value.Value + "/";
            if (!caller.ManagesRegionAt(path))
            {
                throw new DomainException(ErrorKind.Forbidden, "forbidden", "You may only add regions below your own region.");
            }

            if (await db.Regions.AnyAsync(r => r.Code == code.Value.Value, ct))
            {
                throw DomainException.Conflict("duplicate_region", $"Region {code} already exists.");
            }

            var now = time.UtcNow();
            var region = new Region
            {
                Id = time.NewId(),
                Code = code.Value.Value,
                Name = name,
                Level = code.Value.Level,
                ParentId = parent?.Id,
                Path = path,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Regions.Add(region);
            audit.Record("region.created", "region", region.Code, RegionsApi.ToResponse(region));
            return (region, Change.Created);
        }

        if (mode == WriteMode.Create)
        {
            throw DomainException.Conflict("duplicate_region", $"Region {code} already exists.");
        }

        if (!caller.ManagesRegionAt(existing.Path))
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", "You may only change regions below your own region.");
        }

        if (mode == WriteMode.Upsert && parentCode is not null && RegionsApi.ParentCodeOf(existing.Path) != parentCode.Value.Value)
        {
            throw DomainException.Invalid("parent_immutable", "A region's parent cannot change; create a new code instead.", "parentCode");
        }

        if (existing.Name == name)
        {
            return (existing, Change.Unchanged);
        }

        existing.Name = name;
        existing.UpdatedAt = time.UtcNow();
        audit.Record("region.updated", "region", existing.Code, RegionsApi.ToResponse(existing));
        return (existing, Change.Updated);
    }

    public async Task<Region> SetRegionActiveAsync(string code, bool active, CancellationToken ct)
    {
        caller.Require(Role.SystemAdmin, Role.BureauAdmin);
        var region = await FindRegionAsync(code, ct);
        if (region is null || !caller.SeesRegion(region.Path))
        {
            throw CatalogScope.RegionNotFound(code);
        }

        if (!caller.ManagesRegionAt(region.Path))
        {
            throw new DomainException(ErrorKind.Forbidden, "forbidden", "You may only change regions below your own region.");
        }

        if (region.IsActive == active)
        {
            return region;
        }

        if (!active)
        {
            if (await db.Regions.AnyAsync(r => r.ParentId == region.Id && r.IsActive, ct)
                || await db.Agencies.AnyAsync(a => a.RegionId == region.Id && a.IsActive, ct))
            {
                throw DomainException.Conflict("region_in_use", $"Region {code} still has active sub-regions or agencies; deactivate them first.");
            }
        }
        else if (region.ParentId is { } parentId && !await db.Regions.AnyAsync(r => r.Id == parentId && r.IsActive, ct))
        {
            throw DomainException.Conflict("parent_inactive", "Activate the parent region first.");
        }

        region.IsActive = active;
        region.UpdatedAt = time.UtcNow();
        audit.Record(active ? "region.activated" : "region.deactivated", "region", region.Code, RegionsApi.ToResponse(region));
        return region;
    }

    // ---------------------------------------------------------------- agencies

    public async Task<(Agency Agency, Change Change)> SaveAgencyAsync(AgencyRequest request, WriteMode mode, CancellationToken ct)
    {
        caller.Require(CatalogScope.AgencyWriters);
        var v = new Validation();
        var creditError = CreditCode.Validate(request.CreditCode);
        if (creditError is not null)
        {
            v.Add("creditCode", creditError);
        }

        v.Required(request.Name, "name", 200);
        v.Check(request.Kind is not null && AgencyKinds.Contains(request.Kind), "kind", $"kind must be one of {string.Join(", ", AgencyKinds)}.");
        if (string.IsNullOrEmpty(request.RegionCode))
        {
            v.Add("regionCode", "regionCode is required.");
        }

        v.Check(request.ParentCreditCode is null || CreditCode.Validate(request.ParentCreditCode) is null, "parentCreditCode", "parentCreditCode is not a valid unified social credit code.");
        v.Check(request.ParentCreditCode is null || request.ParentCreditCode != request.CreditCode, "parentCreditCode", "An agency cannot be its own parent.");
        v.ThrowIfInvalid();

        var region = await FindRegionAsync(request.RegionCode!, ct);
        if (region is null || !caller.SeesRegion(region.Path) || (caller.RegionPath is null && !caller.IsEverywhere))
        {
            throw new DomainException(ErrorKind.NotFound, "region_not_found", $"Region {request.RegionCode} was not found.",
                new Dictionary<string, string[]> { ["regionCode"] = ["No such region in your scope."] });
        }

        if (!region.IsActive)
        {
            throw DomainException.Conflict("region_inactive", $"Region {region.Code} is deactivated.");
        }

        Guid? parentId = null;
        if (request.ParentCreditCode is { } parentCode)
        {
            var parent = await FindAgencyAsync(parentCode, ct);
            var parentPath = parent is null ? null : await RegionPathOfAsync(parent.RegionId, ct);
            if (parent is null || parentPath is null || !caller.SeesAgency(parent.Id, parentPath))
            {
                throw new DomainException(ErrorKind.NotFound, "parent_not_found", $"Parent agency {parentCode} was not found.",
                    new Dictionary<string, string[]> { ["parentCreditCode"] = ["No such agency in your scope."] });
            }

            if (!region.Path.StartsWith(parentPath, StringComparison.Ordinal))
            {
                throw DomainException.Invalid("parent_region_mismatch", "A parent agency must belong to the same region or a region above it.", "parentCreditCode");
            }

            parentId = parent.Id;
        }

        var name = request.Name!.Trim();
        var existing = await FindAgencyAsync(request.CreditCode!, ct);
        if (existing is not null)
        {
            var existingPath = await RegionPathOfAsync(existing.RegionId, ct);
            if (existingPath is null || !caller.SeesAgency(existing.Id, existingPath))
            {
                if (mode == WriteMode.Update)
                {
                    throw CatalogScope.AgencyNotFound(request.CreditCode!);
                }

                // Exists elsewhere: a create must not reveal where, only that the code is taken.
                throw DomainException.Conflict("duplicate_agency", $"Agency {request.CreditCode} already exists.");
            }
        }

        if (existing is null)
        {
            if (mode == WriteMode.Update)
            {
                throw CatalogScope.AgencyNotFound(request.CreditCode!);
            }

            var now = time.UtcNow();
            var agency = new Agency
            {
                Id = time.NewId(),
                CreditCode = request.CreditCode!,
                Name = name,
                Kind = request.Kind!,
                RegionId = region.Id,
                Region = region,
                ParentAgencyId = parentId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Agencies.Add(agency);
            audit.Record("agency.created", "agency", agency.CreditCode, AgencyAudit(agency, region.Code, request.ParentCreditCode));
            return (agency, Change.Created);
        }

        if (mode == WriteMode.Create)
        {
            throw DomainException.Conflict("duplicate_agency", $"Agency {request.CreditCode} already exists.");
        }

        if (existing.Name == name && existing.Kind == request.Kind && existing.RegionId == region.Id && existing.ParentAgencyId == parentId)
        {
            return (existing, Change.Unchanged);
        }

        if (parentId is not null && await IsBelowAsync(parentId.Value, existing.Id, ct))
        {
            throw DomainException.Invalid("parent_cycle", "The parent agency is below this agency; that would make a cycle.", "parentCreditCode");
        }

        existing.Name = name;
        existing.Kind = request.Kind!;
        existing.RegionId = region.Id;
        existing.Region = region;
        existing.ParentAgencyId = parentId;
        existing.UpdatedAt = time.UtcNow();
        audit.Record("agency.updated", "agency", existing.CreditCode, AgencyAudit(existing, region.Code, request.ParentCreditCode));
        return (existing, Change.Updated);
    }

    public async Task<Agency> SetAgencyActiveAsync(string creditCode, bool active, CancellationToken ct)
    {
        caller.Require(CatalogScope.AgencyWriters);
        var agency = await RequireVisibleAgencyAsync(creditCode, ct);
        if (agency.IsActive != active)
        {
            agency.IsActive = active;
            agency.UpdatedAt = time.UtcNow();
            audit.Record(active ? "agency.activated" : "agency.deactivated", "agency", agency.CreditCode, new { agency.CreditCode, agency.IsActive });
        }

        return agency;
    }

    /// <summary>An agency the caller may see, or 404.</summary>
    public async Task<Agency> RequireVisibleAgencyAsync(string creditCode, CancellationToken ct)
    {
        var agency = await FindAgencyAsync(creditCode, ct);
        var path = agency is null ? null : await RegionPathOfAsync(agency.RegionId, ct);
        if (agency is null || path is null || !caller.SeesAgency(agency.Id, path))
        {
            throw CatalogScope.AgencyNotFound(creditCode);
        }

        return agency;
    }

    private static object AgencyAudit(Agency a, string regionCode, string? parentCreditCode) =>
        new { a.CreditCode, a.Name, a.Kind, regionCode, parentCreditCode, a.IsActive };

    private async Task<bool> IsBelowAsync(Guid candidate, Guid ancestor, CancellationToken ct)
    {
        Guid? current = candidate;
        for (var depth = 0; current is not null && depth < 64; depth++)
        {
            if (current == ancestor)
            {
                return true;
            }

            var id = current.Value;
            current = await db.Agencies.Where(a => a.Id == id).Select(a => a.ParentAgencyId).FirstOrDefaultAsync(ct);
        }

        return false;
    }

    // ---------------------------------------------------------------- staff

    public async Task<(Staff Staff, Change Change)> SaveStaffAsync(string agencyCreditCode, StaffRequest request, WriteMode mode, CancellationToken ct)
    {
        caller.Require(CatalogScope.StaffWriters);
        var v = new Validation();
        v.Check(request.EmployeeNo is not null && EmployeeNoPattern().IsMatch(request.EmployeeNo), "employeeNo",
            "employeeNo is 1 to 32 letters, digits, '-' or '_'.");
        v.Required(request.Name, "name", 50);
        v.ThrowIfInvalid();

        var agency = await RequireVisibleAgencyAsync(agencyCreditCode, ct);
        var name = request.Name!.Trim();
        var existing = db.Staff.Local.FirstOrDefault(s => s.AgencyId == agency.Id && s.EmployeeNo == request.EmployeeNo)
            ?? await db.Staff.FirstOrDefaultAsync(s => s.AgencyId == agency.Id && s.EmployeeNo == request.EmployeeNo, ct);
        if (existing is null)
        {
            if (mode == WriteMode.Update)
            {
                throw DomainException.NotFound($"Staff {request.EmployeeNo} of agency {agencyCreditCode}");
            }

            if (!agency.IsActive)
            {
                throw DomainException.Conflict("agency_inactive", $"Agency {agency.CreditCode} is deactivated.");
            }

            var now = time.UtcNow();
            var staff = new Staff { Id = time.NewId(), AgencyId = agency.Id, Agency = agency, EmployeeNo = request.EmployeeNo!, Name = name, CreatedAt = now, UpdatedAt = now };
            db.Staff.Add(staff);
            audit.Record("staff.created", "staff", $"{agency.CreditCode}/{staff.EmployeeNo}", new { agency.CreditCode, staff.EmployeeNo, staff.Name });
            return (staff, Change.Created);
        }

        if (mode == WriteMode.Create)
        {
            throw DomainException.Conflict("duplicate_staff", $"Employee number {request.EmployeeNo} already exists in agency {agencyCreditCode}.");
        }

        if (existing.Name == name)
        {
            return (existing, Change.Unchanged);
        }

        existing.Name = name;
        existing.UpdatedAt = time.UtcNow();
        audit.Record("staff.updated", "staff", $"{agency.CreditCode}/{existing.EmployeeNo}", new { agency.CreditCode, existing.EmployeeNo, existing.Name });
        return (existing, Change.Updated);
    }

    public async Task<Staff> SetStaffActiveAsync(string agencyCreditCode, string employeeNo, bool active, CancellationToken ct)
    {
        caller.Require(CatalogScope.StaffWriters);
        var agency = await RequireVisibleAgencyAsync(agencyCreditCode, ct);
        var staff = await db.Staff.FirstOrDefaultAsync(s => s.AgencyId == agency.Id && s.EmployeeNo == employeeNo, ct)
            ?? throw DomainException.NotFound($"Staff {employeeNo} of agency {agencyCreditCode}");
        if (staff.IsActive != active)
        {
            staff.IsActive = active;
            staff.UpdatedAt = time.UtcNow();
            audit.Record(active ? "staff.activated" : "staff.deactivated", "staff", $"{agency.CreditCode}/{employeeNo}", new { staff.IsActive });
        }

        staff.Agency = agency;
        return staff;
    }

    // ---------------------------------------------------------------- service items

    public async Task<(ServiceItem Item, Change Change)> SaveItemAsync(ItemRequest request, WriteMode mode, CancellationToken ct)
    {
        caller.Require(CatalogScope.ItemWriters);
        var v = new Validation();
        v.Check(request.ItemCode is not null && ItemCodePattern().IsMatch(request.ItemCode), "itemCode",
            "itemCode is 4 to 40 letters, digits or '-' (national codes have 31 or 33 characters).");
        v.Required(request.Name, "name", 200);
        v.Check(request.ItemType is not null && ItemTypes.Contains(request.ItemType), "itemType",
            $"itemType must be a national item-type code: {string.Join(", ", ItemTypes)}.");
        v.Check(request.LegalLimitDays is >= 0 and <= 3650, "legalLimitDays", "legalLimitDays is a whole number of working days from 0 to 3650.");
        v.Check(request.PromisedLimitDays is >= 0 and <= 3650, "promisedLimitDays", "promisedLimitDays is a whole number of working days from 0 to 3650.");
        v.Check(request.LegalLimitDays is not > 0 || request.PromisedLimitDays is null || request.PromisedLimitDays <= request.LegalLimitDays,
            "promisedLimitDays", "The promised time limit cannot exceed the legal one.");
        v.Check(request.IssuesCertificate is not null, "issuesCertificate", "issuesCertificate is required (true or false).");
        v.Required(request.AgencyCreditCode, "agencyCreditCode", 18);
        v.ThrowIfInvalid();

        var agency = await RequireVisibleAgencyAsync(request.AgencyCreditCode!, ct);
        var existing = db.Items.Local.FirstOrDefault(i => i.ItemCode == request.ItemCode)
            ?? await db.Items.FirstOrDefaultAsync(i => i.ItemCode == request.ItemCode, ct);
        if (existing is not null && existing.AgencyId != agency.Id)
        {
            var owner = await db.Agencies.Include(a => a.Region).FirstAsync(a => a.Id == existing.AgencyId, ct);
            if (!caller.SeesAgency(owner.Id, owner.Region.Path))
            {
                if (mode == WriteMode.Update)
                {
                    throw DomainException.NotFound($"Service item {request.ItemCode}");
                }

                throw DomainException.Conflict("duplicate_item", $"Service item {request.ItemCode} already exists.");
            }
        }

        var name = request.Name!.Trim();
        if (existing is null)
        {
            if (mode == WriteMode.Update)
            {
                throw DomainException.NotFound($"Service item {request.ItemCode}");
            }

            if (!agency.IsActive)
            {
                throw DomainException.Conflict("agency_inactive", $"Agency {agency.CreditCode} is deactivated.");
            }

            var now = time.UtcNow();
            var item = new ServiceItem
            {
                Id = time.NewId(),
                ItemCode = request.ItemCode!,
                Name = name,
                ItemType = request.ItemType!,
                LegalLimitDays = request.LegalLimitDays!.Value,
                PromisedLimitDays = request.PromisedLimitDays!.Value,
                IssuesCertificate = request.IssuesCertificate!.Value,
                AgencyId = agency.Id,
                Agency = agency,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Items.Add(item);
            audit.Record("item.created", "item", item.ItemCode, ItemsApi.ToResponse(item, agency.CreditCode));
            return (item, Change.Created);
        }

        if (mode == WriteMode.Create)
        {
            throw DomainException.Conflict("duplicate_item", $"Service item {request.ItemCode} already exists.");
        }

        if (existing.Name == name && existing.ItemType == request.ItemType && existing.LegalLimitDays == request.LegalLimitDays
            && existing.PromisedLimitDays == request.PromisedLimitDays && existing.IssuesCertificate == request.IssuesCertificate
            && existing.AgencyId == agency.Id)
        {
            existing.Agency = agency;
            return (existing, Change.Unchanged);
        }

        existing.Name = name;
        existing.ItemType = request.ItemType!;
        existing.LegalLimitDays = request.LegalLimitDays!.Value;
        existing.PromisedLimitDays = request.PromisedLimitDays!.Value;
        existing.IssuesCertificate = request.IssuesCertificate!.Value;
        existing.AgencyId = agency.Id;
        existing.Agency = agency;
        existing.UpdatedAt = time.UtcNow();
        audit.Record("item.updated", "item", existing.ItemCode, ItemsApi.ToResponse(existing, agency.CreditCode));
        return (existing, Change.Updated);
    }

    public async Task<ServiceItem> SetItemActiveAsync(string itemCode, bool active, CancellationToken ct)
    {
        caller.Require(CatalogScope.ItemWriters);
        var item = await db.Items.Include(i => i.Agency).ThenInclude(a => a.Region).FirstOrDefaultAsync(i => i.ItemCode == itemCode, ct);
        if (item is null || !caller.SeesAgency(item.AgencyId, item.Agency.Region.Path))
        {
            throw DomainException.NotFound($"Service item {itemCode}");
        }

        if (item.IsActive != active)
        {
            item.IsActive = active;
            item.UpdatedAt = time.UtcNow();
            audit.Record(active ? "item.activated" : "item.deactivated", "item", item.ItemCode, new { item.ItemCode, item.IsActive });
        }

        return item;
    }

    // ---------------------------------------------------------------- halls and windows

    public async Task<Hall> SaveHallAsync(string agencyCreditCode, Guid? hallId, HallRequest request, CancellationToken ct)
    {
        caller.Require(CatalogScope.StaffWriters);
        new Validation().Required(request.Name, "name", 200).Optional(request.Address, "address", 300).ThrowIfInvalid();
        var agency = await RequireVisibleAgencyAsync(agencyCreditCode, ct);
        var name = request.Name!.Trim();
        if (await db.Halls.AnyAsync(h => h.AgencyId == agency.Id && h.Name == name && h.Id != hallId, ct))
        {
            throw DomainException.Conflict("duplicate_hall", $"Agency {agencyCreditCode} already has a hall named {name}.");
        }

        var now = time.UtcNow();
        Hall hall;
        if (hallId is null)
        {
            hall = new Hall { Id = time.NewId(), AgencyId = agency.Id, Agency = agency, Name = name, Address = request.Address, CreatedAt = now, UpdatedAt = now };
            db.Halls.Add(hall);
        }
        else
        {
            hall = await db.Halls.FirstOrDefaultAsync(h => h.Id == hallId && h.AgencyId == agency.Id, ct)
                ?? throw DomainException.NotFound("Hall");
            hall.Name = name;
            hall.Address = request.Address;
            hall.UpdatedAt = now;
        }

        audit.Record(hallId is null ? "hall.created" : "hall.updated", "hall", hall.Id.ToString(), new { agency.CreditCode, hall.Name, hall.Address });
        return hall;
    }

    public async Task<(Hall Hall, Agency Agency)> RequireVisibleHallAsync(Guid hallId, CancellationToken ct)
    {
        var hall = await db.Halls.Include(h => h.Agency).ThenInclude(a => a.Region).FirstOrDefaultAsync(h => h.Id == hallId, ct);
        if (hall is null || !caller.SeesAgency(hall.AgencyId, hall.Agency.Region.Path))
        {
            throw DomainException.NotFound("Hall");
        }

        return (hall, hall.Agency);
    }

    public async Task<ServiceWindow> SaveWindowAsync(Guid hallId, Guid? windowId, WindowRequest request, CancellationToken ct)
    {
        caller.Require(CatalogScope.StaffWriters);
        new Validation()
            .Check(request.Number is not null && EmployeeNoPattern().IsMatch(request.Number), "number", "number is 1 to 32 letters, digits, '-' or '_'.")
            .Required(request.Name, "name", 100)
            .ThrowIfInvalid();
        var (hall, agency) = await RequireVisibleHallAsync(hallId, ct);
        if (await db.Windows.AnyAsync(w => w.HallId == hall.Id && w.Number == request.Number && w.Id != windowId, ct))
        {
            throw DomainException.Conflict("duplicate_window", $"Hall {hall.Name} already has window {request.Number}.");
        }

        var now = time.UtcNow();
        ServiceWindow window;
        if (windowId is null)
        {
            window = new ServiceWindow { Id = time.NewId(), HallId = hall.Id, AgencyId = agency.Id, Agency = agency, Number = request.Number!, Name = request.Name!.Trim(), CreatedAt = now, UpdatedAt = now };
            db.Windows.Add(window);
        }
        else
        {
            window = await db.Windows.FirstOrDefaultAsync(w => w.Id == windowId && w.HallId == hall.Id, ct)
                ?? throw DomainException.NotFound("Window");
            window.Number = request.Number!;
            window.Name = request.Name!.Trim();
            window.UpdatedAt = now;
        }

        audit.Record(windowId is null ? "window.created" : "window.updated", "window", window.Id.ToString(), new { hallId, window.Number, window.Name });
        return window;
    }

    public async Task<Hall> SetHallActiveAsync(Guid hallId, bool active, CancellationToken ct)
    {
        caller.Require(CatalogScope.StaffWriters);
        var (hall, agency) = await RequireVisibleHallAsync(hallId, ct);
        if (hall.IsActive != active)
        {
            hall.IsActive = active;
            hall.UpdatedAt = time.UtcNow();
            audit.Record(active ? "hall.activated" : "hall.deactivated", "hall", hall.Id.ToString(), new { agency.CreditCode, hall.IsActive });
        }

        return hall;
    }

    public async Task<ServiceWindow> SetWindowActiveAsync(Guid windowId, bool active, CancellationToken ct)
    {
        caller.Require(CatalogScope.StaffWriters);
        var hallId = await db.Windows.Where(w => w.Id == windowId).Select(w => (Guid?)w.HallId).FirstOrDefaultAsync(ct)
            ?? throw DomainException.NotFound("Window");
        var (_, agency) = await RequireVisibleHallAsync(hallId, ct);
        var window = await db.Windows.FirstAsync(w => w.Id == windowId, ct);
        window.Agency = agency;
        if (window.IsActive != active)
        {
            window.IsActive = active;
            window.UpdatedAt = time.UtcNow();
            audit.Record(active ? "window.activated" : "window.deactivated", "window", window.Id.ToString(), new { hallId, window.IsActive });
        }

        return window;
    }

    // ---------------------------------------------------------------- lookups that also see rows added in this unit of work

    private async Task<Region?> FindRegionAsync(string code, CancellationToken ct) =>
        db.Regions.Local.FirstOrDefault(r => r.Code == code) ?? await db.Regions.FirstOrDefaultAsync(r => r.Code == code, ct);

    private async Task<Agency?> FindAgencyAsync(string creditCode, CancellationToken ct) =>
        db.Agencies.Local.FirstOrDefault(a => a.CreditCode == creditCode) ?? await db.Agencies.FirstOrDefaultAsync(a => a.CreditCode == creditCode, ct);

    /// <summary>Region paths never change (regions cannot move), so they are remembered for the life of this service.</summary>
    private readonly Dictionary<Guid, string> _paths = [];

    private async Task<string?> RegionPathOfAsync(Guid regionId, CancellationToken ct)
    {
        if (_paths.TryGetValue(regionId, out var known))
        {
            return known;
        }

        var path = db.Regions.Local.FirstOrDefault(r => r.Id == regionId)?.Path
            ?? await db.Regions.Where(r => r.Id == regionId).Select(r => r.Path).FirstOrDefaultAsync(ct);
        if (path is not null)
        {
            _paths[regionId] = path;
        }

        return path;
    }
}
