using Pingjia.Server.Features.Assessments;

namespace Pingjia.Server.Pages.Console.Assessments;

/// <summary>The assessment rounds the caller may see (through <see cref="AssessmentService"/>).</summary>
public sealed class IndexModel(AssessmentService assessments) : WebPageModel
{
    public IReadOnlyList<RoundResponse> Rounds { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => Rounds = await assessments.ListRoundsAsync(ct);
}
