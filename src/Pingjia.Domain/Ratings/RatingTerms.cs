namespace Pingjia.Domain.Ratings;

/// <summary>Where a case stands in its handling (办件状态).</summary>
public enum CaseStatus
{
    Received,
    Accepted,
    Approved,
    Refused,
    Returned,
    CertificateSigned,
    ReceiptOnly,
    ReceiptFailed,
    Withdrawn,
}

/// <summary>How the service itself was delivered; it decides the indicator set (online or offline).</summary>
public enum ServiceChannel
{
    Online,
    Window,
    SelfService,
    Hotline,
}

/// <summary>How a rating reached us (national pf channel codes in brackets where they exist).</summary>
public enum RatingChannel
{
    Pc,
    App,
    QrCode,
    HallDevice,
    SelfServiceTerminal,
    Hotline,
    Sms,
    Paper,
    MiniProgram,
    Default,
}

/// <summary>Good (4–5), neutral (3) or bad (1–2).</summary>
public enum Polarity
{
    Bad,
    Neutral,
    Good,
}

/// <summary>What a rating may judge: the whole service, or only the receiving window (收件办结).</summary>
public enum RatingScope
{
    Full,
    ServiceOnly,
}

public static class RatingLevels
{
    public const int Min = 1;
    public const int Max = 5;

    /// <summary>The level given when a window closes without a rating (基本满意).</summary>
    public const int DefaultLevel = 3;

    public static bool IsValid(int level) => level is >= Min and <= Max;

    public static Polarity PolarityOf(int level) => level switch
    {
        >= 4 => Polarity.Good,
        3 => Polarity.Neutral,
        _ => Polarity.Bad,
    };

    public static string NameOf(int level) => level switch
    {
        5 => "非常满意",
        4 => "满意",
        3 => "基本满意",
        2 => "不满意",
        1 => "非常不满意",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    public static bool IsOnline(ServiceChannel channel) => channel == ServiceChannel.Online;
}
