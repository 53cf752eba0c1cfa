using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Assessments;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Assessments;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Assessments;

public sealed record SchemeResponse(Guid Id, string Code, int Version, string Name, bool Published, string CreatedBy, DateTime CreatedAt,
    string? PublishedBy, DateTime? PublishedAt, JsonElement Scheme);

public sealed record SchemeSummary(Guid Id, string Code, int Version, string Name, bool Published, DateTime CreatedAt);

public sealed record RoundUnitRequest(string? Name, string? AgencyCreditCode, string? Level, string? Parent, decimal? Weight, string? Category, List<string>? Flags);

public sealed record RoundRequest(string? SchemeCode, int? SchemeVersion, string? Period, string? Name, string? RegionCode, List<RoundUnitRequest>? Units);

public sealed record UnitResponse(Guid Id, string Name, Guid? AgencyId, string? Level, string? Parent, decimal Weight, string? Category,
    IReadOnlyList<string> Flags, string State, string? SubmittedBy, DateTime? SubmittedAt, string? ApprovedBy, DateTime? ApprovedAt);

public sealed record RoundResponse(Guid Id, string SchemeCode, int SchemeVersion, string Period, string Name, string RegionCode, string CreatedBy,
    DateTime CreatedAt, DateTime? ComputedAt, IReadOnlyList<UnitResponse> Units);

/// <summary>One leaf's input as an evaluator enters it; who entered it and when are set by the server.</summary>
public sealed record InputRequest(
    decimal? Value, Dictionary<string, decimal>? Counts, List<string>? Passed, List<int>? PerPeriod, Dictionary<string, decimal>? BySource,
    Dictionary<string, decimal>? ByPeriod, Dictionary<string, decimal>? Values, List<string>? Flags, string? Source);

public sealed record InputResponse(string NodeCode, LeafInput Input, string EnteredBy, DateTime EnteredAt);

public sealed record ResultResponse(Guid UnitId, string Unit, string? Level, int Rank, decimal Total, string Unrounded, string? Grade, DateTime ComputedAt, NodeScore? Explanation);

/// <summary>
/// Assessments over stored data: scheme versions (published ones immutable), rounds (scheme version + period + units),
/// inputs entered by evaluators with provenance, bottom-up approval that locks a unit's inputs, and results with ranks,
/// grades and explanations. Plain methods: the endpoints and the web pages call them alike. Every write is audited in
/// the same transaction.
/// </summary>
public sealed class AssessmentService(PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time, CatalogService catalog)
{
    /// <summary>Who may define schemes and rounds, approve and compute.</summary>
    public static readonly Role[] Offices = [Role.SystemAdmin, Role.BureauAdmin];

    /// <summary>Who may enter inputs: offices, evaluators, and agency managers for their own unit.</summary>
    public static readonly Role[] Entry = [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.AgencyManager];

    private static readonly JsonSerializerOptions Json = AssessCommand.Json;

    private const int MaxSchemeBytes = 512 * 1024;

    // ---- schemes ----

    public async Task<SchemeResponse> CreateSchemeAsync(JsonElement file, CancellationToken ct)
    {
        caller.Require(Offices);
        var (scheme, text) = Parse(file);
        if (await db.AssessmentSchemes.AnyAsync(s => s.Code == scheme.Code && s.Version == scheme.Version, ct))
        {
            throw DomainException.Conflict("scheme_version_exists", $"Scheme {scheme.Code} version {scheme.Version} already exists; a new version needs a new number.");
        }

        var row = new AssessmentScheme
        {
            Id = time.NewId(), Code = scheme.Code, Version = scheme.Version, Name = scheme.Name, Json = text, CreatedBy = caller.Actor, CreatedAt = time.UtcNow(),
        };
        db.AssessmentSchemes.Add(row);
        audit.Record("assessment.scheme_created", "assessment_scheme", $"{row.Code}@{row.Version}", new { row.Code, row.Version, row.Name });
        await audit.SaveAsync(ct);
        return ToResponse(row);
    }

    /// <summary>Replaces a draft version; a published version is immutable.</summary>
    public async Task<SchemeResponse> ReplaceDraftAsync(string code, int version, JsonElement file, CancellationToken ct)
    {
        caller.Require(Offices);
        var row = await FindSchemeAsync(code, version, ct);
        if (row.Published)
        {
            throw DomainException.Conflict("scheme_published", $"Scheme {code} version {version} is published and can no longer change; add a new version.");
        }

        var (scheme, text) = Parse(file);
        if (scheme.Code != code || scheme.Version != version)
        {
            throw DomainException.Invalid("scheme_mismatch", $"The file is {scheme.Code} version {scheme.Version}, not {code} version {version}.", "scheme");
        }

        row.Name = scheme.Name;
        row.Json = text;
        audit.Record("assessment.scheme_replaced", "assessment_scheme", $"{code}@{version}", new { code, version });
        await audit.SaveAsync(ct);
        return ToResponse(row);
    }

    public async Task<SchemeResponse> PublishAsync(string code, int version, CancellationToken ct)
    {
        caller.Require(Offices);
        var row = await FindSchemeAsync(code, version, ct);
        if (row.Published)
        {
            throw DomainException.Conflict("scheme_published", $"Scheme {code} version {version} is already published.");
        }

        row.Published = true;
        row.PublishedBy = caller.Actor;
        row.PublishedAt = time.UtcNow();
        audit.Record("assessment.scheme_published", "assessment_scheme", $"{code}@{version}", new { code, version });
        await audit.SaveAsync(ct);
        return ToResponse(row);
    }

    public async Task<IReadOnlyList<SchemeSummary>> ListSchemesAsync(CancellationToken ct)
    {
        RequireAnyRole();
        return await db.AssessmentSchemes.AsNoTracking().OrderBy(s => s.Code).ThenBy(s => s.Version)
            .Select(s => new SchemeSummary(s.Id, s.Code, s.Version, s.Name, s.Published, s.CreatedAt)).ToListAsync(ct);
    }

    public async Task<SchemeResponse> GetSchemeAsync(string code, int version, CancellationToken ct)
    {
        RequireAnyRole();
        return ToResponse(await FindSchemeAsync(code, version, ct));
    }

    // ---- rounds ----

    public async Task<RoundResponse> CreateRoundAsync(RoundRequest request, CancellationToken ct)
    {
        caller.Require(Offices);
        var v = new Validation()
            .Required(request.SchemeCode, "schemeCode", 64)
            .Check(request.SchemeVersion is >= 1, "schemeVersion", "schemeVersion is required.")
            .Required(request.Period, "period", 64)
            .Required(request.Name, "name", 200)
            .Required(request.RegionCode, "regionCode", 12)
            .Check(request.Units is { Count: > 0 and <= 20000 }, "units", "A round has from 1 to 20,000 units.");
        var units = request.Units ?? [];
        for (var i = 0; i < units.Count; i++)
        {
            var u = units[i];
            v.Required(u.Name, $"units[{i}].name", 200)
                .Optional(u.Level, $"units[{i}].level", 64).Optional(u.Parent, $"units[{i}].parent", 200).Optional(u.Category, $"units[{i}].category", 64)
                .Check(u.Weight is null or >= 0, $"units[{i}].weight", "A weight is not negative.")
                .Check(u.Flags is null or { Count: <= 20 } && (u.Flags ?? []).All(f => f.Length is > 0 and <= 64), $"units[{i}].flags", "At most 20 flags of up to 64 characters.");
        }

        v.Check(units.Select(u => u.Name).Distinct(StringComparer.Ordinal).Count() == units.Count, "units", "Unit names are unique within a round.");
        v.ThrowIfInvalid();

        var schemeRow = await db.AssessmentSchemes.AsNoTracking().FirstOrDefaultAsync(s => s.Code == request.SchemeCode && s.Version == request.SchemeVersion, ct)
            ?? throw DomainException.NotFound($"Scheme {request.SchemeCode} version {request.SchemeVersion}");
        if (!schemeRow.Published)
        {
            throw DomainException.Conflict("scheme_not_published", "A round uses a published scheme version only, so that its results name a version that cannot change.");
        }

        var scheme = Load(schemeRow);
        var region = await db.VisibleRegions(caller).Where(r => r.Code == request.RegionCode).Select(r => new { r.Id }).FirstOrDefaultAsync(ct)
            ?? throw CatalogScope.RegionNotFound(request.RegionCode!);
        var names = units.Select(u => u.Name!).ToHashSet(StringComparer.Ordinal);
        var levelErrors = new Validation();
        for (var i = 0; i < units.Count; i++)
        {
            var u = units[i];
            levelErrors.Check(string.IsNullOrEmpty(u.Level) || scheme.Levels?.Any(l => l.Name == u.Level) == true, $"units[{i}].level", $"The scheme has no level '{u.Level}'.");
            levelErrors.Check(u.Parent is null || (names.Contains(u.Parent) && u.Parent != u.Name), $"units[{i}].parent", $"The parent '{u.Parent}' is not another unit of the round.");
        }

        levelErrors.ThrowIfInvalid();
        var now = time.UtcNow();
        var round = new AssessmentRound
        {
            Id = time.NewId(), SchemeId = schemeRow.Id, Period = request.Period!, Name = request.Name!, RegionId = region.Id, CreatedBy = caller.Actor, CreatedAt = now,
        };
        db.AssessmentRounds.Add(round);
        foreach (var u in units)
        {
            Guid? agencyId = u.AgencyCreditCode is null ? null : (await catalog.RequireVisibleAgencyAsync(u.AgencyCreditCode, ct)).Id;
            db.AssessmentUnits.Add(new AssessmentUnit
            {
                Id = time.NewId(), RoundId = round.Id, Name = u.Name!, AgencyId = agencyId, Level = string.IsNullOrEmpty(u.Level) ? null : u.Level, Parent = u.Parent,
                Weight = u.Weight ?? 1, Category = u.Category, Flags = JsonSerializer.Serialize(u.Flags ?? []), State = "open",
            });
        }

        // Parent cycles are caught now rather than at computation.
        DetectCycles(units);
        audit.Record("assessment.round_created", "assessment_round", round.Id.ToString(), new { round.Period, round.Name, scheme = $"{schemeRow.Code}@{schemeRow.Version}", units = units.Count });
        await audit.SaveAsync(ct);
        return await GetRoundAsync(round.Id, ct);
    }

    public async Task<RoundResponse> GetRoundAsync(Guid id, CancellationToken ct)
    {
        var (round, scheme, regionCode) = await VisibleRoundAsync(id, ct);
        var units = await VisibleUnits(round.Id).AsNoTracking().OrderBy(u => u.Name).ToListAsync(ct);
        return new RoundResponse(round.Id, scheme.Code, scheme.Version, round.Period, round.Name, regionCode, round.CreatedBy, round.CreatedAt, round.ComputedAt,
            [.. units.Select(ToResponse)]);
    }

    public async Task<IReadOnlyList<RoundResponse>> ListRoundsAsync(CancellationToken ct)
    {
        RequireAnyRole();
        var ids = await VisibleRounds().OrderByDescending(r => r.CreatedAt).Select(r => r.Id).Take(200).ToListAsync(ct);
        var list = new List<RoundResponse>(ids.Count);
        foreach (var id in ids)
        {
            list.Add(await GetRoundAsync(id, ct));
        }

        return list;
    }

    // ---- inputs and approval ----

    public async Task<InputResponse> EnterInputAsync(Guid roundId, Guid unitId, string nodeCode, InputRequest request, CancellationToken ct)
    {
        caller.Require(Entry);
        var (_, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var unit = await VisibleUnits(roundId).FirstOrDefaultAsync(u => u.Id == unitId, ct) ?? throw DomainException.NotFound("Unit");
        if (unit.State != "open")
        {
            throw DomainException.Conflict("unit_locked", $"The unit's inputs are {unit.State} and locked; an office must return them first.");
        }

        var scheme = Load(schemeRow);
        var leaf = Leaves(scheme.Level(unit.Level).Root).FirstOrDefault(n => n.Code == nodeCode);
        if (leaf is null || leaf.Method is Subunits)
        {
            throw DomainException.Invalid("unknown_node", $"'{nodeCode}' is not a leaf taking inputs in the unit's tree.", "nodeCode");
        }

        Validate(request);
        var now = time.UtcNow();
        var input = new LeafInput(request.Value, request.Counts, request.Passed, request.PerPeriod, caller.Actor, now, request.BySource, request.Flags,
            request.Values, request.ByPeriod, request.Source);
        var text = Stored(input);
        var row = await db.AssessmentInputs.FirstOrDefaultAsync(i => i.UnitId == unitId && i.NodeCode == nodeCode, ct);
        if (row is null)
        {
            db.AssessmentInputs.Add(row = new AssessmentInput { Id = time.NewId(), UnitId = unitId, NodeCode = nodeCode, Json = text, EnteredBy = caller.Actor, EnteredAt = now });
        }
        else
        {
            row.Json = text;
            row.EnteredBy = caller.Actor;
            row.EnteredAt = now;
        }

        audit.Record("assessment.input_entered", "assessment_unit", unitId.ToString(), new { nodeCode, input = JsonSerializer.Deserialize<JsonElement>(text) });
        await audit.SaveAsync(ct);
        return new InputResponse(nodeCode, input, row.EnteredBy, row.EnteredAt);
    }

    public async Task<IReadOnlyList<InputResponse>> ListInputsAsync(Guid roundId, Guid unitId, CancellationToken ct)
    {
        await VisibleRoundAsync(roundId, ct);
        var unit = await VisibleUnits(roundId).AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct) ?? throw DomainException.NotFound("Unit");
        var rows = await db.AssessmentInputs.AsNoTracking().Where(i => i.UnitId == unit.Id).OrderBy(i => i.NodeCode).ToListAsync(ct);
        return [.. rows.Select(r => new InputResponse(r.NodeCode, JsonSerializer.Deserialize<LeafInput>(r.Json, Json)!, r.EnteredBy, r.EnteredAt))];
    }

    /// <summary>The unit's data is complete: submitted for approval, and locked against further entry.</summary>
    public Task<UnitResponse> SubmitAsync(Guid roundId, Guid unitId, CancellationToken ct) =>
        TransitionAsync(roundId, unitId, Entry, "open", "submitted", ct);

    /// <summary>Bottom-up approval: a unit is approved only after all its subordinate units are.</summary>
    public Task<UnitResponse> ApproveAsync(Guid roundId, Guid unitId, CancellationToken ct) =>
        TransitionAsync(roundId, unitId, Offices, "submitted", "approved", ct);

    /// <summary>An office sends a submitted unit back for correction (not an approved one: approval is final).</summary>
    public Task<UnitResponse> ReturnAsync(Guid roundId, Guid unitId, CancellationToken ct) =>
        TransitionAsync(roundId, unitId, Offices, "submitted", "open", ct);

    private async Task<UnitResponse> TransitionAsync(Guid roundId, Guid unitId, Role[] roles, string from, string to, CancellationToken ct)
    {
        caller.Require(roles);
        await VisibleRoundAsync(roundId, ct);
        var unit = await VisibleUnits(roundId).FirstOrDefaultAsync(u => u.Id == unitId, ct) ?? throw DomainException.NotFound("Unit");
        if (unit.State != from)
        {
            throw DomainException.Conflict("invalid_state", $"The unit is {unit.State}; this step needs it {from}.");
        }

        var now = time.UtcNow();
        if (to == "approved")
        {
            var pending = await db.AssessmentUnits.Where(u => u.RoundId == roundId && u.Parent == unit.Name && u.State != "approved").Select(u => u.Name).ToListAsync(ct);
            if (pending.Count > 0)
            {
                throw DomainException.Conflict("subunits_not_approved", $"Approval goes bottom-up: first approve {string.Join(", ", pending)}.");
            }

            unit.ApprovedBy = caller.Actor;
            unit.ApprovedAt = now;
        }
        else if (to == "submitted")
        {
            unit.SubmittedBy = caller.Actor;
            unit.SubmittedAt = now;
        }

        unit.State = to;
        unit.Version++;
        audit.Record($"assessment.unit_{(to == "open" ? "returned" : to)}", "assessment_unit", unit.Id.ToString(), new { round = roundId, unit.Name, from, to });
        await audit.SaveAsync(ct);
        return ToResponse(unit);
    }

    // ---- results ----

    /// <summary>Computes the round once every unit is approved; the results replace earlier ones in one transaction.</summary>
    public async Task<IReadOnlyList<ResultResponse>> ComputeAsync(Guid roundId, CancellationToken ct)
    {
        caller.Require(Offices);
        var (round, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var units = await db.AssessmentUnits.AsNoTracking().Where(u => u.RoundId == roundId).ToListAsync(ct);
        var open = units.Where(u => u.State != "approved").Select(u => u.Name).ToList();
        if (open.Count > 0)
        {
            throw DomainException.Conflict("round_not_approved", $"Every unit is approved before computing; not yet: {string.Join(", ", open.Take(10))}{(open.Count > 10 ? " …" : "")}.");
        }

        var scheme = Load(schemeRow);
        var unitIds = units.Select(u => u.Id).ToList();
        var inputs = (await db.AssessmentInputs.AsNoTracking().Where(i => unitIds.Contains(i.UnitId)).ToListAsync(ct))
            .GroupBy(i => i.UnitId).ToDictionary(g => g.Key, g => g.ToDictionary(i => i.NodeCode, i => JsonSerializer.Deserialize<LeafInput>(i.Json, Json)!));
        var roundUnits = units.Select(u => new RoundUnit(u.Name, inputs.GetValueOrDefault(u.Id) ?? [], u.Level, u.Parent, u.Weight, u.Category,
            JsonSerializer.Deserialize<List<string>>(u.Flags))).ToList();
        var ranked = Ranking.Compute(scheme, roundUnits);
        var byName = units.ToDictionary(u => u.Name, StringComparer.Ordinal);
        var now = time.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.AssessmentResults.Where(r => r.RoundId == roundId).ExecuteDeleteAsync(ct);
        foreach (var r in ranked)
        {
            db.AssessmentResults.Add(new AssessmentResult
            {
                Id = time.NewId(), RoundId = roundId, UnitId = byName[r.Unit].Id, Rank = r.Rank, Total = r.Result.Total,
                Unrounded = r.Result.Unrounded.ToString(CultureInfo.InvariantCulture), Grade = r.Grade, Explanation = JsonSerializer.Serialize(r.Result.Tree, Json), ComputedAt = now,
            });
        }

        var tracked = await db.AssessmentRounds.FirstAsync(x => x.Id == round.Id, ct);
        tracked.ComputedAt = now;
        tracked.Version++;
        audit.Record("assessment.round_computed", "assessment_round", roundId.ToString(), new { scheme = $"{schemeRow.Code}@{schemeRow.Version}", units = ranked.Count });
        await audit.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return await ResultsAsync(roundId, explanations: false, ct);
    }

    public async Task<IReadOnlyList<ResultResponse>> ResultsAsync(Guid roundId, bool explanations, CancellationToken ct)
    {
        await VisibleRoundAsync(roundId, ct);
        var units = await VisibleUnits(roundId).AsNoTracking().ToDictionaryAsync(u => u.Id, ct);
        var rows = await db.AssessmentResults.AsNoTracking().Where(r => r.RoundId == roundId).ToListAsync(ct);
        return [.. rows.Where(r => units.ContainsKey(r.UnitId))
            .OrderBy(r => units[r.UnitId].Level ?? "", StringComparer.Ordinal).ThenBy(r => r.Rank).ThenBy(r => units[r.UnitId].Name, StringComparer.Ordinal)
            .Select(r => new ResultResponse(r.UnitId, units[r.UnitId].Name, units[r.UnitId].Level, r.Rank, r.Total, r.Unrounded, r.Grade, r.ComputedAt,
                explanations ? JsonSerializer.Deserialize<NodeScore>(r.Explanation, Json) : null))];
    }

    /// <summary>One unit's explanation as readable Chinese text.</summary>
    public async Task<string> ExplainTextAsync(Guid roundId, Guid unitId, CancellationToken ct)
    {
        var (_, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var unit = await VisibleUnits(roundId).AsNoTracking().FirstOrDefaultAsync(u => u.Id == unitId, ct) ?? throw DomainException.NotFound("Unit");
        var row = await db.AssessmentResults.AsNoTracking().FirstOrDefaultAsync(r => r.UnitId == unitId, ct) ?? throw DomainException.NotFound("Result");
        var scheme = Load(schemeRow);
        var tree = JsonSerializer.Deserialize<NodeScore>(row.Explanation, Json)!;
        var result = new ScoreResult(scheme.Code, scheme.Version, unit.Level, row.Total, decimal.Parse(row.Unrounded, CultureInfo.InvariantCulture), row.Grade, tree);
        return Explanation.ToText(scheme, new RankedResult(unit.Name, row.Rank, row.Grade, result));
    }

    // ---- figures from ratings ----

    /// <summary>The rating figures a <c>figure</c> leaf may name as <c>ratings:NAME</c>.</summary>
    public static readonly IReadOnlyList<string> RatingFigureNames = ["good_rate", "active_good_rate", "satisfaction_rate", "active_rating_rate"];

    /// <summary>
    /// Feeds a <c>figure</c> leaf whose source is <c>ratings:NAME</c> from the 好差评 counters of each open unit's agency
    /// over [from, to] (local days). The input keeps the figure's numerator and denominator as its provenance; a unit
    /// without ratings in the period gets no input, so the leaf's missing-data policy decides.
    /// </summary>
    public async Task<IReadOnlyList<InputResponse>> FeedFromRatingsAsync(Guid roundId, string nodeCode, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        caller.Require([Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator]);
        new Validation()
            .Check(from is not null && to is not null && from <= to && to.Value.DayNumber - from.Value.DayNumber <= 3700, "from", "from and to (yyyy-MM-dd) are required, from not after to, at most ten years.")
            .ThrowIfInvalid();
        var (_, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var scheme = Load(schemeRow);
        var units = await VisibleUnits(roundId).Where(u => u.State == "open" && u.AgencyId != null).ToListAsync(ct);
        var (first, last) = (Day(from!.Value), Day(to!.Value));
        var now = time.UtcNow();
        var fed = new List<InputResponse>();
        foreach (var unit in units)
        {
            var leaf = scheme.AllLevels().Where(l => l.Name == (unit.Level ?? "")).SelectMany(l => Leaves(l.Root)).FirstOrDefault(n => n.Code == nodeCode);
            if (leaf?.Method is not FigureScore { Source: var source } || !source.StartsWith("ratings:", StringComparison.Ordinal) || !RatingFigureNames.Contains(source[8..]))
            {
                throw DomainException.Invalid("not_a_ratings_figure", $"'{nodeCode}' is not a figure leaf fed from ratings (ratings:{string.Join("|", RatingFigureNames)}) in the tree of {unit.Name}.", "nodeCode");
            }

            var sums = await db.RatingCounters.AsNoTracking().Where(c => c.AgencyId == unit.AgencyId && c.Day >= first && c.Day <= last)
                .GroupBy(_ => 1)
                .Select(g => new Domain.Ratings.CounterTotals(g.Sum(c => c.Finished), g.Sum(c => c.FinishedRated), g.Sum(c => c.Active), g.Sum(c => c.A1), g.Sum(c => c.A2),
                    g.Sum(c => c.A3), g.Sum(c => c.A4), g.Sum(c => c.A5), g.Sum(c => c.Defaults), g.Sum(c => c.Excluded), g.Sum(c => c.FollowUps)))
                .FirstOrDefaultAsync(ct) ?? Domain.Ratings.CounterTotals.Zero;
            var figures = Domain.Ratings.RatingFigures.From(sums);
            var (name, figure) = source[8..] switch
            {
                "good_rate" => ("好评率", figures.GoodRate),
                "active_good_rate" => ("主动评价好评率", figures.ActiveGoodRate),
                "satisfaction_rate" => ("满意率", figures.SatisfactionRate),
                _ => ("主动评价率", figures.ActiveRatingRate),
            };
            if (figure.Value is not { } value)
            {
                continue;
            }

            var provenance = $"好差评 {from:yyyy-MM-dd}–{to:yyyy-MM-dd}：{name} {figure.Numerator}/{figure.Denominator}{(figure.IncludesDefaults ? "（含默认评价）" : "（不含默认评价）")}";
            var input = new LeafInput(value, EnteredBy: caller.Actor, EnteredAt: now, Source: provenance);
            var text = Stored(input);
            var row = await db.AssessmentInputs.FirstOrDefaultAsync(i => i.UnitId == unit.Id && i.NodeCode == nodeCode, ct);
            if (row is null)
            {
                db.AssessmentInputs.Add(new AssessmentInput { Id = time.NewId(), UnitId = unit.Id, NodeCode = nodeCode, Json = text, EnteredBy = caller.Actor, EnteredAt = now });
            }
            else
            {
                row.Json = text;
                row.EnteredBy = caller.Actor;
                row.EnteredAt = now;
            }

            fed.Add(new InputResponse(nodeCode, input, caller.Actor, now));
        }

        audit.Record("assessment.inputs_from_ratings", "assessment_round", roundId.ToString(), new { nodeCode, from, to, units = fed.Count });
        await audit.SaveAsync(ct);
        return fed;
    }

    private static int Day(DateOnly d) => (d.Year * 10000) + (d.Month * 100) + d.Day;

    // ---- Excel ----

    /// <summary>The data-entry workbook of a round: the units the caller may see, with the inputs they already have.</summary>
    public async Task WriteWorkbookAsync(Guid roundId, Stream output, CancellationToken ct)
    {
        var (_, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var units = await VisibleUnits(roundId).AsNoTracking().OrderBy(u => u.Name).ToListAsync(ct);
        var ids = units.Select(u => u.Id).ToList();
        var inputs = (await db.AssessmentInputs.AsNoTracking().Where(i => ids.Contains(i.UnitId)).ToListAsync(ct))
            .GroupBy(i => i.UnitId).ToDictionary(g => g.Key, g => g.ToDictionary(i => i.NodeCode, i => JsonSerializer.Deserialize<LeafInput>(i.Json, Json)!));
        var round = new RoundInput(null, [.. units.Select(u => new UnitInput(u.Name, inputs.GetValueOrDefault(u.Id) ?? [], u.Level, u.Parent, u.Weight, u.Category,
            JsonSerializer.Deserialize<List<string>>(u.Flags)))]);
        AssessExcel.WriteEntryWorkbook(output, Load(schemeRow), round);
    }

    /// <summary>
    /// Imports a filled-in data-entry workbook: every bad row is reported and nothing is written unless the whole
    /// workbook is good. Units must be in the round, visible and open; each entered leaf replaces its input, entered by
    /// the caller now (the workbook's 录入人 is kept in the input's source).
    /// </summary>
    public async Task<int> ImportWorkbookAsync(Guid roundId, Stream workbook, CancellationToken ct)
    {
        caller.Require(Entry);
        var (_, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var scheme = Load(schemeRow);
        var (read, errors) = AssessExcel.ReadInputs(workbook, scheme);
        var problems = errors.ToList();
        var units = await VisibleUnits(roundId).ToDictionaryAsync(u => u.Name, ct);
        foreach (var u in read?.Units ?? [])
        {
            if (!units.TryGetValue(u.Unit, out var row))
            {
                problems.Add($"单位“{u.Unit}”不在本轮考核中 / the unit is not in this round.");
            }
            else if (row.State != "open" && u.Inputs is { Count: > 0 })
            {
                problems.Add($"单位“{u.Unit}”的数据已{(row.State == "approved" ? "审核" : "报送")}并锁定 / the unit's inputs are locked.");
            }

            foreach (var (code, given) in u.Inputs ?? [])
            {
                if (!InRange(given.Value) || !InRange(given.Counts) || !InRange(given.BySource) || !InRange(given.ByPeriod) || !InRange(given.Values)
                    || given.PerPeriod?.Count > 366 || given.Passed?.Count > 200)
                {
                    problems.Add($"单位“{u.Unit}”指标“{code}”：数值超出范围（绝对值不超过 10 亿，最多 366 期）/ numbers out of range.");
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new DomainException(ErrorKind.Validation, "invalid_workbook", $"The workbook has {problems.Count} error(s); nothing was imported.",
                new Dictionary<string, string[]> { ["workbook"] = [.. problems] });
        }

        var now = time.UtcNow();
        var count = 0;
        foreach (var u in read!.Units!)
        {
            var unit = units[u.Unit];
            var existing = await db.AssessmentInputs.Where(i => i.UnitId == unit.Id).ToDictionaryAsync(i => i.NodeCode, ct);
            foreach (var (code, given) in u.Inputs ?? [])
            {
                var source = given.EnteredBy is null ? given.Source : $"{given.Source}{(given.Source is null ? "" : "；")}Excel 录入表，填表人 {given.EnteredBy}";
                var input = given with { EnteredBy = caller.Actor, EnteredAt = now, Source = source?.Length > 500 ? source[..500] : source };
                var text = Stored(input);
                if (existing.TryGetValue(code, out var row))
                {
                    row.Json = text;
                    row.EnteredBy = caller.Actor;
                    row.EnteredAt = now;
                }
                else
                {
                    db.AssessmentInputs.Add(new AssessmentInput { Id = time.NewId(), UnitId = unit.Id, NodeCode = code, Json = text, EnteredBy = caller.Actor, EnteredAt = now });
                }

                count++;
            }
        }

        audit.Record("assessment.workbook_imported", "assessment_round", roundId.ToString(), new { inputs = count });
        await audit.SaveAsync(ct);
        return count;
    }

    /// <summary>The results workbook: ranks and grades, and an explanation sheet per unit the caller may see.</summary>
    public async Task WriteResultsWorkbookAsync(Guid roundId, Stream output, CancellationToken ct)
    {
        var (round, schemeRow, _) = await VisibleRoundAsync(roundId, ct);
        var results = await ResultsAsync(roundId, explanations: true, ct);
        var scheme = Load(schemeRow);
        AssessExcel.WriteResults(output, scheme, new RoundOutput(scheme.Code, scheme.Version, round.Period,
            [.. results.Select(r => new UnitResult(r.Unit, r.Level, r.Rank, r.Total, decimal.Parse(r.Unrounded, CultureInfo.InvariantCulture), r.Grade, r.Explanation!))]));
    }

    // ---- helpers ----

    private void RequireAnyRole() => caller.Require(Enum.GetValues<Role>());

    private static (Scheme Scheme, string Text) Parse(JsonElement file)
    {
        var text = file.ValueKind == JsonValueKind.Object ? file.GetRawText() : throw DomainException.Invalid("invalid_scheme", "The scheme is a JSON object.", "scheme");
        if (text.Length > MaxSchemeBytes)
        {
            throw DomainException.Invalid("invalid_scheme", "The scheme file is larger than 512 KB.", "scheme");
        }

        var (scheme, errors) = SchemeFile.Load(text);
        if (scheme is null)
        {
            throw new DomainException(ErrorKind.Validation, "invalid_scheme", $"The scheme has {errors.Count} error(s).",
                errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()));
        }

        if (scheme.Code.Length > 64 || scheme.Name.Length > 200)
        {
            throw DomainException.Invalid("invalid_scheme", "A scheme code has at most 64 characters and a name at most 200.", "code");
        }

        return (scheme, text);
    }

    private static Scheme Load(AssessmentScheme row) =>
        SchemeFile.Load(row.Json).Scheme ?? throw new InvalidOperationException($"Stored scheme {row.Code}@{row.Version} no longer loads.");

    private static IEnumerable<SchemeNode> Leaves(SchemeNode n) => n.IsLeaf ? [n] : n.Children.SelectMany(Leaves);

    /// <summary>An input as stored: at most 20,000 characters of JSON (the column's size on every provider).</summary>
    private static string Stored(LeafInput input)
    {
        var text = JsonSerializer.Serialize(input, Json);
        return text.Length <= 20000
            ? text
            : throw DomainException.Invalid("input_too_large", "One leaf's input is at most 20,000 characters of JSON.", "input");
    }

    private const decimal Largest = 1_000_000_000m;

    private static bool InRange(decimal? d) => d is null || Math.Abs(d.Value) <= Largest;

    private static bool InRange(IReadOnlyDictionary<string, decimal>? d) => d is null || d.All(e => e.Key.Length is > 0 and <= 64 && Math.Abs(e.Value) <= Largest);

    private static void Validate(InputRequest r)
    {
        new Validation()
            .Check(InRange(r.Value) && InRange(r.Counts) && InRange(r.BySource) && InRange(r.ByPeriod) && InRange(r.Values), "value",
                "Numbers are at most 1,000,000,000 in size, keys 1 to 64 characters.")
            .Check(r.Counts is null || (r.Counts.Count <= 100 && r.Counts.Values.All(c => c >= 0)), "counts", "Counts are not negative (at most 100).")
            .Check(r.PerPeriod is null || (r.PerPeriod.Count <= 366 && r.PerPeriod.All(c => c >= 0)), "perPeriod", "Counts per period are not negative (at most 366 periods).")
            .Check(r.Passed is null || (r.Passed.Count <= 200 && r.Passed.All(p => p.Length is > 0 and <= 64)), "passed", "At most 200 item codes of up to 64 characters.")
            .Check(r.BySource is null || r.BySource.Count <= 20, "bySource", "At most 20 sources.")
            .Check(r.ByPeriod is null || r.ByPeriod.Count <= 60, "byPeriod", "At most 60 periods.")
            .Check(r.Values is null || r.Values.Count <= 50, "values", "At most 50 values.")
            .Check(r.Flags is null || (r.Flags.Count <= 20 && r.Flags.All(f => f.Length is > 0 and <= 64)), "flags", "At most 20 flags of up to 64 characters.")
            .Optional(r.Source, "source", 500)
            .ThrowIfInvalid();
    }

    private static void DetectCycles(List<RoundUnitRequest> units)
    {
        var parent = units.ToDictionary(u => u.Name!, u => u.Parent, StringComparer.Ordinal);
        foreach (var u in units)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { u.Name! };
            for (var p = u.Parent; p is not null; p = parent.GetValueOrDefault(p))
            {
                if (!seen.Add(p))
                {
                    throw DomainException.Invalid("unit_cycle", $"The units' parents form a cycle through '{u.Name}'.", "units");
                }
            }
        }
    }

    private async Task<AssessmentScheme> FindSchemeAsync(string code, int version, CancellationToken ct) =>
        await db.AssessmentSchemes.FirstOrDefaultAsync(s => s.Code == code && s.Version == version, ct)
            ?? throw DomainException.NotFound($"Scheme {code} version {version}");

    /// <summary>Rounds in the caller's regions; an agency manager sees the rounds that include their agency.</summary>
    private IQueryable<AssessmentRound> VisibleRounds() => caller switch
    {
        { IsEverywhere: true } => db.AssessmentRounds,
        { RegionPath: { } path } => db.AssessmentRounds.Where(r => db.Regions.Any(g => g.Id == r.RegionId && g.Path.StartsWith(path))),
        { AgencyId: { } agency } => db.AssessmentRounds.Where(r => db.AssessmentUnits.Any(u => u.RoundId == r.Id && u.AgencyId == agency)),
        _ => db.AssessmentRounds.Where(_ => false),
    };

    /// <summary>The units of a round the caller may see: all of them within a region scope, their own for an agency manager.</summary>
    private IQueryable<AssessmentUnit> VisibleUnits(Guid roundId)
    {
        var units = db.AssessmentUnits.Where(u => u.RoundId == roundId);
        return caller is { IsEverywhere: false, RegionPath: null, AgencyId: { } agency } ? units.Where(u => u.AgencyId == agency) : units;
    }

    private async Task<(AssessmentRound Round, AssessmentScheme Scheme, string RegionCode)> VisibleRoundAsync(Guid id, CancellationToken ct)
    {
        RequireAnyRole();
        var round = await VisibleRounds().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw DomainException.NotFound("Round");
        var scheme = await db.AssessmentSchemes.AsNoTracking().FirstAsync(s => s.Id == round.SchemeId, ct);
        var region = await db.Regions.Where(r => r.Id == round.RegionId).Select(r => r.Code).FirstAsync(ct);
        return (round, scheme, region);
    }

    private static SchemeResponse ToResponse(AssessmentScheme s) =>
        new(s.Id, s.Code, s.Version, s.Name, s.Published, s.CreatedBy, s.CreatedAt, s.PublishedBy, s.PublishedAt,
            JsonDocument.Parse(s.Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement.Clone());

    private static UnitResponse ToResponse(AssessmentUnit u) =>
        new(u.Id, u.Name, u.AgencyId, u.Level, u.Parent, u.Weight, u.Category, JsonSerializer.Deserialize<List<string>>(u.Flags) ?? [], u.State,
            u.SubmittedBy, u.SubmittedAt, u.ApprovedBy, u.ApprovedAt);
}
