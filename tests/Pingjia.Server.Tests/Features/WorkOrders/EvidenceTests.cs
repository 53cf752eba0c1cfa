using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.WorkOrders;

public sealed class EvidenceTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private async Task<(RatingScenario S, string No, string CaseNo)> OrderAsync()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var caseNo = await s.FinishedCaseAsync();
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(caseNo, 2, ["214"])), 201);
        using var db = factory.Db();
        return (s, (await db.WorkOrders.SingleAsync(o => o.CaseNo == caseNo)).No, caseNo);
    }

    private static MultipartFormDataContent File(byte[] bytes, string name)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", name);
        return form;
    }

    [Fact]
    public async Task Evidence_PdfUploaded_IsStoredOutsideTheRowAndReadBackIntact()
    {
        var (s, no, _) = await OrderAsync();
        var pdf = "%PDF-1.4\n% 整改通知\n"u8.ToArray().Concat(new byte[2000]).ToArray();
        var created = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsync($"/api/v1/work-orders/{no}/evidence", File(pdf, "整改通知.pdf")));
        Assert.Equal("application/pdf", created.GetProperty("contentType").GetString());
        var back = await s.Admin.GetByteArrayAsync($"/api/v1/work-orders/{no}/evidence/{created.GetProperty("id").GetGuid()}");
        Assert.Equal(pdf, back);
        Assert.True(Directory.EnumerateFiles(Path.Combine(factory.Folder, "evidence"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Evidence_WrongTypeOrTooLarge_IsRefused()
    {
        var (s, no, _) = await OrderAsync();
        await HttpAssert.Problem(await s.Admin.PostAsync($"/api/v1/work-orders/{no}/evidence", File("MZ\x90\x00 not a pdf"u8.ToArray(), "evil.pdf")), 400, "unsupported_evidence_type");
        var huge = new byte[6 * 1024 * 1024];
        "%PDF-"u8.CopyTo(huge);
        var response = await s.Admin.PostAsync($"/api/v1/work-orders/{no}/evidence", File(huge, "big.pdf"));
        Assert.True((int)response.StatusCode is 400 or 413, response.StatusCode.ToString());
        var wrongField = new MultipartFormDataContent { { new StringContent("x"), "note" } };
        await HttpAssert.Problem(await s.Admin.PostAsync($"/api/v1/work-orders/{no}/evidence", wrongField), 400, "evidence_missing");
        await HttpAssert.Problem(await s.Admin.PostAsync($"/api/v1/work-orders/{no}/evidence", new MultipartFormDataContent()), 400, "malformed_request");
    }

    [Fact]
    public async Task RaterLink_StatesHandlingSatisfaction_DissatisfiedReopens()
    {
        var (s, no, caseNo) = await OrderAsync();
        var token = (await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{caseNo}/rating-links", new { channel = "sms" }))).GetProperty("token").GetString();
        var anonymous = factory.Client(null);
        await HttpAssert.Problem(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link/handling-satisfaction", new { token, satisfaction = "dissatisfied" }), 409, "illegal_transition");
        foreach (var (action, body) in new (string, object)[]
        {
            ("dispatch", new { }), ("contact", new { method = "phone", summary = "已联系" }), ("verify", new { outcome = "founded" }),
            ("rectify", new { measures = "加强培训" }), ("approve", new { }),
        })
        {
            await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/work-orders/{no}/{action}", body), 200);
        }

        var answer = await HttpAssert.Json(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link/handling-satisfaction", new { token, satisfaction = "dissatisfied" }), 200);
        Assert.Equal("dispatched", answer.GetProperty("state").GetString());
        Assert.Equal(2, answer.GetProperty("round").GetInt32());
        var outbox = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/sms-outbox?caseNo={caseNo}"), 200);
        Assert.Contains(outbox.GetProperty("items").EnumerateArray(), m => m.GetProperty("kind").GetString() == "work_order_created");
        Assert.Contains(outbox.GetProperty("items").EnumerateArray(), m => m.GetProperty("kind").GetString() == "work_order_closed");
    }
}
