using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Surveys;

namespace Pingjia.Server.Pages.Console.Surveys;

/// <summary>The live tally of an on-site session (当场统计、当场公布): counts per answer, refreshed every few seconds.</summary>
public sealed class TallyModel(SurveyService surveys, Caller caller) : WebPageModel
{
    [FromRoute]
    public string Code { get; set; } = "";

    [FromRoute]
    public Guid Id { get; set; }

    public SessionTally Tally { get; private set; } = null!;

    public SessionView? Session { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Tally = await surveys.TallyAsync(caller, Code, Id, ct);
        Session = (await surveys.ListSessionsAsync(caller, Code, ct)).FirstOrDefault(s => s.Id == Id);
    }
}
