using System.Net.Http.Json;
using System.Text.Json;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Surveys;

/// <summary>A district with two agencies and an evaluator (interviewer) key, made per test; surveys about those agencies.</summary>
public sealed class SurveyScenario
{
    private static int _surveys;

    private SurveyScenario(PingjiaFactory factory, HttpClient admin, HttpClient interviewer, string interviewerKey, string district, string agency1, string agency2)
    {
        Factory = factory;
        Admin = admin;
        Interviewer = interviewer;
        InterviewerKey = interviewerKey;
        District = district;
        Agency1 = agency1;
        Agency2 = agency2;
    }

    public PingjiaFactory Factory { get; }

    public HttpClient Admin { get; }

    /// <summary>An evaluator (测评人员) key scoped to the district: enters phone interviews and paper forms.</summary>
    public HttpClient Interviewer { get; }

    public string InterviewerKey { get; }

    public string District { get; }

    public string Agency1 { get; }

    public string Agency2 { get; }

    public HttpClient Anonymous => Factory.Client(null);

    public static async Task<SurveyScenario> CreateAsync(PingjiaFactory factory)
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var a1 = await factory.NewAgencyAsync(district, admin);
        var a2 = await factory.NewAgencyAsync(district, admin);
        var key = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "调查员", role = "evaluator", regionCode = district }));
        var secret = key.GetProperty("key").GetString()!;
        return new SurveyScenario(factory, admin, factory.Client(secret), key.GetProperty("prefix").GetString() ?? secret[..11], district, a1, a2);
    }

    public static string NewCode() => $"S{Environment.TickCount64 % 10000:0000}-{Interlocked.Increment(ref _surveys):0000}";

    /// <summary>The seeds' four-level questions: overall satisfaction (required), attitude, efficiency, and a conditional reason.</summary>
    public static object[] Sections() =>
    [
        new
        {
            code = "s1", title = "总体评价",
            questions = new object[]
            {
                new { code = "q1", text = "您对该单位的总体满意程度", type = "likert", required = true, scalePreset = "four_level" },
                new { code = "q2", text = "服务态度", type = "likert", scalePreset = "four_level" },
                new { code = "q3", text = "办事效率", type = "likert", scalePreset = "four_level" },
                new
                {
                    code = "why", text = "不满意的主要原因", type = "multiple_choice", required = true,
                    options = new[] { new { code = "slow", label = "办事慢" }, new { code = "rude", label = "态度差" } },
                    showIf = new { questionCode = "q1", anyOf = new[] { "1", "2" } },
                },
                new { code = "note", text = "意见建议", type = "text", maxLength = 200 },
            },
        },
    ];

    public object Survey(string code, bool anonymous = false, string quotaMode = "stop", object[]? quotas = null, DateTimeOffset? closesAt = null) => new
    {
        code,
        title = "2026 年度群众满意度测评",
        regionCode = District,
        unitKind = "agency",
        units = new[] { new { code = Agency1, peerGroup = "窗口单位" }, new { code = Agency2, peerGroup = "窗口单位" } },
        strata = new[]
        {
            new { code = "users", name = "服务对象", kind = "respondent_type", populationShare = 0.8 },
            new { code = "deputies", name = "人大代表", kind = "respondent_type", populationShare = 0.2 },
        },
        quotaMode,
        quotas = quotas ?? [],
        anonymous,
        opensAt = Factory.Clock.GetUtcNow().AddDays(-1),
        closesAt = closesAt ?? Factory.Clock.GetUtcNow().AddDays(30),
        minN = 2,
        sections = Sections(),
    };

    public async Task<string> NewSurveyAsync(bool anonymous = false, string quotaMode = "stop", object[]? quotas = null)
    {
        var code = NewCode();
        await PingjiaFactory.EnsureCreated(await Admin.PostAsJsonAsync("/api/v1/surveys", Survey(code, anonymous, quotaMode, quotas)));
        return code;
    }

    public Task<HttpResponseMessage> InterviewAsync(string survey, object answers, string? unit = null, string stratum = "users", string? phone = null) =>
        Interviewer.PostAsJsonAsync($"/api/v1/surveys/{survey}/interviews", new { unit = unit ?? Agency1, stratum, respondentPhone = phone, answers });

    public static async Task<JsonElement> Json(HttpResponseMessage response) => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
