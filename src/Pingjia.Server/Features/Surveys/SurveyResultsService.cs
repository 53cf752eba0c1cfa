using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Pingjia.Data;
using Pingjia.Data.Surveys;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Domain.Surveys;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Surveys;

/// <summary>Which responses an analysis covers: submitted in [From, To), partial ones or not; and its settings.</summary>
public sealed record ResultsQuery(DateTime? From = null, DateTime? To = null, bool IncludePartial = true, int? MinN = null, bool Weighted = true);

/// <summary>
/// Survey results: the domain analysis over the stored responses, comparisons, cross-tabulations, integrity flags for
/// review, exports (CSV, XLSX) and the survey figure that assessments consume. Plain methods for the API and pages.
/// </summary>
public sealed class SurveyResultsService(PingjiaDbContext db, SurveyService surveys, AuditLog audit, TimeProvider time)
{
    private static readonly Role[] Exporters = [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor];

    /// <summary>Loads the responses of a survey into columns for the current questionnaire version.</summary>
    public async Task<SurveyData> LoadAsync(Survey survey, ResultsQuery query, CancellationToken ct)
    {
        var (q, _) = await surveys.QuestionnaireAsync(survey, ct);
        var units = await db.SurveyUnits.AsNoTracking().Where(u => u.SurveyId == survey.Id).OrderBy(u => u.Code).Select(u => u.Code).ToListAsync(ct);
        var data = new SurveyData(q, units, SurveyCodec.ReadStrata(survey.Strata), 1024);
        var responses = Filter(survey, query);
        await foreach (var r in responses
                           .Select(r => new { r.Id, r.UnitCode, r.StratumCode, r.Answers, r.RespondentIndex, Interviewer = r.Channel == SurveyChannel.Phone ? r.EnteredBy : null })
                           .AsAsyncEnumerable().WithCancellation(ct))
        {
            var unit = data.UnitIndex(r.UnitCode);
            var stratum = data.StratumIndex(r.StratumCode);
            if (unit < 0 || stratum < 0)
            {
                continue;
            }

            var row = data.AddRow(unit, stratum, r.Id, r.RespondentIndex, r.Interviewer);
            SurveyCodec.ReadAnswersInto(data, row, r.Answers);
        }

        return data;
    }

    private IQueryable<SurveyResponse> Filter(Survey survey, ResultsQuery query)
    {
        new Validation()
            .Check(query.From is null || query.To is null || query.To > query.From, "to", "to must be after from.")
            .Check(query.MinN is null or (>= 1 and <= 100000), "minN", "minN is between 1 and 100000.")
            .ThrowIfInvalid();
        var responses = db.SurveyResponses.AsNoTracking().Where(r => r.SurveyId == survey.Id);
        if (query.From is { } from)
        {
            var f = from.ToUniversalTime();
            responses = responses.Where(r => r.SubmittedAt >= f);
        }

        if (query.To is { } to)
        {
            var t = to.ToUniversalTime();
            responses = responses.Where(r => r.SubmittedAt < t);
        }

        if (!query.IncludePartial)
        {
            responses = responses.Where(r => r.Status == SurveyResponseStatus.Complete);
        }

        return responses;
    }

    public async Task<ResultsView> AnalyseAsync(Caller caller, string code, ResultsQuery query, CancellationToken ct)
    {
        var survey = await ReadableAsync(caller, code, ct);
        var data = await LoadAsync(survey, query, ct);
        var results = SurveyAnalysis.Analyse(data, new AnalysisOptions(query.MinN ?? survey.MinN, query.Weighted));
        return new ResultsView(survey.Code, query.From, query.To, query.IncludePartial, await RestrictAsync(caller, survey, results, ct));
    }

    /// <summary>Agency managers read their own unit's figures (and the overall ones), not their peers'.</summary>
    private async Task<SurveyResults> RestrictAsync(Caller caller, Survey survey, SurveyResults results, CancellationToken ct)
    {
        if (await surveys.OwnUnitsAsync(caller, survey, ct) is not { } own)
        {
            return results;
        }

        return results with { Questions = [.. results.Questions.Select(q => q with { Units = [.. q.Units.Where(u => own.Contains(u.Unit))] })] };
    }

    private async Task<Survey> ReadableAsync(Caller caller, string code, CancellationToken ct) => await surveys.FindAsync(caller, code, ct);

    /// <summary>
    /// Compares a question's figures: <c>units</c> (横向), <c>peers</c> (同类, by the units' peer groups) or <c>periods</c>
    /// (纵向: [from, to) against [previousFrom, previousTo)).
    /// </summary>
    public async Task<ComparisonView> CompareAsync(Caller caller, string code, string? question, string? by, ResultsQuery query, DateTime? previousFrom, DateTime? previousTo, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor]);
        new Validation()
            .Required(question, "question", 32)
            .Check(by is "units" or "peers" or "periods", "by", "by is units, peers or periods.")
            .Check(by != "periods" || (previousFrom is not null && previousTo is not null && query.From is not null && query.To is not null), "previousFrom", "Comparing periods needs from, to, previousFrom and previousTo.")
            .ThrowIfInvalid();
        var options = new AnalysisOptions(query.MinN ?? survey.MinN, query.Weighted);
        var data = await LoadAsync(survey, query, ct);
        var current = SurveyAnalysis.Analyse(data, options).Question(question!)
            ?? throw DomainException.Invalid("unknown_question", $"The questionnaire has no question {question}.", "question");
        if (by == "periods")
        {
            var earlierData = await LoadAsync(survey, query with { From = previousFrom, To = previousTo }, ct);
            var earlier = SurveyAnalysis.Analyse(earlierData, options).Question(question!)!;
            return new ComparisonView(survey.Code, question!, by, null, SurveyComparisons.Periods(earlier, current));
        }

        IReadOnlyDictionary<string, string>? groups = null;
        if (by == "peers")
        {
            groups = await db.SurveyUnits.AsNoTracking().Where(u => u.SurveyId == survey.Id && u.PeerGroup != null)
                .ToDictionaryAsync(u => u.Code, u => u.PeerGroup!, ct);
        }

        return new ComparisonView(survey.Code, question!, by!, SurveyComparisons.Units(current, groups), null);
    }

    public async Task<CrossTab> CrossTabAsync(Caller caller, string code, string? row, string? column, string? unit, ResultsQuery query, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor]);
        new Validation().Required(row, "row", 32).Required(column, "column", 32).ThrowIfInvalid();
        return SurveyComparisons.Cross(await LoadAsync(survey, query, ct), row!, column!, unit);
    }

    // ---------- integrity ----------

    /// <summary>Scans every response for integrity problems and records new flags for review; nothing is changed or deleted.</summary>
    public async Task<ScanResult> ScanAsync(Caller caller, string code, IntegrityScanRequest? request, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, SurveyService.Managers);
        new Validation()
            .Check(request?.StraightLiningMinItems is null or (>= 2 and <= 200), "straightLiningMinItems", "straightLiningMinItems is between 2 and 200.")
            .Check(request?.InterviewerMinN is null or (>= 2 and <= 100000), "interviewerMinN", "interviewerMinN is between 2 and 100000.")
            .Check(request?.InterviewerAlpha is null or (> 0 and < 1), "interviewerAlpha", "interviewerAlpha lies between 0 and 1.")
            .Check(request?.InterviewerMinPoints is null or (>= 0 and <= 100), "interviewerMinPoints", "interviewerMinPoints is between 0 and 100.")
            .ThrowIfInvalid();
        var defaults = new IntegrityOptions();
        var options = new IntegrityOptions(
            request?.StraightLiningMinItems ?? defaults.StraightLiningMinItems, request?.InterviewerMinN ?? defaults.InterviewerMinN,
            request?.InterviewerAlpha ?? defaults.InterviewerAlpha, request?.InterviewerMinPoints ?? defaults.InterviewerMinPoints);
        var data = await LoadAsync(survey, new ResultsQuery(), ct);
        var found = SurveyIntegrity.Scan(data, options);
        var existing = (await db.SurveyReviewFlags.Where(f => f.SurveyId == survey.Id).Select(f => f.Fingerprint).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var now = time.UtcNow();
        var added = new List<SurveyReviewFlag>();
        foreach (var f in found)
        {
            var ids = f.Responses.Order().Select(g => g.ToString("N")).ToList();
            var fingerprint = Sm3.HashHex(f.Kind + "|" + f.Interviewer + "|" + string.Join(',', ids));
            if (!existing.Add(fingerprint))
            {
                continue;
            }

            var flag = new SurveyReviewFlag
            {
                Id = time.NewId(),
                SurveyId = survey.Id,
                Kind = f.Kind,
                Fingerprint = fingerprint,
                Responses = string.Join(',', f.Responses),
                Interviewer = f.Interviewer,
                Detail = f.Detail.Length > 1000 ? f.Detail[..1000] : f.Detail,
                Status = "open",
                CreatedAt = now,
            };
            added.Add(flag);
            db.SurveyReviewFlags.Add(flag);
        }

        audit.Record("survey.integrity_scan", "survey", survey.Code, new { responses = data.Count, found = found.Count, added = added.Count });
        await audit.SaveAsync(ct);
        return new ScanResult(found.Count, added.Count, [.. added.Select(ToView)]);
    }

    public async Task<Page<FlagView>> ListFlagsAsync(Caller caller, string code, string? status, int? page, int? pageSize, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor]);
        var query = db.SurveyReviewFlags.AsNoTracking().Where(f => f.SurveyId == survey.Id);
        if (status is not null)
        {
            query = query.Where(f => f.Status == status);
        }

        var result = await query.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id).ToPageAsync(page, pageSize, x => x, ct);
        return new Page<FlagView>([.. result.Items.Select(ToView)], result.Total, result.PageNumber, result.PageSize);
    }

    public async Task<FlagView> ReviewFlagAsync(Caller caller, string code, Guid id, ReviewRequest r, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, SurveyService.Managers);
        new Validation()
            .Check(r.Decision is "confirmed" or "dismissed", "decision", "decision is confirmed or dismissed.")
            .Optional(r.Note, "note", 1000)
            .ThrowIfInvalid();
        var flag = await db.SurveyReviewFlags.FirstOrDefaultAsync(f => f.Id == id && f.SurveyId == survey.Id, ct) ?? throw DomainException.NotFound("Flag");
        if (flag.Status != "open")
        {
            throw DomainException.Conflict("already_reviewed", "This flag has been reviewed.");
        }

        flag.Status = r.Decision!;
        flag.ReviewNote = r.Note?.Trim();
        flag.ReviewedBy = caller.Actor;
        flag.ReviewedAt = time.UtcNow();
        audit.Record("survey.flag_reviewed", "survey_flag", id.ToString(), new { survey = survey.Code, flag.Kind, flag.Status });
        await audit.SaveAsync(ct);
        return ToView(flag);
    }

    private static FlagView ToView(SurveyReviewFlag f) => new(f.Id, f.Kind, [.. f.Responses.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)],
        f.Interviewer, f.Detail, f.Status, f.ReviewNote, f.ReviewedBy, f.ReviewedAt, f.CreatedAt);

    // ---------- the survey figure for assessments ----------

    /// <summary>
    /// The survey figure per unit for a survey and period, for assessments (a FigureScore leaf takes <see cref="SurveyUnitFigure.Value"/>).
    /// No caller: for server-side use (assessment runs); the API wraps it with the caller's scope.
    /// </summary>
    public async Task<FigureView> FiguresAsync(string surveyCode, DateTime? from, DateTime? to, IReadOnlyList<string>? questions, string basis, CancellationToken ct)
    {
        var survey = await db.Surveys.AsNoTracking().FirstOrDefaultAsync(s => s.Code == surveyCode, ct) ?? throw DomainException.NotFound($"Survey {surveyCode}");
        return await FiguresAsync(survey, new ResultsQuery(from, to), questions, basis, ct);
    }

    public async Task<FigureView> FiguresAsync(Caller caller, string code, ResultsQuery query, IReadOnlyList<string>? questions, string? basis, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, [Role.SystemAdmin, Role.BureauAdmin, Role.Evaluator, Role.Auditor, Role.Integration]);
        return await FiguresAsync(survey, query, questions, basis ?? "index", ct);
    }

    private async Task<FigureView> FiguresAsync(Survey survey, ResultsQuery query, IReadOnlyList<string>? questions, string basis, CancellationToken ct)
    {
        var data = await LoadAsync(survey, query, ct);
        var results = SurveyAnalysis.Analyse(data, new AnalysisOptions(query.MinN ?? survey.MinN, query.Weighted));
        var figures = SurveyFigures.ForUnits(results, questions, basis);
        var used = questions ?? [.. results.Questions.Where(q => q.Type == QuestionType.Likert).Select(q => q.Code)];
        return new FigureView(survey.Code, query.From, query.To, basis, used, figures);
    }

    // ---------- exports ----------

    /// <summary>Writes every response (no personal data: respondent keys never leave the database) as CSV or XLSX.</summary>
    public async Task ExportResponsesAsync(Caller caller, string code, string format, ResultsQuery query, Stream output, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, Exporters);
        var (q, _) = await surveys.QuestionnaireAsync(survey, ct);
        var header = new List<string> { "id", "submitted_at", "version", "unit", "stratum", "channel", "status", "missing", "entered_by", "form_no", "session_id" };
        header.AddRange(q.Questions.Select(x => x.Code));
        var rows = new List<object?[]>();
        await foreach (var r in Filter(survey, query).OrderBy(r => r.SubmittedAt).ThenBy(r => r.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            var answers = SurveyCodec.ReadAnswers(r.Answers);
            var row = new object?[header.Count];
            row[0] = r.Id.ToString();
            row[1] = r.SubmittedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            row[2] = r.Version;
            row[3] = r.UnitCode;
            row[4] = r.StratumCode;
            row[5] = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Channel.ToString());
            row[6] = JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Status.ToString());
            row[7] = r.Missing?.Replace(',', ';');
            row[8] = r.EnteredBy;
            row[9] = r.FormNo;
            row[10] = r.SessionId?.ToString();
            for (var i = 0; i < q.Questions.Count; i++)
            {
                row[11 + i] = answers.TryGetValue(q.Questions[i].Code, out var e) ? Cell(e) : null;
            }

            rows.Add(row);
        }

        audit.Record("survey.exported", "survey", survey.Code, new { what = "responses", format, rows = rows.Count });
        await audit.SaveAsync(ct);
        await WriteAsync(format, header, rows, "responses", output, ct);
    }

    /// <summary>Writes the results, one row per question × unit × stratum (with "*" rows for each unit and for all units), as CSV or XLSX.</summary>
    public async Task ExportResultsAsync(Caller caller, string code, string format, ResultsQuery query, Stream output, CancellationToken ct)
    {
        var survey = await surveys.FindAsync(caller, code, ct, Exporters);
        var data = await LoadAsync(survey, query, ct);
        var results = SurveyAnalysis.Analyse(data, new AnalysisOptions(query.MinN ?? survey.MinN, query.Weighted));
        string[] header =
        [
            "question", "unit", "stratum", "n", "below_min_n", "mean", "variance", "std_dev", "mean_ci_low", "mean_ci_high", "satisfied", "satisfaction_rate",
            "rate_ci_low", "rate_ci_high", "index", "index_ci_low", "index_ci_high", "weighted_mean", "weighted_rate", "weighted_index", "kish_effective_n",
            "design_effect", "distribution",
        ];
        var rows = new List<object?[]>();
        foreach (var question in results.Questions)
        {
            rows.Add(ResultRow(question.Code, "*", "*", question.Overall));
            foreach (var unit in question.Units)
            {
                rows.Add(ResultRow(question.Code, unit.Unit, "*", unit.Stats));
                rows.AddRange(unit.Strata.Select(s => ResultRow(question.Code, unit.Unit, s.Stratum, s.Stats)));
            }
        }

        audit.Record("survey.exported", "survey", survey.Code, new { what = "results", format, rows = rows.Count });
        await audit.SaveAsync(ct);
        await WriteAsync(format, [.. header], rows, "results", output, ct);
    }

    private static object?[] ResultRow(string question, string unit, string stratum, CellStats s) =>
    [
        question, unit, stratum, s.N, s.BelowMinN ? 1 : 0, R(s.Mean), R(s.Variance), R(s.StdDev), R(s.MeanCi?.Lower), R(s.MeanCi?.Upper), s.Satisfied,
        R(s.SatisfactionRate), R(s.RateCi?.Lower), R(s.RateCi?.Upper), R(s.Index), R(s.IndexCi?.Lower), R(s.IndexCi?.Upper),
        R(s.Weighted?.Mean), R(s.Weighted?.SatisfactionRate), R(s.Weighted?.Index), R(s.Weighted?.EffectiveN), R(s.Weighted?.DesignEffect),
        s.Distribution is null ? null : string.Join(';', s.Distribution.Select(c => $"{c.Code}:{c.Count}")),
    ];

    private static object? R(double? value) => value is { } v ? Math.Round(v, 6) : null;

    private static object? Cell(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDecimal(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Array => string.Join(';', e.EnumerateArray().Select(x => x.GetString())),
        _ => null,
    };

    private static async Task WriteAsync(string format, IReadOnlyList<string> header, List<object?[]> rows, string sheet, Stream output, CancellationToken ct)
    {
        if (format == "xlsx")
        {
            var table = rows.Select(r =>
            {
                var d = new Dictionary<string, object?>(header.Count);
                for (var i = 0; i < header.Count; i++)
                {
                    d[header[i]] = r[i];
                }

                return d;
            }).ToList();
            if (table.Count == 0)
            {
                table.Add(header.ToDictionary(h => h, _ => (object?)null));
            }

            await output.SaveAsAsync(table, sheetName: sheet, excelType: ExcelType.XLSX, cancellationToken: ct);
            return;
        }

        var text = new StringBuilder();
        text.Append('\uFEFF'); // Excel opens UTF-8 CSV with Chinese text correctly only with the byte-order mark
        text.AppendJoin(',', header.Select(Csv)).Append("\r\n");
        foreach (var r in rows)
        {
            text.AppendJoin(',', r.Select(v => Csv(v switch
            {
                null => "",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString() ?? "",
            }))).Append("\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        await output.WriteAsync(bytes, ct);
    }

    /// <summary>RFC 4180 quoting; a text starting like a formula is prefixed with ' so spreadsheets do not run it.</summary>
    internal static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '@' or '\t' or '\r' || (value.Length > 1 && value[0] == '-' && !char.IsAsciiDigit(value[1])))
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
