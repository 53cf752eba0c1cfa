using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Pingjia.Server.Features.Assessments;

/// <summary>How many leaf inputs a workbook import wrote.</summary>
public sealed record WorkbookImport(int Inputs);

/// <summary>
/// Assessments over stored data (<c>/api/v1/assessments</c>): scheme versions, rounds, inputs with provenance,
/// bottom-up approval, computation and results with explanations. The endpoints only translate HTTP; the rules live
/// in <see cref="AssessmentService"/>.
/// </summary>
public static class AssessmentsApi
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static IServiceCollection AddAssessments(this IServiceCollection services) => services.AddScoped<AssessmentService>();

    public static void MapAssessments(this IEndpointRouteBuilder app)
    {
        var schemes = app.MapGroup("/api/v1/assessments/schemes").WithTags("Assessments: schemes");
        schemes.MapGet("/", (AssessmentService s, CancellationToken ct) => s.ListSchemesAsync(ct));
        schemes.MapPost("/", async Task<Created<SchemeResponse>> ([FromBody] JsonElement file, AssessmentService s, CancellationToken ct) =>
        {
            var created = await s.CreateSchemeAsync(file, ct);
            return TypedResults.Created($"/api/v1/assessments/schemes/{created.Code}/versions/{created.Version}", created);
        });
        schemes.MapGet("/{code}/versions/{version:int}", (string code, int version, AssessmentService s, CancellationToken ct) => s.GetSchemeAsync(code, version, ct));
        schemes.MapPut("/{code}/versions/{version:int}", (string code, int version, [FromBody] JsonElement file, AssessmentService s, CancellationToken ct) =>
            s.ReplaceDraftAsync(code, version, file, ct));
        schemes.MapPost("/{code}/versions/{version:int}/publish", (string code, int version, AssessmentService s, CancellationToken ct) => s.PublishAsync(code, version, ct));

        var rounds = app.MapGroup("/api/v1/assessments/rounds").WithTags("Assessments: rounds");
        rounds.MapGet("/", (AssessmentService s, CancellationToken ct) => s.ListRoundsAsync(ct));
        rounds.MapPost("/", async Task<Created<RoundResponse>> (RoundRequest request, AssessmentService s, CancellationToken ct) =>
        {
            var created = await s.CreateRoundAsync(request, ct);
            return TypedResults.Created($"/api/v1/assessments/rounds/{created.Id}", created);
        });
        rounds.MapGet("/{id:guid}", (Guid id, AssessmentService s, CancellationToken ct) => s.GetRoundAsync(id, ct));
        rounds.MapGet("/{id:guid}/units/{unitId:guid}/inputs", (Guid id, Guid unitId, AssessmentService s, CancellationToken ct) => s.ListInputsAsync(id, unitId, ct));
        rounds.MapPut("/{id:guid}/units/{unitId:guid}/inputs/{nodeCode}", (Guid id, Guid unitId, string nodeCode, InputRequest request, AssessmentService s, CancellationToken ct) =>
            s.EnterInputAsync(id, unitId, nodeCode, request, ct));
        rounds.MapPost("/{id:guid}/inputs/{nodeCode}/from-ratings", (Guid id, string nodeCode, DateOnly? from, DateOnly? to, AssessmentService s, CancellationToken ct) =>
            s.FeedFromRatingsAsync(id, nodeCode, from, to, ct));
        rounds.MapPost("/{id:guid}/units/{unitId:guid}/submit", (Guid id, Guid unitId, AssessmentService s, CancellationToken ct) => s.SubmitAsync(id, unitId, ct));
        rounds.MapPost("/{id:guid}/units/{unitId:guid}/approve", (Guid id, Guid unitId, AssessmentService s, CancellationToken ct) => s.ApproveAsync(id, unitId, ct));
        rounds.MapPost("/{id:guid}/units/{unitId:guid}/return", (Guid id, Guid unitId, AssessmentService s, CancellationToken ct) => s.ReturnAsync(id, unitId, ct));
        rounds.MapPost("/{id:guid}/compute", (Guid id, AssessmentService s, CancellationToken ct) => s.ComputeAsync(id, ct));
        rounds.MapGet("/{id:guid}/results", (Guid id, bool? explanations, AssessmentService s, CancellationToken ct) => s.ResultsAsync(id, explanations ?? false, ct));
        rounds.MapGet("/{id:guid}/workbook", async Task<FileContentHttpResult> (Guid id, AssessmentService s, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await s.WriteWorkbookAsync(id, buffer, ct);
            return TypedResults.File(buffer.ToArray(), Xlsx, $"round-{id}-entry.xlsx");
        });
        rounds.MapPost("/{id:guid}/workbook", async Task<Ok<WorkbookImport>> (Guid id, HttpRequest request, AssessmentService s, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            buffer.Position = 0;
            return TypedResults.Ok(new WorkbookImport(await s.ImportWorkbookAsync(id, buffer, ct)));
        }).Accepts<Stream>(Xlsx);
        rounds.MapGet("/{id:guid}/results.xlsx", async Task<FileContentHttpResult> (Guid id, AssessmentService s, CancellationToken ct) =>
        {
            using var buffer = new MemoryStream();
            await s.WriteResultsWorkbookAsync(id, buffer, ct);
            return TypedResults.File(buffer.ToArray(), Xlsx, $"round-{id}-results.xlsx");
        });
        rounds.MapGet("/{id:guid}/units/{unitId:guid}/explanation", async Task<ContentHttpResult> (Guid id, Guid unitId, AssessmentService s, CancellationToken ct) =>
            TypedResults.Text(await s.ExplainTextAsync(id, unitId, ct), "text/plain; charset=utf-8"));
    }
}
