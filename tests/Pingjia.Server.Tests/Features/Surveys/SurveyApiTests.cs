using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MiniExcelLibs;
using Pingjia.Data.Surveys;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Surveys;

public sealed class SurveyDesignTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Create_FullSurvey_ReturnsPlanQuestionnaireAndVersion()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = SurveyScenario.NewCode();
        var created = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/surveys",
            s.Survey(code, quotas: [new { unit = s.Agency1, stratum = "users", target = 10 }])));
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal("open", created.GetProperty("state").GetString());
        Assert.Equal(4, created.GetProperty("quotas").GetArrayLength()); // 2 units × 2 strata
        Assert.Equal(10, created.GetProperty("quotas").EnumerateArray().Single(q => q.GetProperty("unit").GetString() == s.Agency1 && q.GetProperty("stratum").GetString() == "users").GetProperty("target").GetInt32());
        var q1 = created.GetProperty("sections")[0].GetProperty("questions")[0];
        Assert.Equal("比较满意", q1.GetProperty("scale").GetProperty("labels")[2].GetString());

        var changed = await HttpAssert.Json(await s.Admin.PutAsJsonAsync($"/api/v1/surveys/{code}/questionnaire", new { sections = SurveyScenario.Sections() }), 200);
        Assert.Equal(2, changed.GetProperty("version").GetInt32());
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync("/api/v1/surveys", s.Survey(code)), 409, "survey_exists");
    }

    [Fact]
    public async Task Create_BadInput_ProblemWithEveryField()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var problem = await HttpAssert.Problem(await s.Admin.PostAsJsonAsync("/api/v1/surveys",
            new { code = "bad code!", unitKind = "planet", strata = Array.Empty<object>(), closesAt = DateTime.UtcNow }), 400, "validation_failed");
        Assert.Superset(new HashSet<string> { "code", "title", "regionCode", "unitKind", "units", "strata", "opensAt" }, HttpAssert.Fields(problem).ToHashSet());

        var broken = new
        {
            code = SurveyScenario.NewCode(), title = "t", regionCode = s.District, unitKind = "agency", units = new[] { new { code = s.Agency1 } },
            strata = new[] { new { code = "all", name = "全体" } }, opensAt = DateTime.UtcNow, closesAt = DateTime.UtcNow.AddDays(1),
            sections = new[] { new { code = "s", title = "s", questions = new object[] { new { code = "q", text = "x", type = "likert", scalePreset = "seven" } } } },
        };
        var qp = await HttpAssert.Problem(await s.Admin.PostAsJsonAsync("/api/v1/surveys", broken), 400, "invalid_questionnaire");
        Assert.Contains("sections[0].questions[0].scalePreset", HttpAssert.Fields(qp));

        var unknownUnit = new
        {
            code = SurveyScenario.NewCode(), title = "t", regionCode = s.District, unitKind = "agency", units = new[] { new { code = "91440300MA5XXXXX0X" } },
            strata = new[] { new { code = "all", name = "全体" } }, opensAt = DateTime.UtcNow, closesAt = DateTime.UtcNow.AddDays(1), sections = SurveyScenario.Sections(),
        };
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync("/api/v1/surveys", unknownUnit), 404, "unit_not_found");
        var wrongEnum = await s.Admin.PostAsync("/api/v1/surveys", new StringContent("{\"quotaMode\":\"sometimes\"}", Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(wrongEnum, 400, "malformed_json");
    }

    [Fact]
    public async Task Survey_OtherRegionsBureau_SeesNothing()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var other = await SurveyScenario.CreateAsync(factory);
        var key = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "外区", role = "bureau_admin", regionCode = other.District }));
        var foreign = factory.Client(key.GetProperty("key").GetString());
        await HttpAssert.Problem(await foreign.GetAsync($"/api/v1/surveys/{code}"), 404, "not_found");
        await HttpAssert.Problem(await foreign.GetAsync($"/api/v1/surveys/{code}/results"), 404, "not_found");
        await HttpAssert.Problem(await s.Anonymous.GetAsync($"/api/v1/surveys/{code}"), 401, "unauthorized");
        // The interviewer (evaluator) may collect but not redesign.
        await HttpAssert.Problem(await s.Interviewer.PutAsJsonAsync($"/api/v1/surveys/{code}/plan", new { quotaMode = "warn" }), 403, "forbidden");
    }
}

public sealed class SurveyAgencyScopeTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task AgencyManager_SeesOwnUnitOnly()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4 }, unit: s.Agency1), 201);
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 3 }, unit: s.Agency2), 201);
        var session = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/sessions", new { title = "二号单位现场", unit = s.Agency2, stratum = "users" }));
        var key = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "一号单位", role = "agency_manager", agencyCreditCode = s.Agency1 }));
        var manager = factory.Client(key.GetProperty("key").GetString());

        var view = await HttpAssert.Json(await manager.GetAsync($"/api/v1/surveys/{code}"), 200);
        Assert.All(view.GetProperty("quotas").EnumerateArray(), q => Assert.Equal(s.Agency1, q.GetProperty("unit").GetString()));
        var results = await HttpAssert.Json(await manager.GetAsync($"/api/v1/surveys/{code}/results"), 200);
        var units = results.GetProperty("results").GetProperty("questions")[0].GetProperty("units");
        Assert.Equal(s.Agency1, Assert.Single(units.EnumerateArray()).GetProperty("unit").GetString());
        await HttpAssert.Problem(await manager.GetAsync($"/api/v1/surveys/{code}/sessions/{session.GetProperty("id").GetGuid()}/tally"), 404, "not_found");
        Assert.Equal(0, (await HttpAssert.Json(await manager.GetAsync($"/api/v1/surveys/{code}/sessions"), 200)).GetArrayLength());
        await HttpAssert.Problem(await manager.GetAsync($"/api/v1/surveys/{code}/responses"), 403, "forbidden");
        await HttpAssert.Problem(await manager.GetAsync($"/api/v1/surveys/{code}/export/responses"), 403, "forbidden");
        await HttpAssert.Problem(await manager.PostAsJsonAsync($"/api/v1/surveys/{code}/interviews", new { unit = s.Agency1, stratum = "users", answers = new { q1 = 4 } }), 403, "forbidden");
    }
}

public sealed class SurveyQuotaTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private static readonly object Satisfied = new { q1 = 4, q2 = 3, q3 = 4 };

    [Fact]
    public async Task Quota_Stop_RefusesWhenFull()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync(quotas: [new { unit = s.Agency1, stratum = "users", target = 2 }]);
        var first = await HttpAssert.Json(await s.InterviewAsync(code, Satisfied), 201);
        Assert.Equal(JsonValueKindNull, first.GetProperty("quotaWarning").ValueKind);
        var second = await HttpAssert.Json(await s.InterviewAsync(code, Satisfied), 201);
        Assert.StartsWith("quota_reached", second.GetProperty("quotaWarning").GetString());
        await HttpAssert.Problem(await s.InterviewAsync(code, Satisfied), 409, "quota_full");
        // Another cell of the plan is not affected.
        await HttpAssert.Json(await s.InterviewAsync(code, Satisfied, stratum: "deputies"), 201);
        using var db = factory.Db();
        var survey = await db.Surveys.SingleAsync(x => x.Code == code);
        Assert.Equal(2, await db.SurveyResponses.CountAsync(r => r.SurveyId == survey.Id && r.StratumCode == "users"));
        Assert.Equal(2, (await db.SurveyQuotas.SingleAsync(q => q.SurveyId == survey.Id && q.UnitCode == s.Agency1 && q.StratumCode == "users")).Count);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task Quota_Warn_AcceptsAndWarns()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync(quotaMode: "warn", quotas: [new { unit = s.Agency1, stratum = "users", target = 1 }]);
        await HttpAssert.Json(await s.InterviewAsync(code, Satisfied), 201);
        var over = await HttpAssert.Json(await s.InterviewAsync(code, Satisfied), 201);
        Assert.StartsWith("quota_exceeded", over.GetProperty("quotaWarning").GetString());
        var view = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}"), 200);
        var cell = view.GetProperty("quotas").EnumerateArray().Single(q => q.GetProperty("unit").GetString() == s.Agency1 && q.GetProperty("stratum").GetString() == "users");
        Assert.Equal(2, cell.GetProperty("count").GetInt32());
        Assert.True(cell.GetProperty("full").GetBoolean());
    }

    [Fact]
    public async Task Quota_StopUnderConcurrency_NeverExceedsTarget()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync(quotas: [new { unit = s.Agency1, stratum = "users", target = 5 }]);
        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => s.InterviewAsync(code, Satisfied)));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await HttpAssert.Problem(refused, 409, "quota_full");
        }

        using var db = factory.Db();
        var survey = await db.Surveys.SingleAsync(x => x.Code == code);
        Assert.Equal(5, await db.SurveyResponses.CountAsync(r => r.SurveyId == survey.Id));
    }

    [Fact]
    public async Task Plan_Changed_AppliesToNextResponse()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync(quotas: [new { unit = s.Agency1, stratum = "users", target = 1 }]);
        await HttpAssert.Json(await s.InterviewAsync(code, Satisfied), 201);
        await HttpAssert.Problem(await s.InterviewAsync(code, Satisfied), 409, "quota_full");
        await HttpAssert.Json(await s.Admin.PutAsJsonAsync($"/api/v1/surveys/{code}/plan", new { quotaMode = "stop", quotas = new[] { new { unit = s.Agency1, stratum = "users", target = 3 } } }), 200);
        await HttpAssert.Json(await s.InterviewAsync(code, Satisfied), 201);
        await HttpAssert.Problem(await s.Admin.PutAsJsonAsync($"/api/v1/surveys/{code}/plan", new { quotas = new[] { new { unit = "nope", stratum = "users", target = 3 } } }), 400, "validation_failed");
    }
}

public sealed class SurveyChannelTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task PersonalLink_SecondUse_Refused()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var links = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/links",
            new { unit = s.Agency2, stratum = "deputies", mobiles = new[] { "13912345678" } }));
        var link = links.GetProperty("links")[0];
        Assert.Equal("139****5678", link.GetProperty("mobile").GetString());
        var token = link.GetProperty("token").GetString()!;
        var view = await HttpAssert.Json(await s.Anonymous.GetAsync($"/api/v1/surveys/by-link/{token}"), 200);
        Assert.Equal(s.Agency2, view.GetProperty("fixedUnit").GetString());
        var receipt = await HttpAssert.Json(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/by-link", new { token, answers = new { q1 = 3 } }), 201);
        Assert.Equal("personal_link", receipt.GetProperty("channel").GetString());
        await HttpAssert.Problem(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/by-link", new { token, answers = new { q1 = 3 } }), 409, "link_used");
        await HttpAssert.Problem(await s.Anonymous.GetAsync($"/api/v1/surveys/by-link/{token}"), 409, "link_used");
        await HttpAssert.Problem(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/by-link", new { token = "forged", answers = new { q1 = 3 } }), 403, "invalid_link");
        using var db = factory.Db();
        var stored = await db.SurveyLinks.SingleAsync(l => l.ResponseId == receipt.GetProperty("id").GetGuid());
        Assert.DoesNotContain("13912345678", stored.MobileEnc);
        Assert.NotEqual(token, stored.TokenHash);
    }

    [Fact]
    public async Task PersonalLinks_Sent_InvitationsQueuedWithTheLinks()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var links = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/links",
            new { unit = s.Agency1, stratum = "users", mobiles = new[] { "13911110001", "13911110002" }, send = true }));
        using var db = factory.Db();
        var queued = await db.SmsOutbox.Where(m => m.Kind == "survey_invitation").ToListAsync();
        foreach (var link in links.GetProperty("links").EnumerateArray())
        {
            Assert.Single(queued, m => m.Body.Contains(link.GetProperty("url").GetString()!, StringComparison.Ordinal));
        }

        Assert.All(queued, m => Assert.DoesNotContain("1391111", m.MobileEnc));
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/links", new { unit = s.Agency1, stratum = "users", count = 2, send = true }), 400, "validation_failed");
    }

    [Fact]
    public async Task PersonalLink_ConcurrentUses_ExactlyOneWins()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var links = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/links", new { unit = s.Agency1, stratum = "users", count = 1 }));
        var token = links.GetProperty("links")[0].GetProperty("token").GetString()!;
        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            s.Anonymous.PostAsJsonAsync("/api/v1/surveys/by-link", new { token, answers = new { q1 = 1 + (i % 4), why = i % 4 < 2 ? new[] { "slow" } : null } })));
        Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var refused in attempts.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await HttpAssert.Problem(refused, 409, "link_used");
        }

        using var db = factory.Db();
        var survey = await db.Surveys.SingleAsync(x => x.Code == code);
        Assert.Equal(1, await db.SurveyResponses.CountAsync(r => r.SurveyId == survey.Id));
        Assert.Equal(1, (await db.SurveyQuotas.SingleAsync(q => q.SurveyId == survey.Id && q.UnitCode == s.Agency1 && q.StratumCode == "users")).Count);
    }

    [Fact]
    public async Task AnonymousSurvey_RowsHoldNoPersonalData()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync(anonymous: true);
        var survey = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}"), 200);
        var publicToken = survey.GetProperty("publicToken").GetString()!;
        var view = await HttpAssert.Json(await s.Anonymous.GetAsync($"/api/v1/surveys/public/{publicToken}"), 200);
        Assert.Equal(2, view.GetProperty("units").GetArrayLength());
        const string guard = "device-guard-0123456789abcdef";
        await HttpAssert.Json(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/public/responses",
            new { token = publicToken, unit = s.Agency1, stratum = "users", guard, answers = new { q1 = 4, q2 = 4, q3 = 3, note = "窗口很好" } }), 201);
        await HttpAssert.Problem(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/public/responses",
            new { token = publicToken, unit = s.Agency1, stratum = "users", guard, answers = new { q1 = 1 } }), 409, "duplicate_submission");
        await HttpAssert.Problem(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/public/responses",
            new { token = publicToken, unit = s.Agency1, stratum = "users", answers = new { q1 = 1 } }), 400, "validation_failed");
        // Every other channel keeps no personal data either: links without mobiles, interviews without the phone.
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/links", new { unit = s.Agency1, stratum = "users", mobiles = new[] { "13912345678" } }), 400, "validation_failed");
        await HttpAssert.Problem(await s.InterviewAsync(code, new { q1 = 4 }, phone: "13912345678"), 400, "validation_failed");
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 3 }), 201);
        var links = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/links", new { unit = s.Agency2, stratum = "users" }));
        await HttpAssert.Json(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/by-link", new { token = links.GetProperty("links")[0].GetProperty("token").GetString(), answers = new { q1 = 2, why = new[] { "rude" } } }), 201);

        using var db = factory.Db();
        var id = (await db.Surveys.SingleAsync(x => x.Code == code)).Id;
        var rows = await db.SurveyResponses.AsNoTracking().Where(r => r.SurveyId == id).ToListAsync();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Null(r.RespondentIndex));
        var pub = rows.Single(r => r.Channel == SurveyChannel.PublicLink);
        Assert.Null(pub.EnteredBy);
        Assert.Null(pub.LinkId);
        Assert.NotNull(pub.DuplicateGuard);
        Assert.DoesNotContain(guard, pub.DuplicateGuard);
        Assert.All(await db.SurveyLinks.Where(l => l.SurveyId == id).ToListAsync(), l => { Assert.Null(l.MobileEnc); Assert.Null(l.RespondentIndex); });
        // No column of any response row holds a phone-like number.
        foreach (var r in rows)
        {
            Assert.DoesNotContain("1391234", string.Join("|", r.Answers, r.Missing, r.EnteredBy, r.FormNo, r.RespondentIndex, r.DuplicateGuard));
        }

        Assert.DoesNotContain(factory.Logs.Lines, l => l.Contains("13912345678", StringComparison.Ordinal) || l.Contains(guard, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Phone_Paper_OnSite_EachAttributedToItsChannel()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var phoneReceipt = await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4, q2 = 4 }, phone: "13800001111"), 201);
        Assert.Equal("phone", phoneReceipt.GetProperty("channel").GetString());

        var batch = await PingjiaFactory.EnsureCreated(await s.Interviewer.PostAsJsonAsync($"/api/v1/surveys/{code}/paper-batches", new
        {
            batchNo = "P-001",
            forms = new object[]
            {
                new { formNo = "F0001", unit = s.Agency1, stratum = "users", answers = new { q1 = 3 } },
                new { formNo = "F0002", unit = s.Agency2, stratum = "deputies", answers = new { q1 = 1, why = new[] { "slow", "rude" } } },
                new { formNo = "F0003", unit = s.Agency2, stratum = "users", answers = new { q1 = 2 } }, // reason missing: partial
            },
        }));
        Assert.Equal(3, batch.GetProperty("forms").GetInt32());
        Assert.Equal("partial", batch.GetProperty("responses")[2].GetProperty("status").GetString());

        var session = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/sessions", new { title = "代表现场测评会", unit = s.Agency1, stratum = "deputies" }));
        var sessionToken = session.GetProperty("token").GetString()!;
        var vote = await HttpAssert.Json(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/sessions/votes", new { token = sessionToken, answers = new { q1 = 4, q2 = 3 } }), 201);
        Assert.Equal("on_site", vote.GetProperty("channel").GetString());

        using var db = factory.Db();
        var id = (await db.Surveys.SingleAsync(x => x.Code == code)).Id;
        var rows = await db.SurveyResponses.AsNoTracking().Where(r => r.SurveyId == id).ToListAsync();
        var ph = rows.Single(r => r.Channel == SurveyChannel.Phone);
        Assert.Equal("key:" + s.InterviewerKey, ph.EnteredBy);
        Assert.NotNull(ph.RespondentIndex);
        Assert.DoesNotContain("13800001111", ph.RespondentIndex);
        var paper = rows.Where(r => r.Channel == SurveyChannel.Paper).OrderBy(r => r.FormNo).ToList();
        Assert.Equal(["F0001", "F0002", "F0003"], paper.Select(p => p.FormNo));
        Assert.All(paper, p => Assert.Equal(paper[0].PaperBatchId, p.PaperBatchId));
        Assert.Equal(SurveyResponseStatus.Partial, paper[2].Status);
        Assert.Equal("why", paper[2].Missing);
        var onsite = rows.Single(r => r.Channel == SurveyChannel.OnSite);
        Assert.Equal(session.GetProperty("id").GetGuid(), onsite.SessionId);
        Assert.Null(onsite.RespondentIndex);

        var list = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/responses?channel=paper"), 200);
        Assert.Equal(3, list.GetProperty("total").GetInt32());
        Assert.DoesNotContain("respondentIndex", list.GetRawText());
    }

    [Fact]
    public async Task PaperBatch_OneBadForm_NothingWritten()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var problem = await HttpAssert.Problem(await s.Interviewer.PostAsJsonAsync($"/api/v1/surveys/{code}/paper-batches", new
        {
            batchNo = "P-002",
            forms = new object[]
            {
                new { formNo = "G1", unit = s.Agency1, stratum = "users", answers = new { q1 = 3 } },
                new { formNo = "G2", unit = s.Agency1, stratum = "aliens", answers = new { q1 = 7, q9 = 1 } },
            },
        }), 400, "invalid_forms");
        Assert.Equal(["forms[1].answers.q1", "forms[1].answers.q9", "forms[1].stratum"], HttpAssert.Fields(problem).Order());
        await HttpAssert.Json(await s.Interviewer.PostAsJsonAsync($"/api/v1/surveys/{code}/paper-batches", new
        {
            batchNo = "P-003", forms = new object[] { new { formNo = "G1", unit = s.Agency1, stratum = "users", answers = new { q1 = 3 } } },
        }), 201);
        await HttpAssert.Problem(await s.Interviewer.PostAsJsonAsync($"/api/v1/surveys/{code}/paper-batches", new
        {
            batchNo = "P-004", forms = new object[] { new { formNo = "G1", unit = s.Agency1, stratum = "users", answers = new { q1 = 3 } } },
        }), 409, "duplicate_form");
        using var db = factory.Db();
        var id = (await db.Surveys.SingleAsync(x => x.Code == code)).Id;
        Assert.Equal(1, await db.SurveyResponses.CountAsync(r => r.SurveyId == id));
        Assert.Equal(1, await db.SurveyPaperBatches.CountAsync(b => b.SurveyId == id));
    }

    [Fact]
    public async Task PaperBatch_FormOverFullQuota_WholeBatchRolledBack()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync(quotas: [new { unit = s.Agency1, stratum = "users", target = 1 }]);
        await HttpAssert.Problem(await s.Interviewer.PostAsJsonAsync($"/api/v1/surveys/{code}/paper-batches", new
        {
            batchNo = "P-Q",
            forms = new object[]
            {
                new { formNo = "Q1", unit = s.Agency1, stratum = "users", answers = new { q1 = 3 } },
                new { formNo = "Q2", unit = s.Agency1, stratum = "users", answers = new { q1 = 4 } },
            },
        }), 409, "quota_full");
        using var db = factory.Db();
        var id = (await db.Surveys.SingleAsync(x => x.Code == code)).Id;
        Assert.Equal(0, await db.SurveyResponses.CountAsync(r => r.SurveyId == id));
        Assert.Equal(0, await db.SurveyPaperBatches.CountAsync(b => b.SurveyId == id));
        Assert.Equal(0, (await db.SurveyQuotas.SingleAsync(q => q.SurveyId == id && q.UnitCode == s.Agency1 && q.StratumCode == "users")).Count);
        Assert.Equal(0, await db.AuditEntries.CountAsync(e => e.Action == "survey.paper_batch" && e.Data.Contains(code)));
    }

    [Fact]
    public async Task OnSiteSession_LiveTallyEqualsRecount()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var session = await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/sessions", new { title = "政风行风现场测评", unit = s.Agency2, stratum = "deputies" }));
        var id = session.GetProperty("id").GetGuid();
        var token = session.GetProperty("token").GetString()!;
        var votes = Enumerable.Range(0, 40).Select(i => s.Anonymous.PostAsJsonAsync("/api/v1/surveys/sessions/votes", new
        {
            token,
            answers = (i % 4) switch
            {
                0 => (object)new { q1 = 4, q2 = 4, q3 = 4 },
                1 => new { q1 = 3, q2 = 2 },
                2 => new { q1 = 2, why = new[] { "slow" }, note = "排队太久" },
                _ => new { q1 = 1, why = new[] { "slow", "rude" } },
            },
        })).ToList();
        // Read the tally while votes arrive: it answers, and never shows more votes than were sent.
        var during = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/sessions/{id}/tally"), 200);
        Assert.InRange(during.GetProperty("votes").GetInt32(), 0, 40);
        var results = await Task.WhenAll(votes);
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));

        var live = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/sessions/{id}/tally"), 200);
        var recount = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/sessions/{id}/tally?recount=true"), 200);
        Assert.Equal(40, live.GetProperty("votes").GetInt32());
        Assert.Equal(recount.GetRawText(), live.GetRawText());
        var q1 = live.GetProperty("questions")[0];
        Assert.Equal(40, q1.GetProperty("answers").GetInt64());
        Assert.Equal(10, q1.GetProperty("counts").GetProperty("4").GetInt64());
        // Mean of ten each of 4, 3, 2, 1 = 2.5; index (2.5 − 1)/3 × 100 = 50; satisfied (3–4) 20 of 40.
        Assert.Equal(2.5, q1.GetProperty("figures").GetProperty("mean").GetDouble(), 12);
        Assert.Equal(50, q1.GetProperty("figures").GetProperty("index").GetDouble(), 9);
        Assert.Equal(0.5, q1.GetProperty("figures").GetProperty("satisfactionRate").GetDouble(), 12);
        var why = live.GetProperty("questions")[3];
        Assert.Equal(20, why.GetProperty("answers").GetInt64());
        Assert.Equal(20, why.GetProperty("counts").GetProperty("slow").GetInt64());

        await HttpAssert.Json(await s.Admin.PostAsync($"/api/v1/surveys/{code}/sessions/{id}/close", null), 200);
        await HttpAssert.Problem(await s.Anonymous.PostAsJsonAsync("/api/v1/surveys/sessions/votes", new { token, answers = new { q1 = 4 } }), 409, "session_closed");
    }
}

public sealed class SurveyValidationTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Submit_BadAnswers_ProblemByQuestion()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var problem = await HttpAssert.Problem(await s.InterviewAsync(code, new { q1 = 5, q2 = "很好", q3 = new { x = 1 }, zz = 1 }), 400, "invalid_answers");
        Assert.Equal(["answers.q1", "answers.q2", "answers.q3", "answers.zz"], HttpAssert.Fields(problem).Order());
        await HttpAssert.Problem(await s.InterviewAsync(code, new { q1 = 4, why = new[] { "slow" } }), 400, "invalid_answers"); // hidden question
        await HttpAssert.Problem(await s.InterviewAsync(code, new { q1 = 4 }, unit: "nope"), 400, "validation_failed");
        var malformed = await s.Interviewer.PostAsync($"/api/v1/surveys/{code}/interviews", new StringContent("{\"answers\": [1,", Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(malformed, 400, "malformed_json");
        using var db = factory.Db();
        var id = (await db.Surveys.SingleAsync(x => x.Code == code)).Id;
        Assert.Equal(0, await db.SurveyResponses.CountAsync(r => r.SurveyId == id));
    }

    [Fact]
    public async Task Submit_MissingRequired_KeptAsPartial()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var partial = await HttpAssert.Json(await s.InterviewAsync(code, new { q2 = 3 }), 201);
        Assert.Equal("partial", partial.GetProperty("status").GetString());
        Assert.Equal("q1", partial.GetProperty("missing")[0].GetString());
        var complete = await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 3 }), 201);
        Assert.Equal("complete", complete.GetProperty("status").GetString());
        var all = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/results"), 200);
        var onlyComplete = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/results?includePartial=false"), 200);
        Assert.Equal(2, all.GetProperty("results").GetProperty("responses").GetInt64());
        Assert.Equal(1, onlyComplete.GetProperty("results").GetProperty("responses").GetInt64());
    }

    [Fact]
    public async Task Submit_AfterClosing_Refused()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = SurveyScenario.NewCode();
        await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/surveys", s.Survey(code, closesAt: factory.Clock.GetUtcNow().AddHours(1))));
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4 }), 201);
        factory.Clock.Advance(TimeSpan.FromHours(2));
        await HttpAssert.Problem(await s.InterviewAsync(code, new { q1 = 4 }), 409, "survey_closed");
        var view = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}"), 200);
        Assert.Equal("closed", view.GetProperty("state").GetString());
    }
}

public sealed class SurveyResultsTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private static async Task<(SurveyScenario S, string Code)> WithAnswers(PingjiaFactory factory)
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        // Agency1: users 4, 4, 3 and deputies 2, 1 → n 5, mean 2.8; agency2: users 3, 3.
        foreach (var (unit, stratum, q1) in new[]
                 {
                     (s.Agency1, "users", 4), (s.Agency1, "users", 4), (s.Agency1, "users", 3), (s.Agency1, "deputies", 2), (s.Agency1, "deputies", 1),
                     (s.Agency2, "users", 3), (s.Agency2, "users", 3),
                 })
        {
            object answers = q1 <= 2 ? new { q1, q2 = q1, q3 = q1, why = new[] { "slow" } } : new { q1, q2 = q1, q3 = q1 };
            await HttpAssert.Json(await s.InterviewAsync(code, answers, unit, stratum), 201);
        }

        return (s, code);
    }

    [Fact]
    public async Task Results_MatchHandWorkedFigures()
    {
        var (s, code) = await WithAnswers(factory);
        var body = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/results"), 200);
        var q1 = body.GetProperty("results").GetProperty("questions")[0];
        var a1 = q1.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("unit").GetString() == s.Agency1).GetProperty("stats");
        // Mean (4+4+3+2+1)/5 = 2.8; deviations 1.2, 1.2, 0.2, −0.8, −1.8 → squares 1.44+1.44+0.04+0.64+3.24 = 6.8; variance 6.8/4 = 1.7.
        Assert.Equal(5, a1.GetProperty("n").GetInt64());
        Assert.Equal(2.8, a1.GetProperty("mean").GetDouble(), 12);
        Assert.Equal(1.7, a1.GetProperty("variance").GetDouble(), 12);
        Assert.Equal(0.6, a1.GetProperty("satisfactionRate").GetDouble(), 12);
        // Weighted with users 0.8, deputies 0.2: 0.8 × 11/3 + 0.2 × 1.5 = 3.233333.
        Assert.Equal(3.233333, a1.GetProperty("weighted").GetProperty("mean").GetDouble(), 6);

        var cmp = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/compare?question=q1&by=peers"), 200);
        Assert.Equal("窗口单位", cmp.GetProperty("units")[0].GetProperty("group").GetString());
        var cross = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/crosstab?row=q1&column=q2"), 200);
        Assert.Equal(7, cross.GetProperty("n").GetInt64());
        await HttpAssert.Problem(await s.Admin.GetAsync($"/api/v1/surveys/{code}/compare?question=q1&by=stars"), 400, "validation_failed");
        await HttpAssert.Problem(await s.Admin.GetAsync($"/api/v1/surveys/{code}/compare?question=nope&by=units"), 400, "unknown_question");
    }

    [Fact]
    public async Task Compare_Periods_ChangeOfEachUnit()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        var first = factory.Clock.GetUtcNow();
        foreach (var q1 in new[] { 2, 3, 2, 3 })
        {
            await HttpAssert.Json(await s.InterviewAsync(code, q1 <= 2 ? new { q1, why = new[] { "slow" } } : (object)new { q1 }), 201);
        }

        factory.Clock.Advance(TimeSpan.FromDays(10));
        var second = factory.Clock.GetUtcNow();
        foreach (var q1 in new[] { 4, 3, 4, 3 })
        {
            await HttpAssert.Json(await s.InterviewAsync(code, new { q1 }), 201);
        }

        string At(DateTimeOffset t) => Uri.EscapeDataString(t.UtcDateTime.ToString("O"));
        var body = await HttpAssert.Json(await s.Admin.GetAsync(
            $"/api/v1/surveys/{code}/compare?question=q1&by=periods&previousFrom={At(first.AddMinutes(-1))}&previousTo={At(first.AddDays(1))}&from={At(second.AddMinutes(-1))}&to={At(second.AddDays(1))}"), 200);
        var unit = body.GetProperty("periods").EnumerateArray().Single(p => p.GetProperty("unit").GetString() == s.Agency1);
        // Means 2.5 then 3.5: change +1 (index +33.33); rates 2/4 then 4/4: change +0.5.
        Assert.Equal(1.0, unit.GetProperty("change").GetProperty("difference").GetDouble(), 12);
        Assert.Equal(0.5, unit.GetProperty("rateChange").GetProperty("difference").GetDouble(), 12);
        await HttpAssert.Problem(await s.Admin.GetAsync($"/api/v1/surveys/{code}/compare?question=q1&by=periods"), 400, "validation_failed");
    }

    [Fact]
    public async Task Figure_PerUnitForAssessments()
    {
        var (s, code) = await WithAnswers(factory);
        var figure = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/figure?questions=q1&weighted=false"), 200);
        var a2 = figure.GetProperty("units").EnumerateArray().Single(u => u.GetProperty("unit").GetString() == s.Agency2);
        // Agency2: 3, 3 → index (3 − 1)/3 × 100 = 66.666667, Value 0.666667, rate 1.
        Assert.Equal(66.666667m, a2.GetProperty("satisfactionIndex").GetDecimal());
        Assert.Equal(0.666667m, a2.GetProperty("value").GetDecimal());
        Assert.Equal(1m, a2.GetProperty("satisfactionRate").GetDecimal());

        using var scope = factory.Services.CreateScope();
        var service = scope.ServiceProvider.GetRequiredService<Pingjia.Server.Features.Surveys.SurveyResultsService>();
        var direct = await service.FiguresAsync(code, null, null, ["q1"], "index", CancellationToken.None);
        Assert.Equal(2, direct.Units.Count);
        await HttpAssert.Problem(await s.Admin.GetAsync($"/api/v1/surveys/{code}/figure?questions=note"), 400, "no_scale_questions");
    }

    [Fact]
    public async Task Export_CsvAndXlsx_HoldResponsesWithoutPersonalData()
    {
        var (s, code) = await WithAnswers(factory);
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4, note = "=cmd|' /C calc'!A0" }, phone: "13700002222"), 201);
        var csv = await s.Admin.GetAsync($"/api/v1/surveys/{code}/export/responses?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        var text = await csv.Content.ReadAsStringAsync();
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(9, lines.Length); // header + 8 responses
        Assert.StartsWith("id,submitted_at,version,unit,stratum,channel,status,missing,entered_by,form_no,session_id,q1,q2,q3,why,note", lines[0]);
        Assert.Contains("'=cmd", text);
        Assert.DoesNotContain("13700002222", text);

        var xlsx = await s.Admin.GetAsync($"/api/v1/surveys/{code}/export/results?format=xlsx");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        using var stream = new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync());
        var rows = stream.Query(useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        var overall = rows.Single(r => (string)r["question"] == "q1" && (string)r["unit"] == "*");
        Assert.Equal(8.0, Convert.ToDouble(overall["n"], System.Globalization.CultureInfo.InvariantCulture));
        await HttpAssert.Problem(await s.Admin.GetAsync($"/api/v1/surveys/{code}/export/results?format=pdf"), 400, "invalid_format");
    }

    [Fact]
    public async Task IntegrityScan_FlagsForReviewAndDeletesNothing()
    {
        var s = await SurveyScenario.CreateAsync(factory);
        var code = await s.NewSurveyAsync();
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4, q2 = 3, q3 = 4 }, phone: "13600003333"), 201);
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 3, q2 = 3, q3 = 4 }, phone: "13600003333"), 201);
        var scan = await HttpAssert.Json(await s.Admin.PostAsync($"/api/v1/surveys/{code}/integrity-scan", null), 200);
        Assert.Equal(1, scan.GetProperty("new").GetInt32());
        var flag = scan.GetProperty("flags")[0];
        Assert.Equal("duplicate_respondent", flag.GetProperty("kind").GetString());
        Assert.Equal(2, flag.GetProperty("responses").GetArrayLength());
        var again = await HttpAssert.Json(await s.Admin.PostAsync($"/api/v1/surveys/{code}/integrity-scan", null), 200);
        Assert.Equal(0, again.GetProperty("new").GetInt32());
        // Three equal scale answers are straight-lining only with a threshold of three items (the default is five).
        await HttpAssert.Json(await s.InterviewAsync(code, new { q1 = 4, q2 = 4, q3 = 4 }), 201);
        var strict = await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/integrity-scan", new { straightLiningMinItems = 3 }), 200);
        Assert.Equal("straight_lining", Assert.Single(strict.GetProperty("flags").EnumerateArray()).GetProperty("kind").GetString());
        await HttpAssert.Problem(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/integrity-scan", new { interviewerAlpha = 2 }), 400, "validation_failed");
        var reviewed = await HttpAssert.Json(await s.Admin.PostAsJsonAsync($"/api/v1/surveys/{code}/flags/{flag.GetProperty("id").GetGuid()}/review", new { decision = "dismissed", note = "同一家庭两位成员" }), 200);
        Assert.Equal("dismissed", reviewed.GetProperty("status").GetString());
        var results = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}/results"), 200);
        Assert.Equal(3, results.GetProperty("results").GetProperty("responses").GetInt64());
        var view = await HttpAssert.Json(await s.Admin.GetAsync($"/api/v1/surveys/{code}"), 200);
        Assert.Equal(3, view.GetProperty("responsesByChannel").GetProperty("phone").GetInt64());
    }
}
