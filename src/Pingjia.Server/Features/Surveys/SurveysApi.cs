using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Pingjia.Data.Surveys;
using Pingjia.Domain;
using Pingjia.Server.Features.Access;

namespace Pingjia.Server.Features.Surveys;

/// <summary>
/// Surveys over HTTP: design and plan (managers), collection on every channel (respondents anonymously through links and
/// session codes; interviewers and clerks signed in), results, comparisons, cross-tabs, integrity review, exports and the
/// survey figure. Every endpoint calls <see cref="SurveyService"/> or <see cref="SurveyResultsService"/>.
/// </summary>
public static class SurveysApi
{
    public static void MapSurveys(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/v1/surveys").WithTags("Surveys");
        g.MapGet("/", (Caller c, SurveyService s, int? page, int? pageSize, CancellationToken ct) => Ok(s.ListAsync(c, page, pageSize, ct)));
        g.MapPost("/", Create);
        g.MapGet("/{code}", (string code, Caller c, SurveyService s, CancellationToken ct) => Ok(s.GetAsync(c, code, ct)));
        g.MapPut("/{code}/questionnaire", (string code, QuestionnaireRequest r, Caller c, SurveyService s, CancellationToken ct) => Ok(s.ReplaceQuestionnaireAsync(c, code, r, ct)));
        g.MapPut("/{code}/plan", (string code, PlanRequest r, Caller c, SurveyService s, CancellationToken ct) => Ok(s.SetPlanAsync(c, code, r, ct)));
        g.MapPut("/{code}/schedule", (string code, ScheduleRequest r, Caller c, SurveyService s, CancellationToken ct) => Ok(s.SetScheduleAsync(c, code, r, ct)));
        g.MapPost("/{code}/links", IssueLinks);

        // Collection by signed-in collectors.
        g.MapPost("/{code}/interviews", Interview);
        g.MapPost("/{code}/paper-batches", Paper);
        g.MapGet("/{code}/responses", (string code, Caller c, SurveyService s, string? channel, string? status, string? unit, int? page, int? pageSize, CancellationToken ct) =>
            Ok(s.ListResponsesAsync(c, code, WireEnum<SurveyChannel>(channel, "channel"), WireEnum<SurveyResponseStatus>(status, "status"), unit, page, pageSize, ct)));

        // On-site sessions.
        g.MapPost("/{code}/sessions", OpenSession);
        g.MapGet("/{code}/sessions", (string code, Caller c, SurveyService s, CancellationToken ct) => Ok(s.ListSessionsAsync(c, code, ct)));
        g.MapPost("/{code}/sessions/{id:guid}/close", (string code, Guid id, Caller c, SurveyService s, CancellationToken ct) => Ok(s.CloseSessionAsync(c, code, id, ct)));
        g.MapGet("/{code}/sessions/{id:guid}/tally", (string code, Guid id, Caller c, SurveyService s, bool? recount, CancellationToken ct) =>
            Ok(recount == true ? s.RecountAsync(c, code, id, ct) : s.TallyAsync(c, code, id, ct)));

        // Respondents (no account): the public anonymous link, personal links, session codes.
        g.MapGet("/public/{token}", (string token, SurveyService s, CancellationToken ct) => Ok(s.ViewPublicAsync(token, ct))).AllowAnonymous();
        g.MapPost("/public/responses", Public).AllowAnonymous();
        g.MapGet("/by-link/{token}", (string token, SurveyService s, CancellationToken ct) => Ok(s.ViewLinkAsync(token, ct))).AllowAnonymous();
        g.MapPost("/by-link", ByLink).AllowAnonymous();
        g.MapGet("/sessions/by-code/{token}", (string token, SurveyService s, CancellationToken ct) => Ok(s.ViewSessionAsync(token, ct))).AllowAnonymous();
        g.MapPost("/sessions/votes", Vote).AllowAnonymous();

        // Results.
        g.MapGet("/{code}/results", (string code, Caller c, SurveyResultsService r, DateTime? from, DateTime? to, bool? includePartial, int? minN, bool? weighted, CancellationToken ct) =>
            Ok(r.AnalyseAsync(c, code, Query(from, to, includePartial, minN, weighted), ct)));
        g.MapGet("/{code}/compare", (string code, Caller c, SurveyResultsService r, string? question, string? by, DateTime? from, DateTime? to, DateTime? previousFrom, DateTime? previousTo,
            bool? includePartial, int? minN, bool? weighted, CancellationToken ct) =>
            Ok(r.CompareAsync(c, code, question, by, Query(from, to, includePartial, minN, weighted), previousFrom, previousTo, ct)));
        g.MapGet("/{code}/crosstab", (string code, Caller c, SurveyResultsService r, string? row, string? column, string? unit, DateTime? from, DateTime? to, bool? includePartial, CancellationToken ct) =>
            Ok(r.CrossTabAsync(c, code, row, column, unit, Query(from, to, includePartial, null, null), ct)));
        g.MapGet("/{code}/figure", (string code, Caller c, SurveyResultsService r, DateTime? from, DateTime? to, string? questions, string? basis, bool? includePartial, int? minN, bool? weighted, CancellationToken ct) =>
            Ok(r.FiguresAsync(c, code, Query(from, to, includePartial, minN, weighted), questions?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), basis, ct)));
        g.MapPost("/{code}/integrity-scan", (string code, IntegrityScanRequest? body, Caller c, SurveyResultsService r, CancellationToken ct) => Ok(r.ScanAsync(c, code, body, ct)));
        g.MapGet("/{code}/flags", (string code, Caller c, SurveyResultsService r, string? status, int? page, int? pageSize, CancellationToken ct) => Ok(r.ListFlagsAsync(c, code, status, page, pageSize, ct)));
        g.MapPost("/{code}/flags/{id:guid}/review", (string code, Guid id, ReviewRequest body, Caller c, SurveyResultsService r, CancellationToken ct) => Ok(r.ReviewFlagAsync(c, code, id, body, ct)));
        g.MapGet("/{code}/export/responses", (string code, Caller c, SurveyResultsService r, HttpContext http, string? format, DateTime? from, DateTime? to, bool? includePartial, CancellationToken ct) =>
            Export(http, code, "responses", format, (stream, f) => r.ExportResponsesAsync(c, code, f, Query(from, to, includePartial, null, null), stream, ct)));
        g.MapGet("/{code}/export/results", (string code, Caller c, SurveyResultsService r, HttpContext http, string? format, DateTime? from, DateTime? to, bool? includePartial, int? minN, bool? weighted, CancellationToken ct) =>
            Export(http, code, "results", format, (stream, f) => r.ExportResultsAsync(c, code, f, Query(from, to, includePartial, minN, weighted), stream, ct)));
    }

    /// <summary>A snake_case enum value from the query string (as the JSON bodies spell them), or a 400 naming the choices.</summary>
    private static T? WireEnum<T>(string? value, string field) where T : struct, Enum
    {
        if (value is null)
        {
            return null;
        }

        foreach (var v in Enum.GetValues<T>())
        {
            if (JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()) == value)
            {
                return v;
            }
        }

        throw DomainException.Invalid("validation_failed", $"{field} is one of {string.Join(", ", Enum.GetValues<T>().Select(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())))}.", field);
    }

    private static ResultsQuery Query(DateTime? from, DateTime? to, bool? includePartial, int? minN, bool? weighted) =>
        new(from, to, includePartial ?? true, minN, weighted ?? true);

    private static async Task<Ok<T>> Ok<T>(Task<T> work) => TypedResults.Ok(await work);

    private static async Task<Created<SurveyView>> Create(SurveyRequest request, Caller caller, SurveyService surveys, CancellationToken ct)
    {
        var view = await surveys.CreateAsync(caller, request, ct);
        return TypedResults.Created($"/api/v1/surveys/{view.Code}", view);
    }

    private static async Task<Created<IssuedLinks>> IssueLinks(string code, LinksRequest request, Caller caller, SurveyService surveys, CancellationToken ct) =>
        TypedResults.Created($"/api/v1/surveys/{code}", await surveys.IssueLinksAsync(caller, code, request, ct));

    private static async Task<Created<ResponseReceipt>> Interview(string code, InterviewRequest request, Caller caller, SurveyService surveys, CancellationToken ct) =>
        Receipt(await surveys.SubmitInterviewAsync(caller, code, request, ct));

    private static async Task<Created<PaperBatchReceipt>> Paper(string code, PaperBatchRequest request, Caller caller, SurveyService surveys, CancellationToken ct)
    {
        var receipt = await surveys.SubmitPaperBatchAsync(caller, code, request, ct);
        return TypedResults.Created($"/api/v1/surveys/{code}/responses", receipt);
    }

    private static async Task<Created<SessionView>> OpenSession(string code, SessionRequest request, Caller caller, SurveyService surveys, CancellationToken ct)
    {
        var session = await surveys.OpenSessionAsync(caller, code, request, ct);
        return TypedResults.Created($"/api/v1/surveys/{code}/sessions/{session.Id}/tally", session);
    }

    private static async Task<Created<ResponseReceipt>> Public(PublicResponseRequest request, SurveyService surveys, CancellationToken ct) =>
        Receipt(await surveys.SubmitPublicAsync(request, ct));

    private static async Task<Created<ResponseReceipt>> ByLink(LinkResponseRequest request, SurveyService surveys, CancellationToken ct) =>
        Receipt(await surveys.SubmitByLinkAsync(request, ct));

    private static async Task<Created<ResponseReceipt>> Vote(VoteRequest request, SurveyService surveys, CancellationToken ct) =>
        Receipt(await surveys.SubmitVoteAsync(request, ct));

    private static Created<ResponseReceipt> Receipt(ResponseReceipt r) => TypedResults.Created($"/api/v1/surveys/{r.Survey}/responses", r);

    private static async Task<EmptyHttpResult> Export(HttpContext http, string code, string what, string? format, Func<Stream, string, Task> write)
    {
        format ??= "csv";
        if (format is not ("csv" or "xlsx"))
        {
            throw DomainException.Invalid("invalid_format", "format is csv or xlsx.", "format");
        }

        // Built in memory first: a refused request (scope, role) must become a problem, not half a file.
        using var buffer = new MemoryStream();
        await write(buffer, format);
        http.Response.ContentType = format == "xlsx" ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"survey-{code}-{what}.{format}\"";
        buffer.Position = 0;
        await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
        return TypedResults.Empty;
    }
}

internal static class SurveyRegistration
{
    public static IServiceCollection AddSurveys(this IServiceCollection services)
    {
        services.AddScoped<SurveyService>();
        services.AddScoped<SurveyResultsService>();
        return services;
    }
}
