using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>A survey's progress (quotas, channels) and its results per question with n, distribution, mean, satisfaction and index.</summary>
public sealed class DetailModel(SurveyService surveys, SurveyResultsService results, Caller caller) : WebPageModel
{
    [FromRoute]
    public string Code { get; set; } = "";

    public SurveyView Survey { get; private set; } = null!;

    public ResultsView Results { get; private set; } = null!;

    public IReadOnlyList<SessionView> Sessions { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        Survey = await surveys.GetAsync(caller, Code, ct);
        Results = await results.AnalyseAsync(caller, Code, new ResultsQuery(), ct);
        Sessions = await surveys.ListSessionsAsync(caller, Code, ct);
    }
}
