using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Surveys;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Surveys;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Surveys;

/// <summary>
/// Surveys: design (questionnaire versions, units, strata, sampling plan, schedule) and collection on every channel
/// (anonymous public link, single-use personal links, phone interviews, paper batches, on-site sessions with a live tally).
/// Plain methods that the API and server-side pages both call; each write is audited in its own transaction.
/// </summary>
public sealed class SurveyService(PingjiaDbContext db, AuditLog audit, PersonalData personal, Ratings.ISmsGateway sms, PingjiaOptions options, TimeProvider time)
{
    /// <summary>Roles that design surveys, issue links, open sessions and review flags.</summary>
    public static readonly Role[] Managers = [Role.SystemAdmin, Role.BureauAdmin];

    /// <summary>Roles that enter phone interviews and paper forms.</summary>
    public static readonly Role[] Collectors = [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator];

    /// <summary>Roles that read results (agency managers: surveys about their own agency).</summary>
    public static readonly Role[] Readers = [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor, Role.AgencyManager];

    public const int MaxLinksPerRequest = 1000;
    public const int MaxFormsPerBatch = 500;

    // ---------- reading ----------

    /// <summary>Surveys the caller may see: by the owner region in its subtree, or (agency scope) surveys about its agency.</summary>
    public IQueryable<Survey> Visible(Caller caller) => caller switch
    {
        { IsEverywhere: true } => db.Surveys,
        { RegionPath: { } path } => db.Surveys.Where(s => s.OwnerRegionPath.StartsWith(path)),
        { AgencyId: { } id } => db.Surveys.Where(s => db.SurveyUnits.Any(u => u.SurveyId == s.Id && u.RefId == id)),
        _ => db.Surveys.Where(_ => false),
    };

    public async Task<Survey> FindAsync(Caller caller, string code, CancellationToken ct, params Role[] roles)
    {
        caller.Require(roles.Length == 0 ? Readers : roles);
        return await Visible(caller).FirstOrDefaultAsync(s => s.Code == code, ct) ?? throw DomainException.NotFound($"Survey {code}");
    }

    public async Task<Page<SurveySummary>> ListAsync(Caller caller, int? page, int? pageSize, CancellationToken ct)
    {
        caller.Require(Readers);
        var now = time.UtcNow();
        var result = await Visible(caller).OrderByDescending(s => s.CreatedAt).ToPageAsync(page, pageSize, q => q, ct);
        var ids = result.Items.Select(s => s.Id).ToList();
        var counts = await db.SurveyResponses.Where(r => ids.Contains(r.SurveyId)).GroupBy(r => r.SurveyId)
            .Select(g => new { g.Key, Count = g.LongCount() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        var regions = await RegionCodesAsync(result.Items.Select(s => s.OwnerRegionId), ct);
        return new Page<SurveySummary>(
            [.. result.Items.Select(s => new SurveySummary(s.Code, s.Title, regions[s.OwnerRegionId], StateOf(s, now), s.OpensAt, s.ClosesAt, s.Anonymous, s.CurrentVersion, counts.GetValueOrDefault(s.Id)))],
            result.Total, result.PageNumber, result.PageSize);
    }

    public async Task<SurveyView> GetAsync(Caller caller, string code, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct);
        var view = await ViewAsync(survey, ct);
        return await OwnUnitsAsync(caller, survey, ct) is { } own ? view with { Quotas = [.. view.Quotas.Where(q => own.Contains(q.Unit))] } : view;
    }

    /// <summary>
    /// The units an agency-scoped caller may see the details of (its own agency's), or null for callers who see every unit.
    /// Agency managers read their own unit's figures, quotas and sessions, not their peers'.
    /// </summary>
    public async Task<IReadOnlyList<string>?> OwnUnitsAsync(Caller caller, Survey survey, CancellationToken ct) =>
        caller.AgencyId is { } agency && caller.RegionPath is null && !caller.IsEverywhere
            ? await db.SurveyUnits.AsNoTracking().Where(u => u.SurveyId == survey.Id && u.RefId == agency).Select(u => u.Code).ToListAsync(ct)
            : null;

    public async Task<(Questionnaire Questionnaire, int Version)> QuestionnaireAsync(Survey s, CancellationToken ct)
    {
        var doc = await db.SurveyVersions.AsNoTracking().Where(v => v.SurveyId == s.Id && v.Version == s.CurrentVersion).Select(v => v.Document).SingleAsync(ct);
        return (SurveyCodec.ReadQuestionnaire(doc), s.CurrentVersion);
    }

    public static string StateOf(Survey s, DateTime now) => now < s.OpensAt ? "scheduled" : now < s.ClosesAt ? "open" : "closed";

    private async Task<SurveyView> ViewAsync(Survey s, CancellationToken ct)
    {
        var (q, version) = await QuestionnaireAsync(s, ct);
        var units = await db.SurveyUnits.AsNoTracking().Where(u => u.SurveyId == s.Id).OrderBy(u => u.Code).ToListAsync(ct);
        var quotas = await db.SurveyQuotas.AsNoTracking().Where(x => x.SurveyId == s.Id).OrderBy(x => x.UnitCode).ThenBy(x => x.StratumCode).ToListAsync(ct);
        var byChannel = await db.SurveyResponses.Where(r => r.SurveyId == s.Id).GroupBy(r => new { r.Channel, r.Status })
            .Select(g => new { g.Key.Channel, g.Key.Status, Count = g.LongCount() }).ToListAsync(ct);
        var region = await db.Regions.Where(r => r.Id == s.OwnerRegionId).Select(r => r.Code).SingleAsync(ct);
        return new SurveyView(s.Code, s.Title, s.Description, region, s.UnitKind, [.. units.Select(u => new SurveyUnitView(u.Code, u.Name, u.PeerGroup))],
            SurveyCodec.ReadStrata(s.Strata), s.QuotaMode, [.. quotas.Select(x => new QuotaView(x.UnitCode, x.StratumCode, x.Target, x.Count, x.Target is { } t && x.Count >= t))],
            s.Anonymous, s.PublicToken, s.PublicToken is null ? null : $"{options.PublicBaseUrl.TrimEnd('/')}/s/public/{s.PublicToken}", s.OpensAt, s.ClosesAt, StateOf(s, time.UtcNow()), s.MinN, version, q.Sections,
            byChannel.Sum(c => c.Count), byChannel.Where(c => c.Status == SurveyResponseStatus.Partial).Sum(c => c.Count),
            byChannel.GroupBy(c => JsonNamingPolicy.SnakeCaseLower.ConvertName(c.Channel.ToString())).ToDictionary(g => g.Key, g => g.Sum(c => c.Count)),
            s.CreatedAt, s.UpdatedAt);
    }

    private async Task<Dictionary<Guid, string>> RegionCodesAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var list = ids.Distinct().ToList();
        return await db.Regions.Where(r => list.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Code, ct);
    }

    // ---------- design ----------

    public async Task<SurveyView> CreateAsync(Caller caller, SurveyRequest r, CancellationToken ct)
    {
        caller.Require(Managers);
        var v = new Validation()
            .Check(r.Code is { Length: >= 1 and <= 32 } && r.Code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') && r.Code is not ("public" or "by-link" or "sessions"),
                "code", "code has 1 to 32 letters, digits, '-' or '_' (and is not public, by-link or sessions).")
            .Required(r.Title, "title", 200)
            .Optional(r.Description, "description", 2000)
            .Required(r.RegionCode, "regionCode", 12)
            .Check(r.UnitKind is "agency" or "region", "unitKind", "unitKind is agency or region.")
            .Check(r.Units is { Count: >= 1 and <= 500 }, "units", "A survey has 1 to 500 target units.")
            .Check(r.Strata is { Count: >= 1 and <= 50 }, "strata", "A survey has 1 to 50 strata (one, e.g. all, when it does not stratify).")
            .Check(r.OpensAt is not null, "opensAt", "opensAt is required.")
            .Check(r.ClosesAt is not null && (r.OpensAt is null || r.ClosesAt > r.OpensAt), "closesAt", "closesAt is required and after opensAt.")
            .Check(r.MinN is null or (>= 1 and <= 100000), "minN", "minN is between 1 and 100000.");
        var strata = CheckStrata(v, r.Strata);
        var unitCodes = r.Units?.Select(u => u?.Code).ToList() ?? [];
        v.Check(unitCodes.All(c => c is { Length: >= 1 and <= 32 }) && unitCodes.Distinct().Count() == unitCodes.Count, "units", "Unit codes are required and distinct.");
        v.Check(r.Units is null || r.Units.All(u => u?.PeerGroup is null or { Length: <= 64 }), "units", "A peer group has at most 64 characters.");
        v.ThrowIfInvalid();
        var questionnaire = SurveyCodec.ToQuestionnaire(r.Sections);
        var ownerPath = await db.VisibleRegionPathAsync(caller, r.RegionCode!, ct);
        if (!caller.IsEverywhere && caller.RegionPath is not null && !ownerPath.StartsWith(caller.RegionPath, StringComparison.Ordinal))
        {
            throw CatalogScope.RegionNotFound(r.RegionCode!);
        }

        var ownerId = await db.Regions.Where(x => x.Code == r.RegionCode).Select(x => x.Id).SingleAsync(ct);
        var units = await ResolveUnitsAsync(caller, r.UnitKind!, r.Units!, ownerPath, ct);
        var plan = CheckQuotas(r.Quotas, units.Select(u => u.Code), strata.Select(s => s.Code));
        if (await db.Surveys.AnyAsync(s => s.Code == r.Code, ct))
        {
            throw DomainException.Conflict("survey_exists", $"A survey with code {r.Code} exists.");
        }

        var now = time.UtcNow();
        var survey = new Survey
        {
            Id = time.NewId(),
            Code = r.Code!,
            Title = r.Title!.Trim(),
            Description = r.Description?.Trim(),
            OwnerRegionId = ownerId,
            OwnerRegionPath = ownerPath,
            UnitKind = r.UnitKind!,
            Strata = SurveyCodec.WriteStrata(strata),
            QuotaMode = r.QuotaMode ?? QuotaMode.Stop,
            Anonymous = r.Anonymous ?? false,
            PublicToken = r.Anonymous == true ? NewToken() : null,
            OpensAt = r.OpensAt!.Value.ToUniversalTime(),
            ClosesAt = r.ClosesAt!.Value.ToUniversalTime(),
            MinN = r.MinN ?? 30,
            CurrentVersion = 1,
            CreatedBy = caller.Actor,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Surveys.Add(survey);
        db.SurveyVersions.Add(new SurveyVersion { SurveyId = survey.Id, Version = 1, Document = SurveyCodec.WriteSections(questionnaire.Sections), CreatedBy = caller.Actor, CreatedAt = now });
        foreach (var u in units)
        {
            u.SurveyId = survey.Id;
            db.SurveyUnits.Add(u);
            foreach (var s in strata)
            {
                db.SurveyQuotas.Add(new SurveyQuota { SurveyId = survey.Id, UnitCode = u.Code, StratumCode = s.Code, Target = plan.GetValueOrDefault((u.Code, s.Code)) });
            }
        }

        audit.Record("survey.created", "survey", survey.Code, new { survey.Title, units = units.Count, strata = strata.Count, survey.QuotaMode, survey.Anonymous, questions = questionnaire.Questions.Count });
        await audit.SaveAsync(ct);
        return await ViewAsync(survey, ct);
    }

    private static List<StratumDefinition> CheckStrata(Validation v, List<StratumRequest>? strata)
    {
        var list = new List<StratumDefinition>();
        for (var i = 0; i < (strata?.Count ?? 0); i++)
        {
            var s = strata![i];
            var ok = s?.Code is { Length: >= 1 and <= 32 } && s.Code.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
            v.Check(ok, $"strata[{i}].code", "A stratum code has 1 to 32 letters, digits, '-' or '_'.");
            v.Check(s?.Name is { Length: >= 1 and <= 100 }, $"strata[{i}].name", "A stratum needs a name of at most 100 characters.");
            v.Check(s?.Kind is null or "region" or "age_group" or "respondent_type" or "other", $"strata[{i}].kind", "kind is region, age_group, respondent_type or other.");
            v.Check(s?.PopulationShare is null or > 0 and < 1e12, $"strata[{i}].populationShare", "populationShare is a positive number (a size or a share).");
            if (s is not null)
            {
                list.Add(new StratumDefinition(s.Code!, s.Name!, s.Kind ?? "respondent_type", s.PopulationShare));
            }
        }

        v.Check(list.Select(s => s.Code).Distinct().Count() == list.Count, "strata", "Stratum codes must differ.");
        v.Check(list.All(s => s.PopulationShare is null) || list.All(s => s.PopulationShare is not null), "strata", "Give a population share for every stratum or for none.");
        return list;
    }

    private static Dictionary<(string, string), int?> CheckQuotas(List<QuotaRequest>? quotas, IEnumerable<string> units, IEnumerable<string> strata)
    {
        var v = new Validation();
        var unitSet = units.ToHashSet(StringComparer.Ordinal);
        var strataSet = strata.ToHashSet(StringComparer.Ordinal);
        var plan = new Dictionary<(string, string), int?>();
        for (var i = 0; i < (quotas?.Count ?? 0); i++)
        {
            var q = quotas![i];
            var ok = q?.Unit is not null && unitSet.Contains(q.Unit) && q.Stratum is not null && strataSet.Contains(q.Stratum);
            v.Check(ok, $"quotas[{i}]", "A quota names a unit and a stratum of the survey.");
            v.Check(q?.Target is >= 1 and <= 10_000_000, $"quotas[{i}].target", "target is between 1 and 10,000,000.");
            if (ok && q!.Target is not null && !plan.TryAdd((q.Unit!, q.Stratum!), q.Target))
            {
                v.Add($"quotas[{i}]", "This unit and stratum already has a quota.");
            }
        }

        v.ThrowIfInvalid();
        return plan;
    }

    private async Task<List<SurveyUnit>> ResolveUnitsAsync(Caller caller, string kind, List<SurveyUnitRequest> requested, string ownerPath, CancellationToken ct)
    {
        var codes = requested.Select(u => u.Code!).ToList();
        List<SurveyUnit> found;
        if (kind == "agency")
        {
            found = await db.VisibleAgencies(caller).Where(a => codes.Contains(a.CreditCode) && a.Region.Path.StartsWith(ownerPath))
                .Select(a => new SurveyUnit { Code = a.CreditCode, Name = a.Name, RefId = a.Id }).ToListAsync(ct);
        }
        else
        {
            found = await db.VisibleRegions(caller).Where(x => codes.Contains(x.Code) && x.Path.StartsWith(ownerPath))
                .Select(x => new SurveyUnit { Code = x.Code, Name = x.Name, RefId = x.Id }).ToListAsync(ct);
        }

        var missing = codes.Except(found.Select(f => f.Code)).ToList();
        if (missing.Count > 0)
        {
            throw new DomainException(ErrorKind.NotFound, "unit_not_found", $"Units not found in the survey's region (or outside your scope): {string.Join(", ", missing.Take(10))}.");
        }

        foreach (var u in found)
        {
            u.PeerGroup = requested.First(x => x.Code == u.Code).PeerGroup;
        }

        return found;
    }

    /// <summary>A new questionnaire version; earlier responses keep the version they answered.</summary>
    public async Task<SurveyView> ReplaceQuestionnaireAsync(Caller caller, string code, QuestionnaireRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Managers);
        var questionnaire = SurveyCodec.ToQuestionnaire(r.Sections);
        var now = time.UtcNow();
        var next = survey.CurrentVersion + 1;
        // The conditional update makes two concurrent edits one winner and one 409.
        var claimed = await db.Surveys.Where(s => s.Id == survey.Id && s.CurrentVersion == survey.CurrentVersion)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.CurrentVersion, next).SetProperty(s => s.UpdatedAt, now), ct);
        if (claimed == 0)
        {
            throw DomainException.Conflict("concurrent_update", "The questionnaire was changed by someone else; read it again.");
        }

        db.SurveyVersions.Add(new SurveyVersion { SurveyId = survey.Id, Version = next, Document = SurveyCodec.WriteSections(questionnaire.Sections), CreatedBy = caller.Actor, CreatedAt = now });
        audit.Record("survey.questionnaire", "survey", survey.Code, new { version = next, questions = questionnaire.Questions.Count });
        await audit.SaveAsync(ct);
        await db.Entry(survey).ReloadAsync(ct);
        return await ViewAsync(survey, ct);
    }

    /// <summary>Replaces the sampling plan: the quota mode and every cell's target (cells not named have none).</summary>
    public async Task<SurveyView> SetPlanAsync(Caller caller, string code, PlanRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Managers);
        var units = await db.SurveyUnits.Where(u => u.SurveyId == survey.Id).Select(u => u.Code).ToListAsync(ct);
        var plan = CheckQuotas(r.Quotas, units, SurveyCodec.ReadStrata(survey.Strata).Select(s => s.Code));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var cell in await db.SurveyQuotas.Where(q => q.SurveyId == survey.Id).ToListAsync(ct))
        {
            cell.Target = plan.GetValueOrDefault((cell.UnitCode, cell.StratumCode));
        }

        survey.QuotaMode = r.QuotaMode ?? survey.QuotaMode;
        survey.UpdatedAt = time.UtcNow();
        audit.Record("survey.plan", "survey", survey.Code, new { survey.QuotaMode, quotas = plan.Count });
        await audit.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return await ViewAsync(survey, ct);
    }

    public async Task<SurveyView> SetScheduleAsync(Caller caller, string code, ScheduleRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Managers);
        var opens = r.OpensAt?.ToUniversalTime() ?? survey.OpensAt;
        var closes = r.ClosesAt?.ToUniversalTime() ?? survey.ClosesAt;
        new Validation().Check(closes > opens, "closesAt", "closesAt must be after opensAt.").ThrowIfInvalid();
        survey.OpensAt = opens;
        survey.ClosesAt = closes;
        survey.UpdatedAt = time.UtcNow();
        audit.Record("survey.schedule", "survey", survey.Code, new { opens, closes });
        await audit.SaveAsync(ct);
        return await ViewAsync(survey, ct);
    }

    // ---------- links and sessions ----------

    /// <summary>Issues single-use personal links for a unit and stratum; tokens are shown once and stored as SM3 hashes.</summary>
    public async Task<IssuedLinks> IssueLinksAsync(Caller caller, string code, LinksRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Managers);
        var now = time.UtcNow();
        var mobiles = r.Mobiles ?? [];
        new Validation()
            .Check(r.Count is null or (>= 1 and <= MaxLinksPerRequest), "count", $"count is between 1 and {MaxLinksPerRequest}.")
            .Check(mobiles.Count <= MaxLinksPerRequest && mobiles.All(m => m is { Length: 11 } && m.All(char.IsAsciiDigit) && m[0] == '1'), "mobiles", "Mobiles are 11-digit mainland numbers.")
            .Check(!(survey.Anonymous && mobiles.Count > 0), "mobiles", "An anonymous (无记名) survey keeps no personal data: issue links without mobiles.")
            .Check(r.ExpiresAt is null || r.ExpiresAt > now, "expiresAt", "expiresAt must be in the future.")
            .Check(r.Send != true || mobiles.Count > 0, "send", "send needs mobiles to send the invitations to.")
            .ThrowIfInvalid();
        await EnsureCellAsync(survey, r.Unit, r.Stratum, ct);
        var expires = r.ExpiresAt?.ToUniversalTime() ?? survey.ClosesAt;
        var count = mobiles.Count > 0 ? mobiles.Count : r.Count ?? 1;
        var issued = new List<IssuedLink>();
        for (var i = 0; i < count; i++)
        {
            var token = NewToken();
            var mobile = mobiles.Count > 0 ? mobiles[i] : null;
            db.SurveyLinks.Add(new SurveyLink
            {
                Id = time.NewId(),
                SurveyId = survey.Id,
                TokenHash = Sm3.HashHex(token),
                UnitCode = r.Unit!,
                StratumCode = r.Stratum!,
                MobileEnc = personal.Encrypt(mobile),
                RespondentIndex = personal.BlindIndex("mobile", mobile),
                ExpiresAt = expires,
                CreatedAt = now,
            });
            var url = $"{options.PublicBaseUrl.TrimEnd('/')}/s/{token}";
            issued.Add(new IssuedLink(token, url, expires, mobile is null ? null : Domain.Ratings.Masking.Mobile(mobile)));
            if (mobile is not null && r.Send == true)
            {
                // Queued in this unit of work: the invitations and the links are saved together or not at all.
                sms.Send(db, null, "survey_invitation", mobile, $"【评价】诚邀您参加“{survey.Title}”，链接仅可使用一次：{url}");
            }
        }

        audit.Record("survey.links_issued", "survey", survey.Code, new { unit = r.Unit, stratum = r.Stratum, count, withMobile = mobiles.Count > 0, sent = r.Send == true && mobiles.Count > 0 });
        await audit.SaveAsync(ct);
        return new IssuedLinks(survey.Code, r.Unit!, r.Stratum!, issued);
    }

    public async Task<SessionView> OpenSessionAsync(Caller caller, string code, SessionRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Managers);
        new Validation().Required(r.Title, "title", 200).ThrowIfInvalid();
        await EnsureCellAsync(survey, r.Unit, r.Stratum, ct);
        var token = NewToken();
        var session = new SurveySession
        {
            Id = time.NewId(),
            SurveyId = survey.Id,
            Title = r.Title!.Trim(),
            UnitCode = r.Unit!,
            StratumCode = r.Stratum!,
            TokenHash = Sm3.HashHex(token),
            OpenedBy = caller.Actor,
            OpenedAt = time.UtcNow(),
        };
        db.SurveySessions.Add(session);
        audit.Record("survey.session_opened", "survey_session", session.Id.ToString(), new { survey = survey.Code, session.Title, unit = r.Unit, stratum = r.Stratum });
        await audit.SaveAsync(ct);
        return ToView(session, survey.Code, token);
    }

    public async Task<SessionView> CloseSessionAsync(Caller caller, string code, Guid id, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Managers);
        var session = await db.SurveySessions.FirstOrDefaultAsync(x => x.Id == id && x.SurveyId == survey.Id, ct) ?? throw DomainException.NotFound("Session");
        var now = time.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var closed = await db.SurveySessions.Where(x => x.Id == id && x.ClosedAt == null).ExecuteUpdateAsync(u => u.SetProperty(x => x.ClosedAt, now), ct);
        if (closed == 0)
        {
            throw DomainException.Conflict("session_closed", "This session is already closed.");
        }

        audit.Record("survey.session_closed", "survey_session", id.ToString(), new { survey = survey.Code, votes = session.Votes });
        await audit.SaveAsync(ct);
        await tx.CommitAsync(ct);
        await db.Entry(session).ReloadAsync(ct);
        return ToView(session, survey.Code, null);
    }

    public async Task<IReadOnlyList<SessionView>> ListSessionsAsync(Caller caller, string code, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct);
        var own = await OwnUnitsAsync(caller, survey, ct);
        var list = await db.SurveySessions.AsNoTracking().Where(x => x.SurveyId == survey.Id && (own == null || own.Contains(x.UnitCode))).OrderBy(x => x.OpenedAt).ToListAsync(ct);
        return [.. list.Select(x => ToView(x, survey.Code, null))];
    }

    private SessionView ToView(SurveySession s, string survey, string? token) =>
        new(s.Id, survey, s.Title, s.UnitCode, s.StratumCode, token, token is null ? null : $"{options.PublicBaseUrl.TrimEnd('/')}/s/session/{token}", s.Votes, s.OpenedAt, s.ClosedAt);

    /// <summary>The live tally of a session, read from its counters (votes per question and value), with figures for scale questions.</summary>
    public async Task<SessionTally> TallyAsync(Caller caller, string code, Guid id, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct);
        var own = await OwnUnitsAsync(caller, survey, ct);
        var session = await db.SurveySessions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.SurveyId == survey.Id && (own == null || own.Contains(x.UnitCode)), ct)
            ?? throw DomainException.NotFound("Session");
        var rows = await db.SurveySessionTallies.AsNoTracking().Where(t => t.SessionId == id).ToListAsync(ct);
        var (q, _) = await QuestionnaireAsync(survey, ct);
        return Tally(survey, session, session.Votes, q, rows.Select(r => (r.QuestionCode, r.Value, (long)r.Count)));
    }

    /// <summary>The same tally counted again from the session's stored responses (to check the live one).</summary>
    public async Task<SessionTally> RecountAsync(Caller caller, string code, Guid id, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct);
        var own = await OwnUnitsAsync(caller, survey, ct);
        var session = await db.SurveySessions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id && x.SurveyId == survey.Id && (own == null || own.Contains(x.UnitCode)), ct)
            ?? throw DomainException.NotFound("Session");
        var (q, _) = await QuestionnaireAsync(survey, ct);
        var counts = new Dictionary<(string, string), long>();
        await foreach (var json in db.SurveyResponses.AsNoTracking().Where(r => r.SessionId == id).Select(r => r.Answers).AsAsyncEnumerable().WithCancellation(ct))
        {
            foreach (var (question, value) in TallyKeys(q, SurveyCodec.ReadAnswers(json)))
            {
                counts[(question, value)] = counts.GetValueOrDefault((question, value)) + 1;
            }
        }

        var votes = await db.SurveyResponses.CountAsync(r => r.SessionId == id, ct);
        return Tally(survey, session, votes, q, counts.Select(c => (c.Key.Item1, c.Key.Item2, c.Value)));
    }

    private static SessionTally Tally(Survey survey, SurveySession session, int votes, Questionnaire q, IEnumerable<(string Question, string Value, long Count)> rows)
    {
        var byQuestion = rows.GroupBy(r => r.Question).ToDictionary(g => g.Key, g => g.ToDictionary(x => x.Value, x => x.Count));
        var questions = new List<TallyQuestion>();
        foreach (var question in q.Questions)
        {
            var counts = byQuestion.GetValueOrDefault(question.Code) ?? [];
            var ordered = new SortedDictionary<string, long>(counts, StringComparer.Ordinal);
            CellStats? figures = null;
            long answers;
            if (question.Type == QuestionType.Likert)
            {
                var vector = Enumerable.Range(1, question.Scale!.Points).Select(v => counts.GetValueOrDefault(v.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();
                figures = SurveyAnalysis.FromCounts(question, vector, survey.MinN);
                answers = vector.Sum();
            }
            else
            {
                answers = question.Type == QuestionType.SingleChoice ? counts.Values.Sum() : counts.GetValueOrDefault(AnsweredKey);
            }

            questions.Add(new TallyQuestion(question.Code, question.Text, question.Type, answers, ordered, figures));
        }

        return new SessionTally(session.Id, survey.Code, votes, session.ClosedAt is not null, questions);
    }

    private const string AnsweredKey = "*";

    /// <summary>What a vote adds to the tally: the scale value or option chosen, each option of a multiple choice plus "*", "*" for a number or text.</summary>
    private static IEnumerable<(string Question, string Value)> TallyKeys(Questionnaire q, IReadOnlyDictionary<string, JsonElement> answers)
    {
        foreach (var (code, e) in answers)
        {
            switch (q.Find(code)?.Type)
            {
                case QuestionType.Likert:
                    yield return (code, e.GetRawText());
                    break;
                case QuestionType.SingleChoice:
                    yield return (code, e.GetString()!);
                    break;
                case QuestionType.MultipleChoice:
                    yield return (code, AnsweredKey);
                    foreach (var c in e.EnumerateArray())
                    {
                        yield return (code, c.GetString()!);
                    }

                    break;
                case null:
                    break;
                default:
                    yield return (code, AnsweredKey);
                    break;
            }
        }
    }

    // ---------- respondents' views ----------

    public async Task<RespondentView> ViewPublicAsync(string? token, CancellationToken ct)
    {
        var survey = await PublicSurveyAsync(token, ct);
        return await RespondentViewAsync(survey, null, null, ct);
    }

    public async Task<RespondentView> ViewLinkAsync(string? token, CancellationToken ct)
    {
        var (link, survey) = await LinkAsync(token, ct);
        return await RespondentViewAsync(survey, link.UnitCode, link.StratumCode, ct);
    }

    public async Task<RespondentView> ViewSessionAsync(string? token, CancellationToken ct)
    {
        var (session, survey) = await SessionAsync(token, ct);
        return await RespondentViewAsync(survey, session.UnitCode, session.StratumCode, ct);
    }

    private async Task<RespondentView> RespondentViewAsync(Survey s, string? unit, string? stratum, CancellationToken ct)
    {
        var (q, version) = await QuestionnaireAsync(s, ct);
        var units = await db.SurveyUnits.AsNoTracking().Where(u => u.SurveyId == s.Id).OrderBy(u => u.Code).ToListAsync(ct);
        return new RespondentView(s.Code, s.Title, s.Description, version, q.Sections, [.. units.Select(u => new SurveyUnitView(u.Code, u.Name, u.PeerGroup))],
            SurveyCodec.ReadStrata(s.Strata), unit, stratum, s.ClosesAt);
    }

    private async Task<Survey> PublicSurveyAsync(string? token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            throw DomainException.NotFound("Survey");
        }

        return await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.PublicToken == token && s.Anonymous, ct) ?? throw DomainException.NotFound("Survey");
    }

    private async Task<(SurveyLink Link, Survey Survey)> LinkAsync(string? token, CancellationToken ct)
    {
        var invalid = new DomainException(ErrorKind.Forbidden, "invalid_link", "This survey link is not valid.");
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            throw invalid;
        }

        var hash = Sm3.HashHex(token);
        var link = await db.SurveyLinks.AsNoTracking().FirstOrDefaultAsync(l => l.TokenHash == hash, ct) ?? throw invalid;
        if (link.UsedAt is not null)
        {
            throw DomainException.Conflict("link_used", "This personal link has already been used; it can be used once.");
        }

        if (time.UtcNow() >= link.ExpiresAt)
        {
            throw new DomainException(ErrorKind.Gone, "link_expired", "This survey link has expired.");
        }

        return (link, await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == link.SurveyId, ct));
    }

    private async Task<(SurveySession Session, Survey Survey)> SessionAsync(string? token, CancellationToken ct)
    {
        var invalid = new DomainException(ErrorKind.Forbidden, "invalid_session", "This session code is not valid.");
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            throw invalid;
        }

        var hash = Sm3.HashHex(token);
        var session = await db.SurveySessions.AsNoTracking().FirstOrDefaultAsync(x => x.TokenHash == hash, ct) ?? throw invalid;
        if (session.ClosedAt is not null)
        {
            throw DomainException.Conflict("session_closed", "This session is closed; votes are no longer taken.");
        }

        return (session, await db.Surveys.AsNoTracking().SingleAsync(s => s.Id == session.SurveyId, ct));
    }

    // ---------- collection ----------

    /// <summary>An anonymous response through the public link: no personal data; the device guard stops a second submission.</summary>
    public async Task<ResponseReceipt> SubmitPublicAsync(PublicResponseRequest r, CancellationToken ct)
    {
        var survey = await PublicSurveyAsync(r.Token, ct);
        var guard = Guard(survey, r.Guard, required: true);
        return await SaveAsync(survey, new NewResponse(SurveyChannel.PublicLink, r.Unit, r.Stratum, SurveyCodec.ToRaw(r.Answers)) { DuplicateGuard = guard }, null, ct);
    }

    /// <summary>A response through a single-use personal link; a second use (also at the same moment) is refused.</summary>
    public async Task<ResponseReceipt> SubmitByLinkAsync(LinkResponseRequest r, CancellationToken ct)
    {
        var (link, survey) = await LinkAsync(r.Token, ct);
        return await SaveAsync(survey, new NewResponse(SurveyChannel.PersonalLink, link.UnitCode, link.StratumCode, SurveyCodec.ToRaw(r.Answers))
        {
            LinkId = link.Id,
            RespondentIndex = survey.Anonymous ? null : link.RespondentIndex,
        }, null, ct);
    }

    /// <summary>A vote in an on-site session; the session's tally rises in the same transaction.</summary>
    public async Task<ResponseReceipt> SubmitVoteAsync(VoteRequest r, CancellationToken ct)
    {
        var (session, survey) = await SessionAsync(r.Token, ct);
        var guard = Guard(survey, r.Guard, required: false);
        return await SaveAsync(survey, new NewResponse(SurveyChannel.OnSite, session.UnitCode, session.StratumCode, SurveyCodec.ToRaw(r.Answers))
        {
            SessionId = session.Id,
            DuplicateGuard = guard,
        }, null, ct);
    }

    /// <summary>A phone interview, entered by the interviewer (recorded with the response).</summary>
    public async Task<ResponseReceipt> SubmitInterviewAsync(Caller caller, string code, InterviewRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Collectors);
        new Validation()
            .Check(r.RespondentPhone is null || (r.RespondentPhone.Length is >= 5 and <= 20 && r.RespondentPhone.All(char.IsAsciiDigit)), "respondentPhone", "respondentPhone has 5 to 20 digits.")
            .Check(!(survey.Anonymous && r.RespondentPhone is not null), "respondentPhone", "An anonymous (无记名) survey keeps no personal data: leave respondentPhone out.")
            .ThrowIfInvalid();
        return await SaveAsync(survey, new NewResponse(SurveyChannel.Phone, r.Unit, r.Stratum, SurveyCodec.ToRaw(r.Answers))
        {
            EnteredBy = caller.Actor,
            RespondentIndex = personal.BlindIndex("mobile", r.RespondentPhone),
        }, null, ct);
    }

    /// <summary>A batch of paper forms: every form is checked first; one bad form refuses the whole batch, nothing half-written.</summary>
    public async Task<PaperBatchReceipt> SubmitPaperBatchAsync(Caller caller, string code, PaperBatchRequest r, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, Collectors);
        var v = new Validation()
            .Required(r.BatchNo, "batchNo", 64)
            .Check(r.Forms is { Count: >= 1 and <= MaxFormsPerBatch }, "forms", $"A batch holds 1 to {MaxFormsPerBatch} forms.");
        var forms = r.Forms ?? [];
        v.Check(forms.All(f => f?.FormNo is { Length: >= 1 and <= 64 }), "forms", "Every form needs its form number (at most 64 characters).");
        var duplicates = forms.Where(f => f?.FormNo is not null).GroupBy(f => f.FormNo).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        v.Check(duplicates.Count == 0, "forms", $"Form numbers repeated in the batch: {string.Join(", ", duplicates.Take(10))}.");
        v.ThrowIfInvalid();
        var (q, _) = await QuestionnaireAsync(survey, ct);
        var strata = SurveyCodec.ReadStrata(survey.Strata).Select(s => s.Code).ToHashSet(StringComparer.Ordinal);
        var units = (await db.SurveyUnits.Where(u => u.SurveyId == survey.Id).Select(u => u.Code).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var errors = new Validation();
        for (var i = 0; i < forms.Count; i++)
        {
            errors.Check(forms[i].Unit is not null && units.Contains(forms[i].Unit!), $"forms[{i}].unit", "Not a unit of this survey.");
            errors.Check(forms[i].Stratum is not null && strata.Contains(forms[i].Stratum!), $"forms[{i}].stratum", "Not a stratum of this survey.");
            try
            {
                ResponseRules.Check(q, SurveyCodec.ToRaw(forms[i].Answers));
            }
            catch (DomainException e)
            {
                foreach (var (field, messages) in e.Errors)
                {
                    foreach (var m in messages)
                    {
                        errors.Add($"forms[{i}].{field}", m);
                    }
                }
            }
        }

        errors.ThrowIfInvalid("invalid_forms");
        var formNos = forms.Select(f => f.FormNo!).ToList();
        var taken = await db.SurveyResponses.Where(x => x.SurveyId == survey.Id && formNos.Contains(x.FormNo!)).Select(x => x.FormNo).ToListAsync(ct);
        if (taken.Count > 0)
        {
            throw DomainException.Conflict("duplicate_form", $"Forms already entered: {string.Join(", ", taken.Take(10))}.");
        }

        var batch = new SurveyPaperBatch { Id = time.NewId(), SurveyId = survey.Id, BatchNo = r.BatchNo!.Trim(), Forms = forms.Count, EnteredBy = caller.Actor, CreatedAt = time.UtcNow() };
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            db.SurveyPaperBatches.Add(batch);
            var receipts = new List<ResponseReceipt>();
            foreach (var f in forms)
            {
                receipts.Add(await SaveAsync(survey, new NewResponse(SurveyChannel.Paper, f.Unit, f.Stratum, SurveyCodec.ToRaw(f.Answers))
                {
                    EnteredBy = caller.Actor,
                    PaperBatchId = batch.Id,
                    FormNo = f.FormNo!.Trim(),
                }, (q, survey.CurrentVersion), ct));
            }

            // One audit entry for the batch, recorded only once every form passed: a refused batch leaves no trace to clean up.
            audit.Record("survey.paper_batch", "survey_paper_batch", batch.Id.ToString(), new
            {
                survey = survey.Code, batch = batch.BatchNo, forms = receipts.Select((x, i) => new { formNo = forms[i].FormNo, response = x.Id, unit = forms[i].Unit, stratum = forms[i].Stratum, status = x.Status.ToString() }),
            });
            await audit.SaveAsync(ct);
            await tx.CommitAsync(ct);
            return new PaperBatchReceipt(batch.Id, batch.BatchNo, forms.Count, receipts);
        }
        catch (DbUpdateException e) when (ProblemExceptionHandler.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            throw DomainException.Conflict("duplicate_form", "This batch number or one of its form numbers was entered already.");
        }
        catch
        {
            // A refused form (a full quota) rolls the batch back; nothing of it stays tracked either.
            db.ChangeTracker.Clear();
            throw;
        }
    }

    private sealed record NewResponse(SurveyChannel Channel, string? Unit, string? Stratum, Dictionary<string, RawAnswer> Answers)
    {
        public string? EnteredBy { get; init; }

        public Guid? LinkId { get; init; }

        public Guid? PaperBatchId { get; init; }

        public string? FormNo { get; init; }

        public Guid? SessionId { get; init; }

        public string? RespondentIndex { get; init; }

        public string? DuplicateGuard { get; init; }
    }

    /// <summary>
    /// The one path every channel takes: open check, cell check, answer check, then in one transaction the quota
    /// (a conditional update, so a full quota holds under concurrency), the link or session claim, the response and its audit.
    /// Inside a caller's transaction (paper batches) it joins it and leaves saving to the caller.
    /// </summary>
    private async Task<ResponseReceipt> SaveAsync(Survey survey, NewResponse n, (Questionnaire Q, int Version)? known, CancellationToken ct)
    {
        var now = time.UtcNow();
        if (now < survey.OpensAt)
        {
            throw DomainException.Conflict("survey_not_open", $"Survey {survey.Code} opens at {survey.OpensAt:yyyy-MM-dd HH:mm} UTC.");
        }

        if (now >= survey.ClosesAt)
        {
            throw DomainException.Conflict("survey_closed", $"Survey {survey.Code} closed at {survey.ClosesAt:yyyy-MM-dd HH:mm} UTC; no more responses are taken.");
        }

        var (q, version) = known ?? await QuestionnaireAsync(survey, ct);
        await EnsureCellAsync(survey, n.Unit, n.Stratum, ct);
        var checkedResponse = ResponseRules.Check(q, n.Answers);
        var outer = db.Database.CurrentTransaction is not null;
        try
        {
            await using var tx = outer ? null : await db.Database.BeginTransactionAsync(ct);
            var cell = db.SurveyQuotas.Where(x => x.SurveyId == survey.Id && x.UnitCode == n.Unit && x.StratumCode == n.Stratum);
            var raised = survey.QuotaMode == QuotaMode.Stop
                ? await cell.Where(x => x.Target == null || x.Count < x.Target).ExecuteUpdateAsync(u => u.SetProperty(x => x.Count, x => x.Count + 1), ct)
                : await cell.ExecuteUpdateAsync(u => u.SetProperty(x => x.Count, x => x.Count + 1), ct);
            var quota = await cell.AsNoTracking().Select(x => new { x.Target, x.Count }).SingleAsync(ct);
            // Raised or not, the domain rule says what it means (and throws quota_full when the cell was already full).
            var decision = Quotas.Decide(quota.Target, raised == 1 ? quota.Count - 1 : quota.Count, survey.QuotaMode);
            var id = time.NewId();
            if (n.LinkId is { } linkId)
            {
                var claimed = await db.SurveyLinks.Where(l => l.Id == linkId && l.UsedAt == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(l => l.UsedAt, now).SetProperty(l => l.ResponseId, id), ct);
                if (claimed == 0)
                {
                    throw DomainException.Conflict("link_used", "This personal link has already been used; it can be used once.");
                }
            }

            if (n.SessionId is { } sessionId)
            {
                var open = await db.SurveySessions.Where(x => x.Id == sessionId && x.ClosedAt == null)
                    .ExecuteUpdateAsync(u => u.SetProperty(x => x.Votes, x => x.Votes + 1), ct);
                if (open == 0)
                {
                    throw DomainException.Conflict("session_closed", "This session is closed; votes are no longer taken.");
                }
            }

            var answersJson = SurveyCodec.WriteAnswers(q, checkedResponse.Answers);
            var response = new SurveyResponse
            {
                Id = id,
                SurveyId = survey.Id,
                Version = version,
                UnitCode = n.Unit!,
                StratumCode = n.Stratum!,
                Channel = n.Channel,
                Status = checkedResponse.Complete ? SurveyResponseStatus.Complete : SurveyResponseStatus.Partial,
                Answers = answersJson,
                Missing = checkedResponse.MissingRequired.Count == 0 ? null : string.Join(',', checkedResponse.MissingRequired),
                EnteredBy = n.EnteredBy,
                LinkId = n.LinkId,
                PaperBatchId = n.PaperBatchId,
                FormNo = n.FormNo,
                SessionId = n.SessionId,
                RespondentIndex = survey.Anonymous ? null : n.RespondentIndex,
                DuplicateGuard = n.DuplicateGuard,
                SubmittedAt = now,
            };
            db.SurveyResponses.Add(response);
            if (n.SessionId is { } sid)
            {
                foreach (var (question, value) in TallyKeys(q, SurveyCodec.ReadAnswers(answersJson)))
                {
                    await db.Database.ExecuteSqlAsync($"""
                        INSERT INTO survey_session_tallies ("SessionId", "QuestionCode", "Value", "Count") VALUES ({sid}, {question}, {value}, 1)
                        ON CONFLICT ("SessionId", "QuestionCode", "Value") DO UPDATE SET "Count" = survey_session_tallies."Count" + 1
                        """, ct);
                }
            }

            if (!outer)
            {
                audit.Record("survey.response", "survey_response", id.ToString(),
                    new { survey = survey.Code, channel = n.Channel.ToString(), unit = n.Unit, stratum = n.Stratum, status = response.Status.ToString() });
                await audit.SaveAsync(ct);
                await tx!.CommitAsync(ct);
            }

            return new ResponseReceipt(id, survey.Code, n.Channel, response.Status, checkedResponse.MissingRequired, decision.Warning);
        }
        catch (DbUpdateException e) when (!outer && ProblemExceptionHandler.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            throw DomainException.Conflict("duplicate_submission", "A response from this device (or with this form number) was already received.");
        }
    }

    private async Task EnsureCellAsync(Survey survey, string? unit, string? stratum, CancellationToken ct)
    {
        var v = new Validation()
            .Check(unit is not null && await db.SurveyUnits.AnyAsync(u => u.SurveyId == survey.Id && u.Code == unit, ct), "unit", "unit must be one of the survey's target units.")
            .Check(stratum is not null && SurveyCodec.ReadStrata(survey.Strata).Any(s => s.Code == stratum), "stratum", "stratum must be one of the survey's strata.");
        v.ThrowIfInvalid();
    }

    /// <summary>A keyed hash of (survey, device guard): the same device cannot answer twice, and the hash names no one.</summary>
    private string? Guard(Survey survey, string? guard, bool required)
    {
        if (guard is null && !required)
        {
            return null;
        }

        new Validation().Check(guard is { Length: >= 16 and <= 128 }, "guard", "guard is the device's random token of 16 to 128 characters (kept by the page, never personal).").ThrowIfInvalid();
        return personal.BlindIndex("survey-guard", survey.Id.ToString("N") + ":" + guard);
    }

    private static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    // ---------- listing responses ----------

    public async Task<Page<ResponseView>> ListResponsesAsync(Caller caller, string code, SurveyChannel? channel, SurveyResponseStatus? status, string? unit, int? page, int? pageSize, CancellationToken ct)
    {
        var survey = await FindAsync(caller, code, ct, [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor]);
        var query = db.SurveyResponses.AsNoTracking().Where(r => r.SurveyId == survey.Id);
        if (channel is not null)
        {
            query = query.Where(r => r.Channel == channel);
        }

        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }

        if (unit is not null)
        {
            query = query.Where(r => r.UnitCode == unit);
        }

        var result = await query.OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id).ToPageAsync(page, pageSize, x => x, ct);
        return new Page<ResponseView>([.. result.Items.Select(ToView)], result.Total, result.PageNumber, result.PageSize);
    }

    internal static ResponseView ToView(SurveyResponse r) => new(
        r.Id, r.Version, r.UnitCode, r.StratumCode, r.Channel, r.Status, SurveyCodec.ReadAnswers(r.Answers), r.Missing?.Split(',') ?? [],
        r.EnteredBy, r.FormNo, r.SessionId, r.RespondentIndex is not null, r.SubmittedAt);
}
