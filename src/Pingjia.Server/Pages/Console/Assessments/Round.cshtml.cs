using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Assessments;

namespace Pingjia.Server.Pages.Console.Assessments;

/// <summary>A scheme leaf that takes a single value on this page (manual scores and figures); other methods use the workbook or the API.</summary>
public sealed record ValueLeaf(string Code, string Name, string Method, decimal Points);

/// <summary>
/// One round: evaluators enter values, units are submitted and approved bottom-up, the office computes, and everyone in
/// scope sees the ranked results with each score's explanation. Every step goes through <see cref="AssessmentService"/>.
/// </summary>
public sealed class RoundModel(AssessmentService assessments, Caller caller) : WebPageModel
{
    [FromRoute]
    public Guid Id { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public RoundResponse Round { get; private set; } = null!;

    public IReadOnlyList<ValueLeaf> Leaves { get; private set; } = [];

    public IReadOnlyList<ResultResponse> Results { get; private set; } = [];

    public Dictionary<Guid, string> Explanations { get; } = [];

    public bool IsOffice => AssessmentService.Offices.Contains(caller.Role ?? Role.Staff);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostInputAsync(Guid unit, string? node, decimal? value, string? source, CancellationToken ct)
    {
        await assessments.EnterInputAsync(Id, unit, node ?? "", new InputRequest(value, null, null, null, null, null, null, null,
            string.IsNullOrWhiteSpace(source) ? null : source.Trim()), ct);
        return Redirect($"/console/assessments/{Id}?done=input");
    }

    public async Task<IActionResult> OnPostStepAsync(Guid unit, string? step, CancellationToken ct)
    {
        _ = step switch
        {
            "submit" => await assessments.SubmitAsync(Id, unit, ct),
            "approve" => await assessments.ApproveAsync(Id, unit, ct),
            "return" => await assessments.ReturnAsync(Id, unit, ct),
            _ => throw Domain.DomainException.Invalid("validation_failed", "Unknown step.", "step"),
        };
        return Redirect($"/console/assessments/{Id}?done={step}");
    }

    public async Task<IActionResult> OnPostComputeAsync(CancellationToken ct)
    {
        await assessments.ComputeAsync(Id, ct);
        return Redirect($"/console/assessments/{Id}?done=compute");
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        Round = await assessments.GetRoundAsync(Id, ct);
        var scheme = await assessments.GetSchemeAsync(Round.SchemeCode, Round.SchemeVersion, ct);
        var leaves = new List<ValueLeaf>();
        if (scheme.Scheme.TryGetProperty("root", out var root))
        {
            Collect(root, leaves);
        }

        Leaves = leaves;
        if (Round.ComputedAt is not null)
        {
            Results = await assessments.ResultsAsync(Id, explanations: false, ct);
            foreach (var r in Results)
            {
                Explanations[r.UnitId] = await assessments.ExplainTextAsync(Id, r.UnitId, ct);
            }
        }
    }

    private static void Collect(JsonElement node, List<ValueLeaf> leaves)
    {
        if (node.TryGetProperty("children", out var children) && children.ValueKind == JsonValueKind.Array && children.GetArrayLength() > 0)
        {
            foreach (var child in children.EnumerateArray())
            {
                Collect(child, leaves);
            }

            return;
        }

        var method = node.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "";
        if (method is "manual" or "figure")
        {
            leaves.Add(new ValueLeaf(node.GetProperty("code").GetString()!, node.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "", method,
                node.TryGetProperty("points", out var p) && p.TryGetDecimal(out var d) ? d : 0));
        }
    }
}
