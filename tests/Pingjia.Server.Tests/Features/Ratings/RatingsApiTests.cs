using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

public sealed class CaseIntakeTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task PutCase_SameEventTwice_IsIdempotent()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        var body = s.Case();
        await s.PutCaseAsync(no, body);
        int audits;
        using (var db = factory.Db())
        {
            audits = await db.AuditEntries.CountAsync(e => e.EntityType == "case" && e.EntityId == no);
        }

        var again = await s.PutCaseAsync(no, body);
        Assert.Equal("open", again.GetProperty("rating").GetProperty("state").GetString());
        using var after = factory.Db();
        Assert.Equal(audits, await after.AuditEntries.CountAsync(e => e.EntityType == "case" && e.EntityId == no));
        Assert.Equal(1, await after.Cases.CountAsync(c => c.CaseNo == no));
    }

    [Fact]
    public async Task PutCase_OlderEventArrivingLate_DoesNotUndoNewerOne()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case("approved", eventAt: s.Now));
        var late = await s.PutCaseAsync(no, s.Case("accepted", decidedAt: null, eventAt: s.Now.AddMinutes(-30)));
        Assert.Equal("approved", late.GetProperty("status").GetString());
        Assert.Equal("open", late.GetProperty("rating").GetProperty("state").GetString());
    }

    [Fact]
    public async Task GetCase_NotOpen_SaysWhy()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case("accepted"));
        var got = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/cases/{no}"), 200);
        Assert.Equal("not_open", got.GetProperty("rating").GetProperty("state").GetString());
        Assert.Equal("not_finished", got.GetProperty("rating").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task GetCase_PersonalData_MaskedUnlessRevealedAndRevealIsAudited()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var masked = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/cases/{no}"), 200);
        Assert.Equal("张*丰", masked.GetProperty("applicant").GetProperty("name").GetString());
        Assert.Equal("138****1234", masked.GetProperty("applicant").GetProperty("mobile").GetString());
        Assert.Equal("4403**********123X", masked.GetProperty("applicant").GetProperty("idNumber").GetString());

        var clear = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/cases/{no}?reveal=true"), 200);
        Assert.Equal("张三丰", clear.GetProperty("applicant").GetProperty("name").GetString());
        using var db = factory.Db();
        Assert.True(await db.AuditEntries.AnyAsync(e => e.Action == "personal_data.revealed" && e.EntityId == no));
        var stored = await db.Cases.AsNoTracking().SingleAsync(c => c.CaseNo == no);
        Assert.StartsWith("sm4gcm1:", stored.ApplicantNameEnc, StringComparison.Ordinal);
        Assert.DoesNotContain("13812341234", stored.MobileEnc!, StringComparison.Ordinal);
        Assert.Equal(64, stored.MobileIndex!.Length);
    }

    [Fact]
    public async Task GetCase_RevealByIntegrationKey_IsForbidden()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var key = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "biz", role = "integration", regionCode = s.District }));
        var client = factory.Client(key.GetProperty("key").GetString());
        await HttpAssert.Problem(await client.GetAsync($"/api/v1/cases/{no}?reveal=true"), 403, "personal_data_forbidden");
    }

    [Fact]
    public async Task PutCase_BadInput_EachFieldReportedNothingStored()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var problem = await HttpAssert.Problem(await s.Admin.PutAsJsonAsync("/api/v1/cases/BAD-1",
            new { itemCode = "", applicant = new { type = "7", mobile = "abc", idType = "000" }, decidedAt = s.Now.AddDays(3) }), 400, "validation_failed");
        var fields = HttpAssert.Fields(problem);
        foreach (var f in new[] { "itemCode", "agencyCreditCode", "serviceChannel", "status", "applicant.type", "applicant.mobile", "applicant.idType", "decidedAt" })
        {
            Assert.Contains(f, fields);
        }

        await HttpAssert.Problem(await s.Admin.PutAsJsonAsync("/api/v1/cases/BAD-2", s.Case(item: "NO-SUCH-ITEM")), 404, "item_not_found");
        await HttpAssert.Problem(await s.Admin.PutAsJsonAsync("/api/v1/cases/bad%20no", s.Case()), 400, "validation_failed");
        using var db = factory.Db();
        Assert.False(await db.Cases.AnyAsync(c => c.CaseNo == "BAD-1" || c.CaseNo == "BAD-2"));
    }

    [Fact]
    public async Task CertificateNeededCase_OpensAtSignatureNotAtDecision()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        var decided = await s.PutCaseAsync(no, s.Case("approved", item: s.CertificateItem));
        Assert.Equal("awaiting_certificate_signature", decided.GetProperty("rating").GetProperty("reason").GetString());
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no)), 409, "rating_not_open");
        factory.Clock.Advance(TimeSpan.FromHours(3));
        var signed = await s.PutCaseAsync(no, s.Case("certificate_signed", item: s.CertificateItem, decidedAt: s.Now.AddHours(-3), signedAt: s.Now));
        Assert.Equal("open", signed.GetProperty("rating").GetProperty("state").GetString());
        Assert.Equal(s.Now.UtcDateTime, signed.GetProperty("rating").GetProperty("opensAt").GetDateTime(), TimeSpan.FromMilliseconds(1));
    }
}

public sealed class RatingSubmissionTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Submit_GoodRating_IsStoredWithConfigVersion()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var created = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 5, ["510"], "很快", new Dictionary<string, int> { ["服务态度"] = 5 })), 201);
        Assert.True(created.GetProperty("created").GetBoolean());
        Assert.Equal("非常满意", created.GetProperty("rating").GetProperty("levelName").GetString());
        Assert.Equal(1, created.GetProperty("rating").GetProperty("configVersion").GetInt32());
    }

    [Fact]
    public async Task Submit_Repeat_ReturnsExistingNeverASecond()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var first = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 5)), 201);
        var second = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 1, text: "改主意了")), 200);
        Assert.False(second.GetProperty("created").GetBoolean());
        Assert.Equal(first.GetProperty("rating").GetProperty("id").GetGuid(), second.GetProperty("rating").GetProperty("id").GetGuid());
        Assert.Equal(5, second.GetProperty("rating").GetProperty("level").GetInt32());
    }

    [Fact]
    public async Task Submit_FiftyIdenticalInParallel_MakeExactlyOneRatingAndCountersMatchRecount()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => s.RateAsync(RatingScenario.Rating(no, 4, ["413"]))));
        Assert.All(responses, r => Assert.True((int)r.StatusCode is 200 or 201, r.StatusCode.ToString()));
        Assert.Single(responses, r => (int)r.StatusCode == 201);
        using var db = factory.Db();
        Assert.Equal(1, await db.Ratings.CountAsync(r => r.CaseNo == no));
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
    }

    [Fact]
    public async Task Submit_FiftyDifferentCasesInParallel_MakeFiftyRatings()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var cases = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            cases.Add(await s.FinishedCaseAsync());
        }

        var responses = await Task.WhenAll(cases.Select((no, i) => s.RateAsync(RatingScenario.Rating(no, 1 + (i % 5), text: "评价内容"))));
        Assert.All(responses, r => Assert.Equal(201, (int)r.StatusCode));
        using var db = factory.Db();
        Assert.Equal(50, await db.Ratings.CountAsync(r => cases.Contains(r.CaseNo)));
        Assert.Equal(0, (await CounterRebuild.RunAsync(db, apply: false, CancellationToken.None)).Differences);
    }

    [Fact]
    public async Task Submit_BadInput_EachHasItsOwnCodeAndNothingIsStored()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating("NO-SUCH-CASE")), 404, "case_not_found");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 6)), 400, "level_out_of_range");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 2, ["510"])), 400, "tag_level_mismatch");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 2)), 400, "bad_rating_needs_reason");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 5, text: new string('长', 501))), 400, "text_too_long");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 5, ["501"])), 400, "tag_retired");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 5, indicators: new Dictionary<string, int> { ["平台操作性"] = 5 })), 400, "indicator_not_allowed");
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 5, channel: "carrier_pigeon")), 400, "malformed_json");

        var failed = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(failed, s.Case("receipt_failed", receiptAt: s.Now));
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(failed)), 409, "receipt_failed_no_rating");
        using var db = factory.Db();
        Assert.False(await db.Ratings.AnyAsync(r => r.CaseNo == no || r.CaseNo == failed));
    }

    [Fact]
    public async Task ReceiptOnlyCase_AcceptsServiceIndicatorsOnly()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        var c = await s.PutCaseAsync(no, s.Case("receipt_only", receiptAt: s.Now));
        Assert.Equal("service_only", c.GetProperty("rating").GetProperty("scope").GetString());
        await HttpAssert.Problem(await s.RateAsync(RatingScenario.Rating(no, 5, indicators: new Dictionary<string, int> { ["服务效率"] = 5 })), 400, "indicator_not_allowed");
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 5, indicators: new Dictionary<string, int> { ["服务态度"] = 5, ["服务水平"] = 4 })), 201);
    }

    [Fact]
    public async Task Batch_OneSubmissionRatesEveryCase()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var batch = "B-" + RatingScenario.NewCaseNo();
        var cases = new[] { RatingScenario.NewCaseNo(), RatingScenario.NewCaseNo(), RatingScenario.NewCaseNo() };
        foreach (var no in cases)
        {
            await s.PutCaseAsync(no, s.Case(batchNo: batch));
        }

        var result = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(cases[0], 4, ["413"])), 201);
        Assert.Equal(2, result.GetProperty("alsoRated").GetArrayLength());
        using var db = factory.Db();
        Assert.Equal(3, await db.Ratings.CountAsync(r => cases.Contains(r.CaseNo) && r.Level == 4 && r.BatchNo == batch));
        await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(cases[2], 1, text: "x")), 200); // already rated through the batch
    }

    [Fact]
    public async Task Theme_OverallRatingPlusOptionalRelatedItems()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var theme = RatingScenario.NewCaseNo();
        var relatedA = RatingScenario.NewCaseNo();
        var relatedB = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(theme, s.Case());
        await s.PutCaseAsync(relatedA, s.Case(themeCaseNo: theme));
        await s.PutCaseAsync(relatedB, s.Case(themeCaseNo: theme));
        var body = new
        {
            caseNo = theme, level = 5, tags = new[] { "510" }, channel = "app",
            related = new[] { new { caseNo = relatedA, level = 4, tags = new[] { "413" } } },
        };
        var result = await HttpAssert.Json(await s.Admin.PostAsJsonAsync("/api/v1/ratings", body), 201);
        Assert.Equal(relatedA, Assert.Single(result.GetProperty("alsoRated").EnumerateArray()).GetProperty("caseNo").GetString());
        var other = await s.FinishedCaseAsync();
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync("/api/v1/ratings", new
        {
            caseNo = relatedB, level = 5, channel = "app", related = new[] { new { caseNo = other, level = 5 } },
        }), 400, "not_a_related_case");
    }

    [Fact]
    public async Task FollowUp_WithinWindow_AddsCommentLevelUnchanged_AfterWindowRefused()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var created = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 3, ["307"])), 201);
        var id = created.GetProperty("rating").GetProperty("id").GetGuid();
        var followed = await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/ratings/{id}/follow-up", new { text = "后来补充：材料一次告知了" }), 200);
        Assert.Equal(3, followed.GetProperty("level").GetInt32());
        Assert.Equal("后来补充：材料一次告知了", followed.GetProperty("followUp").GetString());
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync($"/api/v1/ratings/{id}/follow-up", new { text = "again" }), 409, "follow_up_exists");

        var late = await s.FinishedCaseAsync();
        var lateRating = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(late, 5)), 201);
        factory.Clock.Advance(TimeSpan.FromDays(9));
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync($"/api/v1/ratings/{lateRating.GetProperty("rating").GetProperty("id").GetGuid()}/follow-up", new { text = "late" }), 409, "window_closed");
    }

    [Fact]
    public async Task Exclude_RatingLeavesFiguresButStaysVisibleWithReason()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var created = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 1, text: "恶意差评")), 201);
        var id = created.GetProperty("rating").GetProperty("id").GetGuid();
        var excluded = await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/ratings/{id}/exclude", new { reason = "申诉成立：恶意评价" }), 200);
        Assert.True(excluded.GetProperty("excluded").GetBoolean());
        var day = DateOnly.FromDateTime(s.Now.UtcDateTime.AddHours(8)).ToString("yyyy-MM-dd");
        var stats = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/stats?from={day}&to={day}&agency={s.Agency}"), 200);
        var total = stats.GetProperty("total");
        Assert.Equal(1, total.GetProperty("excludedRatings").GetInt64());
        Assert.Equal(0, total.GetProperty("badRate").GetProperty("numerator").GetInt64());
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync($"/api/v1/ratings/{id}/exclude", new { reason = "again" }), 409, "already_excluded");
    }

    [Fact]
    public async Task TagPolicy_ChangedToSamePolarity_AllowsNeighbourLevelAndRecordsNewVersion()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var current = await HttpAssert.Json(await s.Admin.GetAsync("/api/v1/rating-config"), 200);
        var config = System.Text.Json.Nodes.JsonNode.Parse(current.GetProperty("config").GetRawText())!.AsObject();
        config["tagPolicy"] = "same_polarity";
        var changed = await HttpAssert.Json(await s.Admin.PutAsync("/api/v1/rating-config", JsonContent.Create(config)), 200);
        var version = changed.GetProperty("version").GetInt32();
        Assert.True(version > current.GetProperty("version").GetInt32());
        var no = await s.FinishedCaseAsync();
        var rated = await HttpAssert.Json(await s.RateAsync(RatingScenario.Rating(no, 4, ["510"])), 201);
        Assert.Equal(version, rated.GetProperty("rating").GetProperty("configVersion").GetInt32());

        config["tagPolicy"] = "own_level";
        await HttpAssert.Json(await s.Admin.PutAsync("/api/v1/rating-config", JsonContent.Create(config)), 200);
        config["windowDays"] = 0;
        await HttpAssert.Problem(await s.Admin.PutAsync("/api/v1/rating-config", JsonContent.Create(config)), 400, "validation_failed");
    }
}

public sealed class RatingLinkTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Link_RatesItsOwnCaseOnly()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var link = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{no}/rating-links", new { channel = "qr_code" }));
        var token = link.GetProperty("token").GetString()!;
        Assert.StartsWith("/r/", link.GetProperty("url").GetString(), StringComparison.Ordinal);
        var anonymous = factory.Client(apiKey: null);
        var view = await HttpAssert.Json(await anonymous.GetAsync($"/api/v1/ratings/by-link/{token}"), 200);
        Assert.Equal(no, view.GetProperty("caseNo").GetString());
        var rated = await HttpAssert.Json(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token, level = 2, tags = new[] { "214" }, text = "态度生硬" }), 201);
        Assert.Equal("qr_code", rated.GetProperty("rating").GetProperty("channel").GetString());
        Assert.Equal(no, rated.GetProperty("rating").GetProperty("caseNo").GetString());
    }

    [Fact]
    public async Task Link_ForgedExpiredOrTampered_IsRefused()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = await s.FinishedCaseAsync();
        var other = await s.FinishedCaseAsync();
        var token = (await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{no}/rating-links", new { }))).GetProperty("token").GetString()!;
        var otherToken = (await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{other}/rating-links", new { }))).GetProperty("token").GetString()!;
        var anonymous = factory.Client(apiKey: null);
        // Another case's payload with this case's signature: a foreign token.
        var foreign = otherToken.Split('.')[0] + "." + token.Split('.')[1];
        await HttpAssert.Problem(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token = foreign, level = 5 }), 403, "forged_token");
        await HttpAssert.Problem(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token = "abc.def", level = 5 }), 403, "forged_token");
        await HttpAssert.Problem(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token = (string?)null, level = 5 }), 403, "forged_token");
        // The applicant changes after the link was made: the link no longer binds the case's rater.
        var third = await s.FinishedCaseAsync();
        var thirdToken = (await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/cases/{third}/rating-links", new { }))).GetProperty("token").GetString()!;
        await s.PutCaseAsync(third, s.Case(applicant: new { type = "1", name = "李四", mobile = "13900000000" }, eventAt: s.Now.AddSeconds(1)));
        await HttpAssert.Problem(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token = thirdToken, level = 5 }), 403, "foreign_token");
        factory.Clock.Advance(TimeSpan.FromDays(9));
        await HttpAssert.Problem(await anonymous.PostAsJsonAsync("/api/v1/ratings/by-link", new { token, level = 5 }), 410, "expired_token");
        using var db = factory.Db();
        Assert.False(await db.Ratings.AnyAsync(r => (r.CaseNo == no || r.CaseNo == other) && !r.IsDefault));
    }
}
