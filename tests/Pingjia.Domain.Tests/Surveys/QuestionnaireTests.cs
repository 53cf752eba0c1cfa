using Pingjia.Domain.Surveys;

namespace Pingjia.Domain.Tests.Surveys;

public sealed class QuestionnaireTests
{
    private static readonly Questionnaire Q = Questionnaire.Create([
        new Section("s1", "总体", [
            new Question("q1", "总体满意度", QuestionType.Likert, Required: true, Scale: LikertScale.FourLevel),
            new Question("why", "不满意的原因", QuestionType.MultipleChoice, Required: true, MaxChoices: 2,
                Options: [new("slow", "办事慢"), new("rude", "态度差"), new("other", "其他")], ShowIf: new ShowIf("q1", ["1", "2"])),
            new Question("age", "年龄", QuestionType.Number, Min: 18, Max: 120),
            new Question("kind", "身份", QuestionType.SingleChoice, Options: [new("resident", "居民"), new("company", "企业")]),
            new Question("text", "建议", QuestionType.Text, MaxLength: 10),
        ]),
    ]);

    private static Dictionary<string, RawAnswer> A(params (string Code, RawAnswer Answer)[] answers) => answers.ToDictionary(a => a.Code, a => a.Answer);

    [Fact]
    public void Presets_HaveTheSeedLabels()
    {
        Assert.Equal(["不满意", "不太满意", "比较满意", "满意"], LikertScale.FourLevel.Labels);
        Assert.Equal(5, LikertScale.FiveLevel.Points);
        Assert.Same(LikertScale.FourLevel, LikertScale.Preset("four_level"));
        Assert.Null(LikertScale.Preset("seven"));
    }

    [Fact]
    public void Create_BrokenStructure_ListsEveryErrorByPath()
    {
        var e = Assert.Throws<DomainException>(() => Questionnaire.Create([
            new Section("s1", "一", [
                new Question("q1", "x", QuestionType.Likert),
                new Question("q1", "y", QuestionType.SingleChoice, Options: [new("a", "A")]),
                new Question("q3", "z", QuestionType.Text, ShowIf: new ShowIf("later", ["1"])),
                new Question("q4", "z", QuestionType.Text, ShowIf: new ShowIf("q1", ["9"])),
            ]),
            new Section("s2", "二", [new Question("later", "l", QuestionType.Likert, Scale: LikertScale.FiveLevel)]),
        ]));
        Assert.Equal("invalid_questionnaire", e.Code);
        Assert.Contains("sections[0].questions[0].scale", e.Errors.Keys);
        Assert.Contains("sections[0].questions[1].code", e.Errors.Keys);
        Assert.Contains("sections[0].questions[1].options", e.Errors.Keys);
        Assert.Contains("sections[0].questions[2].showIf.questionCode", e.Errors.Keys);
        Assert.Contains("sections[0].questions[3].showIf.questionCode", e.Errors.Keys); // q1 has no scale, so not categorical
    }

    [Fact]
    public void Check_GoodAnswers_AreNormalised()
    {
        var r = ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 2)), ("why", new RawAnswer(List: ["rude", "slow"])),
            ("age", new RawAnswer(Number: 40.5m)), ("kind", new RawAnswer(Text: "company")), ("text", new RawAnswer(Text: " 好 "))));
        Assert.True(r.Complete);
        Assert.Equal(2, r.Answers["q1"].Scale);
        Assert.Equal(["slow", "rude"], r.Answers["why"].Choices!); // questionnaire order
        Assert.Equal("好", r.Answers["text"].Text);
    }

    [Fact]
    public void Check_BadAnswers_AllReportedByQuestion()
    {
        var e = Assert.Throws<DomainException>(() => ResponseRules.Check(Q, A(
            ("q1", new RawAnswer(Number: 5)), ("age", new RawAnswer(Number: 12)), ("kind", new RawAnswer(Text: "martian")),
            ("text", new RawAnswer(Text: "这是一段超过十个字的很长很长的建议")), ("nope", new RawAnswer(Number: 1)))));
        Assert.Equal("invalid_answers", e.Code);
        Assert.Equal(["answers.age", "answers.kind", "answers.nope", "answers.q1", "answers.text"], e.Errors.Keys.Order());
    }

    [Fact]
    public void Check_MalformedOrFractionalScale_IsRefused()
    {
        Assert.Throws<DomainException>(() => ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 2.5m)))));
        Assert.Throws<DomainException>(() => ResponseRules.Check(Q, A(("q1", new RawAnswer(Malformed: true)))));
        Assert.Throws<DomainException>(() => ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 1)), ("why", new RawAnswer(List: ["slow", "rude", "other"])))));
        Assert.Throws<DomainException>(() => ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 1)), ("why", new RawAnswer(List: ["slow", "slow"])))));
    }

    [Fact]
    public void Check_HiddenQuestionAnswered_IsRefused()
    {
        // q1 = 4 (满意): the reasons for dissatisfaction are not shown.
        var e = Assert.Throws<DomainException>(() => ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 4)), ("why", new RawAnswer(List: ["slow"])))));
        Assert.Contains("answers.why", e.Errors.Keys);
    }

    [Fact]
    public void Check_ShownRequiredMissing_KeptAsPartial()
    {
        var r = ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 1))));
        Assert.False(r.Complete);
        Assert.Equal(["why"], r.MissingRequired);
        var none = ResponseRules.Check(Q, null);
        Assert.Equal(["q1"], none.MissingRequired); // why is hidden while q1 is unanswered
        var satisfied = ResponseRules.Check(Q, A(("q1", new RawAnswer(Number: 4))));
        Assert.True(satisfied.Complete);
    }

    [Fact]
    public void Quota_Stop_RefusesOnceFull()
    {
        Assert.Null(Quotas.Decide(3, 1, QuotaMode.Stop).Warning);
        Assert.StartsWith("quota_reached", Quotas.Decide(3, 2, QuotaMode.Stop).Warning);
        var e = Assert.Throws<DomainException>(() => Quotas.Decide(3, 3, QuotaMode.Stop));
        Assert.Equal("quota_full", e.Code);
        Assert.Equal(ErrorKind.Conflict, e.Kind);
    }

    [Fact]
    public void Quota_Warn_AcceptsWithWarning()
    {
        var d = Quotas.Decide(3, 3, QuotaMode.Warn);
        Assert.True(d.Accepted);
        Assert.Equal(4, d.CountAfter);
        Assert.StartsWith("quota_exceeded", d.Warning);
        Assert.Null(Quotas.Decide(null, 1000, QuotaMode.Stop).Warning);
    }
}

public sealed class IntegrityTests
{
    private static readonly Questionnaire Q = Questionnaire.Create([new Section("s", "s",
        [.. Enumerable.Range(1, 6).Select(i => new Question($"q{i}", $"题{i}", QuestionType.Likert, Scale: LikertScale.FourLevel))])]);

    private static Dictionary<string, Answer> Same(int v) => Enumerable.Range(1, 6).ToDictionary(i => $"q{i}", _ => new Answer(Scale: v));

    [Fact]
    public void Scan_FlagsDuplicatesAndStraightLiningWithoutRemovingAnything()
    {
        var d = new SurveyData(Q, ["U"], [new StratumDefinition("A", "A")]);
        var varied = Enumerable.Range(1, 6).ToDictionary(i => $"q{i}", i => new Answer(Scale: 1 + (i % 4)));
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        d.Add("U", "A", varied, first, respondentKey: "k1");
        d.Add("U", "A", varied, second, respondentKey: "k1");
        var flat = Guid.NewGuid();
        d.Add("U", "A", Same(4), flat, respondentKey: "k2");
        d.Add("U", "A", new Dictionary<string, Answer> { ["q1"] = new(Scale: 4), ["q2"] = new(Scale: 4) }, Guid.NewGuid()); // too few answers to say
        var flags = SurveyIntegrity.Scan(d);
        var dup = Assert.Single(flags, f => f.Kind == IntegrityKinds.DuplicateRespondent);
        Assert.Equal([first, second], dup.Responses);
        var line = Assert.Single(flags, f => f.Kind == IntegrityKinds.StraightLining);
        Assert.Equal([flat], line.Responses);
        Assert.Equal(4, d.Count);
        Assert.Equal(4, SurveyAnalysis.Analyse(d).Question("q1")!.Overall.N);
    }

    [Fact]
    public void Scan_BiasedInterviewer_IsFlaggedAndFairOnesAreNot()
    {
        var random = new Random(7);
        var d = new SurveyData(Q, ["U1", "U2"], [new StratumDefinition("A", "A")]);
        foreach (var who in new[] { "i1", "i2", "i3", "biased" })
        {
            for (var i = 0; i < 60; i++)
            {
                var unit = i % 2 == 0 ? "U1" : "U2";
                // U2 is genuinely worse; the biased interviewer records one point more on every question.
                var answers = Enumerable.Range(1, 6).ToDictionary(q => $"q{q}", _ =>
                {
                    var v = random.Next(1, 4) + (unit == "U1" ? 1 : 0) + (who == "biased" ? 1 : 0);
                    return new Answer(Scale: Math.Clamp(v, 1, 4));
                });
                d.Add(unit, "A", answers, Guid.NewGuid(), interviewer: who);
            }
        }

        var flags = SurveyIntegrity.Scan(d, new IntegrityOptions(StraightLiningMinItems: 99));
        var flag = Assert.Single(flags);
        Assert.Equal(IntegrityKinds.InterviewerEffect, flag.Kind);
        Assert.Equal("biased", flag.Interviewer);
        Assert.Equal(60, flag.Responses.Count);
    }
}
