using System.Text;
using Microsoft.AspNetCore.Mvc;
using Pingjia.Server.Features.Ratings;

namespace Pingjia.Server.Pages.Public;

/// <summary>Monthly figures of the last twelve months (or of a region), each with its counts, and as open data.</summary>
public sealed class MonthlyModel(StatsReader stats, TimeProvider time) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Region { get; set; }

    public StatsResponse? Months { get; private set; }

    public TrendChart? Chart { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(OpenData.Csv(Months!))).ToArray(), "text/csv; charset=utf-8", "pingjia-monthly.csv");
    }

    public async Task<IActionResult> OnGetJsonAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        return new JsonResult(Months, IndexModel.Json);
    }

    public override async Task LoadAsync(CancellationToken ct)
    {
        var today = StatsReader.Today(time);
        var from = new DateOnly(today.Year, today.Month, 1).AddMonths(-11);
        Months = await stats.ReadAsAsync(StatsReader.Public, from, today, groupBy: "month", region: string.IsNullOrWhiteSpace(Region) ? null : Region.Trim(), ct: ct);
        Chart = new TrendChart("monthly", "每月评价数与好评率", "", "", [.. Months.Rows.Select(r => new TrendPoint(r.Keys["month"], r.Figures.Ratings, r.Figures.GoodRate.Value))]);
    }
}
