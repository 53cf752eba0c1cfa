using System.Security.Cryptography;

namespace Pingjia.Server.Features.Access;

/// <summary>
/// API keys look like <c>pj_ab12cd34_&lt;40 characters&gt;</c>: the middle part is public and finds the row,
/// the last part is the secret, of which only an SM3 hash is stored.
/// </summary>
public static class ApiKeyFormat
{
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string Generate() => $"pj_{Random(8)}_{Random(40)}";

    public static bool IsWellFormed(string key) => TryParse(key, out _, out _);

    public static bool TryParse(string? key, out string prefix, out string secret)
    {
        prefix = secret = "";
        if (key is null || key.Length > 200 || !key.StartsWith("pj_", StringComparison.Ordinal))
        {
            return false;
        }

        var parts = key.Split('_');
        if (parts.Length != 3 || parts[1].Length != 8 || parts[2].Length < 32
            || !parts[1].All(char.IsAsciiLetterOrDigit) || !parts[2].All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        prefix = parts[1];
        secret = parts[2];
        return true;
    }

    public static string HashSecret(string secret) => Infrastructure.Sm3.HashHex("pingjia-api-key\n" + secret);

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(HashSecret(secret)),
            System.Text.Encoding.ASCII.GetBytes(storedHash));

    private static string Random(int length) =>
        new(Enumerable.Range(0, length).Select(_ => Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)]).ToArray());
}
