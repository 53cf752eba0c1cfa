namespace Pingjia.Domain.Catalog;

/// <summary>
/// The 18-character unified social credit code (统一社会信用代码) of GB 32100-2015: registration authority,
/// organisation type, 6-digit region, 9-character organisation code, and a check character.
/// </summary>
public static class CreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Checks the alphabet, the region digits and the check character; null when valid, else why not.</summary>
    public static string? Validate(string? code)
    {
        if (code is null || code.Length != 18)
        {
            return "A unified social credit code has 18 characters.";
        }

        foreach (var c in code)
        {
            if (!Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return $"'{c}' is not allowed in a unified social credit code (digits and upper-case letters except I, O, Z, S, V).";
            }
        }

        if (!code.AsSpan(2, 6).ToString().All(char.IsAsciiDigit))
        {
            return "Characters 3 to 8 of a unified social credit code are the region digits.";
        }

        return CheckChar(code.AsSpan(0, 17)) == code[17]
            ? null
            : "The check character of the unified social credit code does not match.";
    }

    /// <summary>The check character for the first 17 characters (mod 31, GB 32100-2015 §5).</summary>
    public static char CheckChar(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += Alphabet.IndexOf(first17[i], StringComparison.Ordinal) * Weights[i];
        }

        var check = 31 - (sum % 31);
        return Alphabet[check == 31 ? 0 : check];
    }
}
