using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>
/// A survey's progress (quotas, channels, sessions), the distribution of personal links, and its results per question
/// with n, distribution, mean, satisfaction and index.
/// </summary>
public sealed class DetailModel(SurveyService surveys, SurveyResultsService results, Caller caller) : WebPageModel
{
    [FromRoute]
    public string Code { get; set; } = "";

    public SurveyView Survey { get; private set; } = null!;

    public ResultsView Results { get; private set; } = null!;

    public IReadOnlyList<SessionView> Sessions { get; private set; } = [];

    public IssuedLinks? Issued { get; private set; }

    public bool IsManager => SurveyService.Managers.Contains(caller.Role ?? Role.Staff);

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostLinksAsync(string? unit, string? stratum, int? count, string? mobiles, bool send, CancellationToken ct)
    {
        var list = (mobiles ?? "").Split(['\n', ',', '，'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Issued = await surveys.IssueLinksAsync(caller, Code, new LinksRequest(unit, stratum, list.Count > 0 ? null : count, list.Count > 0 ? list : null, null, send), ct);
        await LoadAsync(ct);
        return Page();
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        Survey = await surveys.GetAsync(caller, Code, ct);
        Results = await results.AnalyseAsync(caller, Code, new ResultsQuery(), ct);
        Sessions = await surveys.ListSessionsAsync(caller, Code, ct);
    }
}
