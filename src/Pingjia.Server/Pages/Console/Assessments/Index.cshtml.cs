using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Assessments;

namespace Pingjia.Server.Pages.Console.Assessments;

/// <summary>Schemes (upload a scheme file, publish a version) and rounds (create, open), through <see cref="AssessmentService"/>.</summary>
public sealed class IndexModel(AssessmentService assessments, Caller caller) : WebPageModel
{
    public IReadOnlyList<RoundResponse> Rounds { get; private set; } = [];

    public IReadOnlyList<SchemeSummary> Schemes { get; private set; } = [];

    public bool IsOffice => AssessmentService.Offices.Contains(caller.Role ?? Role.Staff);

    [BindProperty]
    public string? SchemeFile { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostSchemeAsync(CancellationToken ct)
    {
        await assessments.CreateSchemeAsync(JsonForms.Element(SchemeFile, "scheme"), ct);
        return Redirect("/console/assessments");
    }

    public async Task<IActionResult> OnPostPublishAsync(string? code, int version, CancellationToken ct)
    {
        await assessments.PublishAsync(code ?? "", version, ct);
        return Redirect("/console/assessments");
    }

    /// <summary>A round: one unit per line, <c>name</c> or <c>name,agency credit code</c>.</summary>
    public async Task<IActionResult> OnPostRoundAsync(string? scheme, string? period, string? name, string? regionCode, string? units, CancellationToken ct)
    {
        var parts = (scheme ?? "").Split(" v", 2);
        var list = (units ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split([',', '，'], 2, StringSplitOptions.TrimEntries))
            .Select(p => new RoundUnitRequest(p[0], p.Length > 1 && p[1].Length > 0 ? p[1] : null, null, null, null, null, null)).ToList();
        var round = await assessments.CreateRoundAsync(new RoundRequest(parts[0], parts.Length > 1 && int.TryParse(parts[1], out var v) ? v : null,
            period?.Trim(), name?.Trim(), regionCode?.Trim(), list), ct);
        return Redirect($"/console/assessments/{round.Id}");
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        Rounds = await assessments.ListRoundsAsync(ct);
        Schemes = IsOffice ? await assessments.ListSchemesAsync(ct) : [];
    }
}
