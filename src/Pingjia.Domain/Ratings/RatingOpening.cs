namespace Pingjia.Domain.Ratings;

/// <summary>The facts of a case that decide when rating opens.</summary>
public sealed record CaseFacts(
    CaseStatus Status,
    ServiceChannel Channel,
    bool CertificateNeeded,
    DateTime? DecidedAt,
    DateTime? CertificateSignedAt,
    DateTime? ReceiptAt,
    DateTime? EndedAt);

/// <summary>
/// Whether and when rating opens (评价入口), and why. <see cref="OpensAt"/> is null when it does not (yet) open;
/// <see cref="Reason"/> then says why in a stable code.
/// </summary>
public sealed record RatingEntry(DateTime? OpensAt, RatingScope Scope, string Reason)
{
    public bool Opens => OpensAt is not null;
}

/// <summary>
/// Shenzhen's rules for the rating entry: decision for cases without a certificate, signature for cases with one,
/// the end of the flow for self-service and 12345, service-only rating for a successful receipt (收件办结),
/// and no entry at all for a failed receipt or a case that is not finished.
/// </summary>
public static class RatingOpening
{
    public static RatingEntry Decide(CaseFacts c)
    {
        switch (c.Status)
        {
            case CaseStatus.ReceiptFailed:
                return new(null, RatingScope.Full, "receipt_failed");
            case CaseStatus.Withdrawn:
                return new(null, RatingScope.Full, "withdrawn");
            case CaseStatus.Received or CaseStatus.Accepted:
                return new(null, RatingScope.Full, "not_finished");
            case CaseStatus.ReceiptOnly:
                return c.ReceiptAt is { } receipt
                    ? new(receipt, RatingScope.ServiceOnly, "receipt_only")
                    : new(null, RatingScope.ServiceOnly, "missing_receipt_time");
        }

        if (c.Channel is ServiceChannel.SelfService or ServiceChannel.Hotline)
        {
            // The terminal's flow or the call ends normally: that moment opens rating.
            var end = c.EndedAt ?? c.DecidedAt;
            return end is null ? new(null, RatingScope.Full, "missing_end_time") : new(end, RatingScope.Full, "flow_ended");
        }

        // A refused or returned case issues no certificate, so it opens at the decision even when one was needed.
        if (c.CertificateNeeded && c.Status is CaseStatus.Approved or CaseStatus.CertificateSigned)
        {
            return c.CertificateSignedAt is { } signed
                ? new(signed, RatingScope.Full, "certificate_signed")
                : new(null, RatingScope.Full, "awaiting_certificate_signature");
        }

        return c.DecidedAt is { } decided
            ? new(decided, RatingScope.Full, "decided")
            : new(null, RatingScope.Full, "missing_decision_time");
    }
}

/// <summary>
/// The rating window: <c>days</c> natural days after the day rating opened, on the Asia/Shanghai calendar.
/// It closes at local midnight that ends the last day, so 23:59:59 of that day is still inside.
/// </summary>
public static class RatingWindow
{
    /// <summary>China has kept UTC+8 without daylight saving since 1991.</summary>
    public static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);

    public static DateTime ClosesAt(DateTime opensAtUtc, int days)
    {
        if (days < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(days), "A rating window lasts at least one day.");
        }

        var localDate = DateOnly.FromDateTime(opensAtUtc + ShanghaiOffset);
        var closeLocal = localDate.AddDays(days + 1).ToDateTime(TimeOnly.MinValue);
        return DateTime.SpecifyKind(closeLocal - ShanghaiOffset, DateTimeKind.Utc);
    }

    public static bool IsOpen(DateTime opensAtUtc, DateTime closesAtUtc, DateTime nowUtc) => nowUtc >= opensAtUtc && nowUtc < closesAtUtc;

    /// <summary>The local calendar day (yyyymmdd) of an instant, as counters key it.</summary>
    public static int DayOf(DateTime utc)
    {
        var local = utc + ShanghaiOffset;
        return (local.Year * 10000) + (local.Month * 100) + local.Day;
    }
}
