using System.Net.Http.Json;
using System.Text.Json;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

/// <summary>A district with one agency, a staff member and two items (with and without a certificate), made per test.</summary>
public sealed class RatingScenario
{
    private static int _cases;

    private RatingScenario(PingjiaFactory factory, HttpClient admin, string district, string agency, string item, string certItem)
    {
        Factory = factory;
        Admin = admin;
        District = district;
        Agency = agency;
        Item = item;
        CertificateItem = certItem;
    }

    public PingjiaFactory Factory { get; }

    public HttpClient Admin { get; }

    public string District { get; }

    public string Agency { get; }

    public string Item { get; }

    public string CertificateItem { get; }

    public DateTimeOffset Now => Factory.Clock.GetUtcNow();

    public static async Task<RatingScenario> CreateAsync(PingjiaFactory factory)
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = "W01", name = "窗口员" }));
        var item = "ITEM-" + agency[^8..];
        var certItem = "CERT-" + agency[^8..];
        foreach (var (code, cert) in new[] { (item, false), (certItem, true) })
        {
            await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/items",
                new { itemCode = code, name = cert ? "营业执照核发" : "社保查询", itemType = "01", legalLimitDays = 20, promisedLimitDays = 5, issuesCertificate = cert, agencyCreditCode = agency }));
        }

        return new RatingScenario(factory, admin, district, agency, item, certItem);
    }

    public static string NewCaseNo() => $"C{Environment.TickCount64 % 100000:00000}-{Interlocked.Increment(ref _cases):000000}";

    /// <summary>A finished window case decided now (unless the fields say otherwise).</summary>
    public object Case(string? status = "approved", string channel = "window", string? item = null, object? applicant = null,
        DateTimeOffset? decidedAt = null, DateTimeOffset? signedAt = null, DateTimeOffset? receiptAt = null, DateTimeOffset? endedAt = null,
        string? batchNo = null, string? themeCaseNo = null, DateTimeOffset? eventAt = null, bool? certificateNeeded = null) => new
        {
            itemCode = item ?? Item,
            agencyCreditCode = Agency,
            staffEmployeeNo = "W01",
            serviceChannel = channel,
            status,
            certificateNeeded,
            batchNo,
            themeCaseNo,
            applicant = applicant ?? new { type = "1", name = "张三丰", idType = "111", idNumber = "44030419900101123X", mobile = "13812341234" },
            acceptedAt = Now.AddHours(-2),
            decidedAt = decidedAt ?? (status is "approved" or "refused" or "returned" or "certificate_signed" ? Now : null),
            certificateSignedAt = signedAt,
            receiptAt,
            endedAt,
            eventAt,
        };

    public async Task<JsonElement> PutCaseAsync(string caseNo, object body, int status = 200) =>
        await HttpAssert.Json(await Admin.PutAsJsonAsync($"/api/v1/cases/{caseNo}", body), status);

    public async Task<string> FinishedCaseAsync(string? status = "approved", string channel = "window")
    {
        var no = NewCaseNo();
        await PutCaseAsync(no, Case(status, channel));
        return no;
    }

    public static object Rating(string caseNo, int level = 5, string[]? tags = null, string? text = null, object? indicators = null, string channel = "hall_device", string? step = null) =>
        new { caseNo, level, tags = tags ?? [], text, indicators, channel, step };

    public Task<HttpResponseMessage> RateAsync(object rating) => Admin.PostAsJsonAsync("/api/v1/ratings", rating);
}
