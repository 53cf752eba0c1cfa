using Pingjia.Domain.Ratings;

namespace Pingjia.Domain.Tests.Ratings;

public sealed class RatingOpeningTests
{
    private static readonly DateTime Decided = new(2026, 3, 10, 2, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Signed = new(2026, 3, 12, 3, 0, 0, DateTimeKind.Utc);

    private static RatingEntry Decide(CaseStatus status, ServiceChannel channel = ServiceChannel.Window, bool certificate = false,
        DateTime? decided = null, DateTime? signed = null, DateTime? receipt = null, DateTime? ended = null) =>
        RatingOpening.Decide(new CaseFacts(status, channel, certificate, decided, signed, receipt, ended));

    [Theory]
    [InlineData(ServiceChannel.Online)]
    [InlineData(ServiceChannel.Window)]
    public void NoCertificate_OpensAtDecision(ServiceChannel channel)
    {
        Assert.Equal(Decided, Decide(CaseStatus.Approved, channel, decided: Decided).OpensAt);
        Assert.Equal(Decided, Decide(CaseStatus.Refused, channel, decided: Decided).OpensAt);
        Assert.Equal(Decided, Decide(CaseStatus.Returned, channel, decided: Decided).OpensAt); // 退件办结
    }

    [Theory]
    [InlineData(ServiceChannel.Online)]
    [InlineData(ServiceChannel.Window)]
    public void CertificateNeeded_OpensAtSignatureNotDecision(ServiceChannel channel)
    {
        var approved = Decide(CaseStatus.Approved, channel, certificate: true, decided: Decided);
        Assert.False(approved.Opens);
        Assert.Equal("awaiting_certificate_signature", approved.Reason);
        var signed = Decide(CaseStatus.CertificateSigned, channel, certificate: true, decided: Decided, signed: Signed);
        Assert.Equal(Signed, signed.OpensAt);
        Assert.Equal("certificate_signed", signed.Reason);
    }

    [Fact]
    public void CertificateNeededButRefused_OpensAtDecision()
    {
        Assert.Equal(Decided, Decide(CaseStatus.Refused, certificate: true, decided: Decided).OpensAt);
    }

    [Fact]
    public void ReceiptOnly_OpensForServiceOnly()
    {
        var e = Decide(CaseStatus.ReceiptOnly, receipt: Decided);
        Assert.Equal(Decided, e.OpensAt);
        Assert.Equal(RatingScope.ServiceOnly, e.Scope);
    }

    [Theory]
    [InlineData(CaseStatus.ReceiptFailed, "receipt_failed")]
    [InlineData(CaseStatus.Withdrawn, "withdrawn")]
    [InlineData(CaseStatus.Received, "not_finished")]
    [InlineData(CaseStatus.Accepted, "not_finished")]
    public void ReceiptFailedOrUnfinished_NeverOpens(CaseStatus status, string reason)
    {
        var e = Decide(status, decided: Decided, receipt: Decided, ended: Decided);
        Assert.False(e.Opens);
        Assert.Equal(reason, e.Reason);
    }

    [Theory]
    [InlineData(ServiceChannel.SelfService)]
    [InlineData(ServiceChannel.Hotline)]
    public void SelfServiceAndHotline_OpenWhenTheFlowEnds(ServiceChannel channel)
    {
        var ended = Decided.AddMinutes(5);
        Assert.Equal(ended, Decide(CaseStatus.Approved, channel, decided: Decided, ended: ended).OpensAt);
    }
}

public sealed class RatingWindowTests
{
    [Fact]
    public void ClosesAt_SevenNaturalDaysOnShanghaiCalendar()
    {
        // Opens 2026-03-10 16:30 UTC = 2026-03-11 00:30 in Shanghai. Day 1 is 03-12 … day 7 is 03-18;
        // the window closes at 03-19 00:00 Shanghai = 03-18 16:00 UTC.
        var opens = new DateTime(2026, 3, 10, 16, 30, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTime(2026, 3, 18, 16, 0, 0, DateTimeKind.Utc), RatingWindow.ClosesAt(opens, 7));
    }

    [Fact]
    public void IsOpen_AtLastSecondOfLastDay_IsStillOpen()
    {
        var opens = new DateTime(2026, 3, 10, 16, 30, 0, DateTimeKind.Utc);
        var closes = RatingWindow.ClosesAt(opens, 7);
        Assert.True(RatingWindow.IsOpen(opens, closes, new DateTime(2026, 3, 18, 15, 59, 59, DateTimeKind.Utc))); // 23:59:59 local
        Assert.False(RatingWindow.IsOpen(opens, closes, new DateTime(2026, 3, 18, 16, 0, 0, DateTimeKind.Utc)));
    }

    [Fact]
    public void DayOf_UsesShanghaiDate()
    {
        Assert.Equal(20260311, RatingWindow.DayOf(new DateTime(2026, 3, 10, 16, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(20260310, RatingWindow.DayOf(new DateTime(2026, 3, 10, 15, 59, 59, DateTimeKind.Utc)));
    }
}

public sealed class MaskingTests
{
    [Theory]
    [InlineData("张三丰", "张*丰")]
    [InlineData("张三", "张*")]
    [InlineData("欧阳娜娜", "欧**娜")]
    [InlineData("", "")]
    public void Name_KeepsFirstAndLast(string name, string masked) => Assert.Equal(masked, Masking.Name(name));

    [Fact]
    public void Mobile_ShowsPrefixAndLastFour() => Assert.Equal("138****1234", Masking.Mobile("13812341234"));

    [Fact]
    public void IdNumber_ShowsFirstAndLastFour() => Assert.Equal("4403**********123X", Masking.IdNumber("44030419900101123X"));
}

public sealed class WilsonTests
{
    [Fact]
    public void Interval_HandWorked_ThreeOfThree()
    {
        // p=1, n=3, z²=3.8415: centre = 1 + 3.8415/6 = 1.64025; margin = 1.96·√(3.8415/36) = 0.64025;
        // denominator = 1 + 3.8415/3 = 2.28049; lower = 1/2.28049 = 0.4385.
        var (lower, upper) = Wilson.Interval(3, 3);
        Assert.Equal(0.4385, lower, 4);
        Assert.Equal(1.0, upper, 4);
    }

    [Fact]
    public void Interval_LargeSampleOutranksTinyPerfectOne()
    {
        Assert.True(Wilson.Interval(2900, 3000).Lower > Wilson.Interval(3, 3).Lower);
    }
}

public sealed class RatingFiguresTests
{
    [Fact]
    public void From_HandWorkedCounts_GivesEveryFigure()
    {
        // 10 finished, 7 rated actively (4 cases), levels 5,5,4,3,2,1,1 … plus 2 defaults, 1 excluded.
        var t = new CounterTotals(Finished: 10, FinishedRated: 6, Active: 7, A1: 2, A2: 1, A3: 1, A4: 1, A5: 2, Defaults: 2, Excluded: 1, FollowUps: 0);
        var f = RatingFigures.From(t);
        Assert.Equal(9, f.Ratings);
        Assert.Equal(new Figure(0.7m, 7, 10, false), f.ActiveRatingRate);
        Assert.Equal(new Figure(0.4m, 4, 10, false), f.NotRatedRate);
        Assert.Equal(new Figure(0.333333m, 3, 9, true), f.GoodRate);
        Assert.Equal(new Figure(0.428571m, 3, 7, false), f.ActiveGoodRate);
        Assert.Equal(new Figure(0.666667m, 6, 9, true), f.SatisfactionRate);
        Assert.Equal(new Figure(0.333333m, 3, 9, true), f.BadRate);
        // (1·2 + 2·1 + 3·1 + 4·1 + 5·2 + 3·2) / 9 = 27/9 = 3.
        Assert.Equal(new Figure(3m, 27, 9, true), f.AverageLevel);
    }

    [Fact]
    public void From_NoRatings_ValuesAreNull()
    {
        var f = RatingFigures.From(CounterTotals.Zero);
        Assert.Null(f.GoodRate.Value);
        Assert.Equal(0, f.GoodRate.Denominator);
    }
}

public sealed class RatingRulesTests
{
    private static readonly Dictionary<string, TagDefinition> Tags = new()
    {
        ["510"] = new("510", "一窗受理一次办结", 5),
        ["413"] = new("413", "服务态度较好", 4),
        ["209"] = new("209", "未在承诺时间内办结", 2),
        ["110"] = new("110", "无理由超过法定办理时间", 1),
        ["501"] = new("501", "一窗受理一次办成", 5, Retired: true),
    };

    private static readonly string[] Offline = ["服务效率", "服务水平", "服务态度"];

    private static void Check(RatingInput input, TagPolicy policy = TagPolicy.OwnLevel, RatingScope scope = RatingScope.Full, string[]? indicators = null) =>
        RatingRules.Check(input, scope, online: false, policy, indicators ?? Offline, Tags);

    private static string Code(Action a) => Assert.Throws<DomainException>(a).Code;

    [Fact]
    public void BadRating_WithoutTagOrText_IsRefused() =>
        Assert.Equal("bad_rating_needs_reason", Code(() => Check(new RatingInput(2, new Dictionary<string, int>(), [], " "))));

    [Fact]
    public void BadRating_WithText_Stands() => Check(new RatingInput(1, new Dictionary<string, int>(), [], "排队太久"));

    [Fact]
    public void Tag_OfOtherLevel_IsRefusedUnderOwnLevelPolicy() =>
        Assert.Equal("tag_level_mismatch", Code(() => Check(new RatingInput(4, new Dictionary<string, int>(), ["510"], null))));

    [Fact]
    public void Tag_OfSamePolarity_IsAcceptedUnderPolarityPolicy() =>
        Check(new RatingInput(4, new Dictionary<string, int>(), ["510"], null), TagPolicy.SamePolarity);

    [Fact]
    public void Tag_OfOtherPolarity_IsRefusedUnderPolarityPolicy() =>
        Assert.Equal("tag_level_mismatch", Code(() => Check(new RatingInput(2, new Dictionary<string, int>(), ["413"], null), TagPolicy.SamePolarity)));

    [Fact]
    public void Tag_RetiredOrUnknown_IsRefused()
    {
        Assert.Equal("tag_retired", Code(() => Check(new RatingInput(5, new Dictionary<string, int>(), ["501"], null))));
        Assert.Equal("unknown_tag", Code(() => Check(new RatingInput(5, new Dictionary<string, int>(), ["999"], null))));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(6)]
    public void Level_OutOfRange_IsRefused(int level) =>
        Assert.Equal("level_out_of_range", Code(() => Check(new RatingInput(level, new Dictionary<string, int>(), [], null))));

    [Fact]
    public void ReceiptOnly_ServiceIndicatorsOnly()
    {
        string[] serviceOnly = ["服务水平", "服务态度"];
        Check(new RatingInput(5, new Dictionary<string, int> { ["服务态度"] = 5 }, [], null), scope: RatingScope.ServiceOnly, indicators: serviceOnly);
        Assert.Equal("indicator_not_allowed", Code(() =>
            Check(new RatingInput(5, new Dictionary<string, int> { ["服务效率"] = 5 }, [], null), scope: RatingScope.ServiceOnly, indicators: serviceOnly)));
    }

    [Fact]
    public void Text_TooLong_IsRefused() =>
        Assert.Equal("text_too_long", Code(() => Check(new RatingInput(5, new Dictionary<string, int>(), [], new string('很', 501)))));
}
