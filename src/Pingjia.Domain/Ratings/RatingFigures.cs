namespace Pingjia.Domain.Ratings;

/// <summary>Summed counters of some set of units, days and channels.</summary>
public sealed record CounterTotals(
    long Finished, long FinishedRated, long Active, long A1, long A2, long A3, long A4, long A5, long Defaults, long Excluded, long FollowUps)
{
    public static CounterTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static CounterTotals operator +(CounterTotals a, CounterTotals b) => new(
        a.Finished + b.Finished, a.FinishedRated + b.FinishedRated, a.Active + b.Active, a.A1 + b.A1, a.A2 + b.A2, a.A3 + b.A3,
        a.A4 + b.A4, a.A5 + b.A5, a.Defaults + b.Defaults, a.Excluded + b.Excluded, a.FollowUps + b.FollowUps);

    /// <summary>Valid ratings: active and default ratings that are not excluded.</summary>
    public long Valid => Active + Defaults;
}

/// <summary>One figure with what it was computed from; <see cref="Value"/> is null when the denominator is 0.</summary>
public sealed record Figure(decimal? Value, long Numerator, long Denominator, bool IncludesDefaults)
{
    public static Figure Of(long numerator, long denominator, bool includesDefaults) =>
        new(denominator == 0 ? null : Math.Round((decimal)numerator / denominator, 6, MidpointRounding.ToEven), numerator, denominator, includesDefaults);
}

/// <summary>Every figure of DESIGN.md (Statistics) from counter totals, each stating numerator, denominator and whether defaults count.</summary>
public sealed record RatingFigures(
    long CasesFinished, long ActiveRatings, long DefaultRatings, long ExcludedRatings, long Ratings,
    Figure ActiveRatingRate, Figure NotRatedRate, Figure GoodRate, Figure ActiveGoodRate, Figure SatisfactionRate, Figure BadRate, Figure AverageLevel)
{
    public static RatingFigures From(CounterTotals t)
    {
        var good = t.A4 + t.A5;
        var levelSum = (1 * t.A1) + (2 * t.A2) + (3 * t.A3) + (4 * t.A4) + (5 * t.A5) + (RatingLevels.DefaultLevel * t.Defaults);
        return new RatingFigures(
            CasesFinished: t.Finished,
            ActiveRatings: t.Active,
            DefaultRatings: t.Defaults,
            ExcludedRatings: t.Excluded,
            Ratings: t.Valid,
            ActiveRatingRate: Figure.Of(t.Active, t.Finished, includesDefaults: false),
            NotRatedRate: Figure.Of(t.Finished - t.FinishedRated, t.Finished, includesDefaults: false),
            GoodRate: Figure.Of(good, t.Valid, includesDefaults: true),
            ActiveGoodRate: Figure.Of(good, t.Active, includesDefaults: false),
            SatisfactionRate: Figure.Of(t.A3 + good + t.Defaults, t.Valid, includesDefaults: true),
            BadRate: Figure.Of(t.A1 + t.A2, t.Valid, includesDefaults: true),
            AverageLevel: Figure.Of(levelSum, t.Valid, includesDefaults: true));
    }
}

/// <summary>Counts of the work orders of bad ratings (excluded ratings left out) in some scope and period.</summary>
public sealed record HandlingTotals(long BadRatings, long Replied, long Founded, long Rectified, long Answered, long Satisfied, long Closed, long ClosedOnTime, long Overdue)
{
    public static HandlingTotals Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public bool IsZero => this == Zero;

    public static HandlingTotals operator +(HandlingTotals a, HandlingTotals b) => new(
        a.BadRatings + b.BadRatings, a.Replied + b.Replied, a.Founded + b.Founded, a.Rectified + b.Rectified, a.Answered + b.Answered,
        a.Satisfied + b.Satisfied, a.Closed + b.Closed, a.ClosedOnTime + b.ClosedOnTime, a.Overdue + b.Overdue);

    public static HandlingTotals operator -(HandlingTotals a) => new(
        -a.BadRatings, -a.Replied, -a.Founded, -a.Rectified, -a.Answered, -a.Satisfied, -a.Closed, -a.ClosedOnTime, -a.Overdue);
}

/// <summary>The handling figures of DESIGN.md (Statistics), each with numerator and denominator.</summary>
public sealed record HandlingFigures(Figure ReplyRate, Figure RectificationRate, Figure RectificationSatisfaction, Figure OnTimeRate, long OverdueCount)
{
    public static HandlingFigures From(HandlingTotals t) => new(
        ReplyRate: Figure.Of(t.Replied, t.BadRatings, includesDefaults: false),
        RectificationRate: Figure.Of(t.Rectified, t.Founded, includesDefaults: false),
        RectificationSatisfaction: Figure.Of(t.Satisfied, t.Answered, includesDefaults: false),
        OnTimeRate: Figure.Of(t.ClosedOnTime, t.Closed, includesDefaults: false),
        OverdueCount: t.Overdue);
}
