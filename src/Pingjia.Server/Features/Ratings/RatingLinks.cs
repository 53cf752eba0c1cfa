using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pingjia.Domain;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

/// <summary>What a rating link proves: this case (and step) may be rated by its applicant through this channel until then.</summary>
public sealed record RatingLink(Guid CaseId, string Step, RatingChannel Channel, DateTime ExpiresAt, string? RaterIndex);

/// <summary>
/// Signed, expiring rating links for QR codes, SMS and hall devices: <c>base64url(payload).base64url(HMAC-SM3)</c>.
/// The payload holds ids and a keyed hash only, never personal data, because links travel in URLs.
/// </summary>
public sealed class RatingLinks(PersonalData keys)
{
    /// <summary>How long a link given after rating stays valid (for the follow-up and the view of the handling).</summary>
    public static readonly TimeSpan AfterRatingValidity = TimeSpan.FromDays(7);

    public static DateTime AfterRatingExpiry(DateTime? windowCloses, DateTime now) =>
        windowCloses is { } closes && closes > now + AfterRatingValidity ? closes : now + AfterRatingValidity;

    public string Create(RatingLink link)
    {
        var payload = string.Join('|', "v1", link.CaseId.ToString("N"), link.Step, Counters.ChannelKey(link.Channel),
            new DateTimeOffset(link.ExpiresAt).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), link.RaterIndex?[..16] ?? "");
        var bytes = Encoding.UTF8.GetBytes(payload);
        return Base64Url(bytes) + "." + Base64Url(keys.Sign(bytes));
    }

    /// <summary>Reads a token, refusing a forged one (<c>forged_token</c>) and an expired one (<c>expired_token</c>).</summary>
    public RatingLink Read(string? token, DateTime now)
    {
        var forged = new DomainException(ErrorKind.Forbidden, "forged_token", "This rating link is not valid.");
        if (string.IsNullOrEmpty(token) || token.Length > 400 || token.Split('.') is not [var p, var s])
        {
            throw forged;
        }

        byte[] payload, signature;
        try
        {
            payload = FromBase64Url(p);
            signature = FromBase64Url(s);
        }
        catch (FormatException)
        {
            throw forged;
        }

        if (!CryptographicOperations.FixedTimeEquals(keys.Sign(payload), signature))
        {
            throw forged;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('|');
        if (parts.Length != 6 || parts[0] != "v1" || !Guid.TryParseExact(parts[1], "N", out var caseId)
            || !long.TryParse(parts[4], NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            || !Enum.TryParse<RatingChannel>(parts[3].Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var channel))
        {
            throw forged;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(exp).UtcDateTime;
        if (now >= expires)
        {
            throw new DomainException(ErrorKind.Gone, "expired_token", "This rating link has expired: the rating window is closed.");
        }

        return new RatingLink(caseId, parts[2], channel, expires, parts[5].Length == 0 ? null : parts[5]);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
