using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>The surveys of the caller's scope (through <see cref="SurveyService"/>).</summary>
public sealed class IndexModel(SurveyService surveys, Caller caller) : WebPageModel
{
    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    public Page<SurveySummary> Surveys { get; private set; } = new([], 0, 1, 50);

    public async Task OnGetAsync(CancellationToken ct) => Surveys = await surveys.ListAsync(caller, PageNumber, 50, ct);
}
