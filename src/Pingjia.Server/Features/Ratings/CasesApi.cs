using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

public sealed record ApplicantInput(string? Type, string? Name, string? IdType, string? IdNumber, string? Mobile);

public sealed record CaseRequest(
    string? ItemCode, string? AgencyCreditCode, string? StaffEmployeeNo, ServiceChannel? ServiceChannel, CaseStatus? Status,
    bool? CertificateNeeded, string? BatchNo, string? ThemeCode, string? ThemeCaseNo, ApplicantInput? Applicant,
    DateTimeOffset? AcceptedAt, DateTimeOffset? DecidedAt, DateTimeOffset? CertificateSignedAt, DateTimeOffset? ReceiptAt, DateTimeOffset? EndedAt,
    DateTimeOffset? EventAt);

public sealed record ApplicantView(string Type, string? Name, string? IdType, string? IdNumber, string? Mobile, bool Masked);

/// <summary>Whether the case can be rated now: <c>open</c>, <c>not_open</c>, <c>closed</c> or <c>rated</c>, with the reason code.</summary>
public sealed record RatingEntryView(string State, string Reason, DateTime? OpensAt, DateTime? ClosesAt, RatingScope Scope);

public sealed record CaseResponse(
    string CaseNo, string ItemCode, string AgencyCreditCode, string? StaffEmployeeNo, ServiceChannel ServiceChannel, CaseStatus Status,
    bool CertificateNeeded, string? BatchNo, string? ThemeCode, string? ThemeCaseNo, ApplicantView Applicant, RatingEntryView Rating,
    bool HasActiveRating, DateTime? DefaultedAt, DateTime UpdatedAt);

/// <summary>Case intake from business systems: create or update by case number, idempotent, tolerant of events out of order.</summary>
public static partial class CasesApi
{
    private static readonly string[] ApplicantTypes = ["1", "2", "3", "4", "5", "6", "9"];
    private static readonly string[] IdTypes = ["111", "114", "118", "414", "511", "516", "001", "821", "999"];

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    internal static partial Regex CaseNoPattern();

    [GeneratedRegex(@"^\+?[0-9]{6,20}$")]
    private static partial Regex MobilePattern();

    [GeneratedRegex("^[0-9A-Za-z()-]{1,40}$")]
    private static partial Regex IdNumberPattern();

    public static void MapCases(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/cases").WithTags("Ratings: cases");
        group.MapPut("/{caseNo}", Upsert);
        group.MapGet("/{caseNo}", Get);
    }

    internal static readonly Role[] IntakeRoles = [Role.SystemAdmin, Role.BureauAdmin, Role.Integration];

    private static async Task<Ok<CaseResponse>> Upsert(
        string caseNo, CaseRequest request, PingjiaDbContext db, Caller caller, CatalogService catalog, AuditLog audit,
        PersonalData personal, RatingConfigCache configs, TimeProvider time, CancellationToken ct)
    {
        caller.Require(IntakeRoles);
        var now = time.UtcNow();
        Validate(caseNo, request, now);
        var agency = await catalog.RequireVisibleAgencyAsync(request.AgencyCreditCode!, ct);
        var item = await db.Items.AsNoTracking().FirstOrDefaultAsync(i => i.ItemCode == request.ItemCode, ct)
            ?? throw new DomainException(ErrorKind.NotFound, "item_not_found", $"Service item {request.ItemCode} was not found.",
                new Dictionary<string, string[]> { ["itemCode"] = ["No such service item."] });
        Guid? staffId = null;
        if (request.StaffEmployeeNo is { } employeeNo)
        {
            staffId = await db.Staff.Where(s => s.AgencyId == agency.Id && s.EmployeeNo == employeeNo).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(ct)
                ?? throw new DomainException(ErrorKind.NotFound, "staff_not_found", $"Staff {employeeNo} of agency {agency.CreditCode} was not found.",
                    new Dictionary<string, string[]> { ["staffEmployeeNo"] = ["No such staff in this agency."] });
        }

        var eventAt = Utc(request.EventAt) ?? now;
        var (configVersion, config) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        var existing = await db.Cases.FirstOrDefaultAsync(c => c.CaseNo == caseNo, ct);
        if (existing is not null && existing.AgencyId != agency.Id && !await AgencyVisibleAsync(db, caller, existing.AgencyId, ct))
        {
            throw DomainException.Conflict("duplicate_case", $"Case {caseNo} belongs to another agency.");
        }

        var c = existing ?? new Case
        {
            Id = time.NewId(),
            CaseNo = caseNo,
            ApplicantType = request.Applicant!.Type!,
            EntryReason = "not_finished",
            CreatedAt = now,
            LastEventAt = DateTime.MinValue.ToUniversalTime(),
        };
        var before = Snapshot(c);
        var (oldOpens, oldMobile) = (c.RatingOpensAt, c.MobileIndex);
        var (oldAgency, oldItem, oldStaff) = (c.AgencyId, c.ItemId, c.StaffId);

        // Timestamps only ever fill in; the newest event decides everything else (an old event arriving late cannot undo a newer one).
        c.AcceptedAt ??= Utc(request.AcceptedAt);
        c.DecidedAt ??= Utc(request.DecidedAt);
        c.CertificateSignedAt ??= Utc(request.CertificateSignedAt);
        c.ReceiptAt ??= Utc(request.ReceiptAt);
        c.EndedAt ??= Utc(request.EndedAt);
        if (eventAt >= c.LastEventAt)
        {
            c.LastEventAt = eventAt;
            c.ItemId = item.Id;
            c.AgencyId = agency.Id;
            c.StaffId = staffId;
            c.ServiceChannel = request.ServiceChannel!.Value;
            c.Status = request.Status!.Value;
            c.CertificateNeeded = request.CertificateNeeded ?? item.IssuesCertificate;
            c.BatchNo = request.BatchNo;
            c.ThemeCode = request.ThemeCode;
            c.ThemeCaseNo = request.ThemeCaseNo;
            var a = request.Applicant!;
            c.ApplicantType = a.Type!;
            c.IdType = a.IdType;
            // Encrypt only when the value changed: re-encrypting would give new ciphertext and a spurious update.
            if (personal.BlindIndex("name", a.Name) != personal.BlindIndex("name", personal.Decrypt(c.ApplicantNameEnc)))
            {
                c.ApplicantNameEnc = personal.Encrypt(a.Name);
            }

            var idIndex = personal.BlindIndex("id", a.IdNumber);
            if (idIndex != c.IdNumberIndex)
            {
                c.IdNumberEnc = personal.Encrypt(a.IdNumber);
                c.IdNumberIndex = idIndex;
            }

            var mobileIndex = personal.BlindIndex("mobile", a.Mobile);
            if (mobileIndex != c.MobileIndex)
            {
                c.MobileEnc = personal.Encrypt(a.Mobile);
                c.MobileIndex = mobileIndex;
            }
        }

        // The entry is fixed once the case is rated or defaulted; until then it follows the facts.
        if (!c.HasActiveRating && c.DefaultedAt is null)
        {
            var entry = RatingOpening.Decide(new CaseFacts(c.Status, c.ServiceChannel, c.CertificateNeeded, c.DecidedAt, c.CertificateSignedAt, c.ReceiptAt, c.EndedAt));
            c.EntryReason = entry.Reason;
            c.RatingScope = entry.Scope;
            if (entry.OpensAt != c.RatingOpensAt)
            {
                c.RatingOpensAt = entry.OpensAt;
                c.RatingClosesAt = entry.OpensAt is { } opens ? RatingWindow.ClosesAt(opens, config.WindowDays) : null;
                c.ConfigVersion = configVersion;
            }

            // A moved window, or a mobile that came late, is the jobs' work again (one reminder per case all the same).
            if (c.RatingOpensAt != oldOpens || c.MobileIndex != oldMobile)
            {
                c.JobStage = c.ReminderSentAt is null ? RatingJobStage.Remind : RatingJobStage.Close;
            }
        }

        if (existing is not null && Snapshot(c) == before)
        {
            return TypedResults.Ok(await ToResponseAsync(db, c, personal, reveal: false, now, ct));
        }

        c.UpdatedAt = now;
        if (existing is null)
        {
            db.Cases.Add(c);
        }

        // The transaction ends before the answer is read: that read must not run inside a transaction committed by the batch.
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            // The case-level counts live on the day rating opened, under the case's unit: when either moves, they move with it.
            var rated = c.HasActiveRating ? 1 : 0;
            var counters = new CounterBatch();
            if (oldOpens is not null && (oldOpens != c.RatingOpensAt || oldAgency != c.AgencyId || oldItem != c.ItemId || oldStaff != c.StaffId))
            {
                counters.Add(new CounterKey(RatingWindow.DayOf(oldOpens.Value), oldAgency, oldItem, oldStaff ?? Guid.Empty, ""), new CounterDelta(Finished: -1, FinishedRated: -rated));
                oldOpens = null;
            }

            if (oldOpens is null && c.RatingOpensAt is { } opensAt)
            {
                counters.Add(new CounterKey(RatingWindow.DayOf(opensAt), c.AgencyId, c.ItemId, c.StaffId ?? Guid.Empty, ""), new CounterDelta(Finished: 1, FinishedRated: rated));
            }

            // The case row first: its lock is this case's own. The rows every intake shares, the audit chain's head and the
            // day's counter rows, are taken last and held only until the commit that goes with the writes: the head is taken
            // (one round trip), then the counters, the entries and the commit go in one more. Holding them from the start,
            // across the case's own writes, made intakes queue on them (and taking the counters before the head, as no
            // other writer does, could deadlock against the rating writer on a shared counter row).
            await db.SaveChangesAsync(ct);
            audit.Record(existing is null ? "case.created" : "case.updated", "case", caseNo,
                new { c.Status, c.ServiceChannel, itemCode = item.ItemCode, agencyCreditCode = agency.CreditCode, c.RatingOpensAt, c.RatingClosesAt, c.EntryReason, eventAt });
            await using var statements = new StatementBatch(db) { CommitWithFlush = true };
            await counters.AddToAsync(statements, ct);
            await audit.SaveAsync(statements, ct);
            if (!statements.Committed)
            {
                await tx.CommitAsync(ct);
            }
        }

        return TypedResults.Ok(await ToResponseAsync(db, c, personal, reveal: false, now, ct));
    }

    /// <summary>One query: the agency's region path, checked against the caller's scope.</summary>
    private static async Task<bool> AgencyVisibleAsync(PingjiaDbContext db, Caller caller, Guid agencyId, CancellationToken ct)
    {
        var path = await db.Agencies.Where(a => a.Id == agencyId).Select(a => a.Region.Path).FirstOrDefaultAsync(ct);
        return path is not null && caller.SeesAgency(agencyId, path);
    }

    /// <summary>Everything that an update may change, to tell a repeat of the same event from a real change.</summary>
    private static string Snapshot(Case c) => string.Join('|',
        c.ItemId, c.AgencyId, c.StaffId, c.ServiceChannel, c.Status, c.CertificateNeeded, c.BatchNo, c.ThemeCode, c.ThemeCaseNo,
        c.ApplicantType, c.ApplicantNameEnc, c.IdType, c.IdNumberIndex, c.MobileIndex, c.AcceptedAt?.Ticks, c.DecidedAt?.Ticks,
        c.CertificateSignedAt?.Ticks, c.ReceiptAt?.Ticks, c.EndedAt?.Ticks, c.RatingOpensAt?.Ticks, c.RatingClosesAt?.Ticks, c.EntryReason);

    private static DateTime? Utc(DateTimeOffset? value)
    {
        if (value is null)
        {
            return null;
        }

        var ticks = value.Value.UtcTicks;
        return new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
    }

    private static void Validate(string caseNo, CaseRequest r, DateTime now)
    {
        var v = new Validation()
            .Check(CaseNoPattern().IsMatch(caseNo), "caseNo", "caseNo is 1 to 64 letters, digits, '-' or '_'.")
            .Required(r.ItemCode, "itemCode", 40)
            .Required(r.AgencyCreditCode, "agencyCreditCode", 18)
            .Optional(r.StaffEmployeeNo, "staffEmployeeNo", 32)
            .Check(r.ServiceChannel is not null, "serviceChannel", "serviceChannel is online, window, self_service or hotline.")
            .Check(r.Status is not null, "status", "status is required.")
            .Optional(r.BatchNo, "batchNo", 64)
            .Optional(r.ThemeCode, "themeCode", 64)
            .Optional(r.ThemeCaseNo, "themeCaseNo", 64)
            .Check(r.ThemeCaseNo is null || r.ThemeCaseNo != caseNo, "themeCaseNo", "A case cannot be its own theme.");
        var a = r.Applicant;
        if (a is null)
        {
            v.Add("applicant", "applicant is required.");
        }
        else
        {
            v.Check(a.Type is not null && ApplicantTypes.Contains(a.Type), "applicant.type", "applicant.type is a national userProp code: 1 自然人, 2 企业法人, 3 事业法人, 4 社会组织法人, 5 非法人企业, 6 行政机关, 9 其他组织.")
             .Optional(a.Name, "applicant.name", 100)
             .Check(a.IdType is null || IdTypes.Contains(a.IdType), "applicant.idType", "applicant.idType is a national ID-type code (111 居民身份证, 414 护照, 821 营业执照 …).")
             .Check(a.IdNumber is null || IdNumberPattern().IsMatch(a.IdNumber), "applicant.idNumber", "applicant.idNumber has 1 to 40 letters or digits.")
             .Check(a.Mobile is null || MobilePattern().IsMatch(a.Mobile), "applicant.mobile", "applicant.mobile has 6 to 20 digits.");
        }

        foreach (var (name, value) in new[] { ("acceptedAt", r.AcceptedAt), ("decidedAt", r.DecidedAt), ("certificateSignedAt", r.CertificateSignedAt), ("receiptAt", r.ReceiptAt), ("endedAt", r.EndedAt), ("eventAt", r.EventAt) })
        {
            // A day of slack for clock skew between systems; anything later is a mistake.
            v.Check(value is null || value.Value.UtcDateTime <= now.AddDays(1), name, $"{name} lies in the future.");
            v.Check(value is null || value.Value.Year >= 2000, name, $"{name} is before 2000.");
        }

        v.ThrowIfInvalid();
    }

    private static async Task<Ok<CaseResponse>> Get(
        string caseNo, bool? reveal, PingjiaDbContext db, Caller caller, CaseLookup cases, AuditLog audit, PersonalData personal, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var c = await cases.FindVisibleAsync(db, caller, caseNo, ct);
        var canReveal = reveal == true && PersonalDataAccess.MayReveal(caller);
        if (reveal == true && !canReveal)
        {
            throw new DomainException(ErrorKind.Forbidden, "personal_data_forbidden", "Your role may not see personal data in clear.");
        }

        if (canReveal)
        {
            audit.Record("personal_data.revealed", "case", caseNo, new { fields = new[] { "applicant" } });
            await audit.SaveAsync(ct);
        }

        return TypedResults.Ok(await ToResponseAsync(db, c, personal, canReveal, time.UtcNow(), ct));
    }

    internal static RatingEntryView EntryOf(Case c, DateTime now) =>
        c.HasActiveRating || c.DefaultedAt is not null
            ? new("rated", c.DefaultedAt is not null && !c.HasActiveRating ? "defaulted" : "rated", c.RatingOpensAt, c.RatingClosesAt, c.RatingScope)
            : c.RatingOpensAt is null ? new("not_open", c.EntryReason, null, null, c.RatingScope)
            : now < c.RatingOpensAt ? new("not_open", "not_yet", c.RatingOpensAt, c.RatingClosesAt, c.RatingScope)
            : now >= c.RatingClosesAt ? new("closed", "window_closed", c.RatingOpensAt, c.RatingClosesAt, c.RatingScope)
            : new("open", c.EntryReason, c.RatingOpensAt, c.RatingClosesAt, c.RatingScope);

    internal static async Task<CaseResponse> ToResponseAsync(PingjiaDbContext db, Case c, PersonalData personal, bool reveal, DateTime now, CancellationToken ct)
    {
        var names = await db.Items.Where(i => i.Id == c.ItemId).Select(i => new
        {
            i.ItemCode,
            Agency = db.Agencies.Where(a => a.Id == c.AgencyId).Select(a => a.CreditCode).First(),
            Staff = db.Staff.Where(s => s.Id == c.StaffId).Select(s => s.EmployeeNo).FirstOrDefault(),
        }).FirstAsync(ct);
        var name = personal.Decrypt(c.ApplicantNameEnc);
        var id = personal.Decrypt(c.IdNumberEnc);
        var mobile = personal.Decrypt(c.MobileEnc);
        var applicant = reveal
            ? new ApplicantView(c.ApplicantType, name, c.IdType, id, mobile, Masked: false)
            : new ApplicantView(c.ApplicantType, Masking.Name(name), c.IdType, Masking.IdNumber(id), Masking.Mobile(mobile), Masked: true);
        return new CaseResponse(c.CaseNo, names.ItemCode, names.Agency, names.Staff, c.ServiceChannel, c.Status, c.CertificateNeeded, c.BatchNo,
            c.ThemeCode, c.ThemeCaseNo, applicant, EntryOf(c, now), c.HasActiveRating, c.DefaultedAt, c.UpdatedAt);
    }
}

/// <summary>Who may see personal data in clear: those who must contact the person (handling a bad rating), in their scope.</summary>
public static class PersonalDataAccess
{
    public static bool MayReveal(Caller caller) => caller.Role is Role.SystemAdmin or Role.BureauAdmin or Role.AgencyManager;
}
