using System.Text;
using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Ratings;

namespace Pingjia.Server.Pages.Public;

/// <summary>Public rankings by region and by agency, with counts and small-sample flags, and the same as open data.</summary>
public sealed class IndexModel(StatsReader stats, TimeProvider time) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Region { get; set; }

    public Period Period { get; private set; } = null!;

    public StatsResponse? Regions { get; private set; }

    public StatsResponse? Agencies { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnGetCsvAsync(string? by, CancellationToken ct)
    {
        await LoadAsync(ct);
        var data = by == "region" ? Regions! : Agencies!;
        return File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(OpenData.Csv(data))).ToArray(), "text/csv; charset=utf-8",
            $"pingjia-ranking-{(by == "region" ? "regions" : "agencies")}-{Period.FromText}-{Period.ToText}.csv");
    }

    public async Task<IActionResult> OnGetJsonAsync(string? by, CancellationToken ct)
    {
        await LoadAsync(ct);
        return new JsonResult(by == "region" ? Regions : Agencies, Json);
    }

    internal static readonly System.Text.Json.JsonSerializerOptions Json = CreateJson();

    private static System.Text.Json.JsonSerializerOptions CreateJson()
    {
        var o = new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web);
        PingjiaApp.ConfigureJson(o);
        return o;
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        Period = Period.Parse(From, To, time);
        var region = string.IsNullOrWhiteSpace(Region) ? null : Region.Trim();
        Regions = await stats.ReadAsAsync(StatsReader.Public, Period.From, Period.To, groupBy: "region", region: region, rank: true, ct: ct);
        Agencies = await stats.ReadAsAsync(StatsReader.Public, Period.From, Period.To, groupBy: "agency", region: region, rank: true, ct: ct);
    }
}
