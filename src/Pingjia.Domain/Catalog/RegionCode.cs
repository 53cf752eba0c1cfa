using System.Diagnostics.CodeAnalysis;

namespace Pingjia.Domain.Catalog;

/// <summary>Level of a region in the administrative tree (GB/T 2260 plus the statistical township/village codes).</summary>
public enum RegionLevel
{
    Province = 1,
    City = 2,
    County = 3,
    Township = 4,
    Village = 5,
}

/// <summary>
/// A 12-digit administrative area code: 2 digits province, 2 city, 2 county, 3 township, 3 village.
/// Trailing zero segments mean "this level and above", so the level follows from the code itself.
/// </summary>
public readonly record struct RegionCode
{
    private static readonly int[] SegmentEnds = [2, 4, 6, 9, 12];

    private RegionCode(string value) => Value = value;

    public string Value { get; }

    public RegionLevel Level
    {
        get
        {
            for (var i = 0; i < SegmentEnds.Length; i++)
            {
                if (Value.AsSpan(SegmentEnds[i]).TrimStart('0').IsEmpty)
                {
                    return (RegionLevel)(i + 1);
                }
            }

            return RegionLevel.Village;
        }
    }

    /// <summary>The significant digits: a descendant's code starts with them.</summary>
    public string Prefix => Value[..SegmentEnds[(int)Level - 1]];

    public static bool TryParse(string? text, [NotNullWhen(true)] out RegionCode? code, out string? error)
    {
        code = null;
        if (string.IsNullOrEmpty(text) || text.Length != 12 || !text.All(char.IsAsciiDigit))
        {
            error = "A region code has exactly 12 digits.";
            return false;
        }

        if (text.AsSpan(0, 2).SequenceEqual("00"))
        {
            error = "A region code cannot start with 00.";
            return false;
        }

        // Every non-zero segment needs the segments before it to be non-zero (no gaps like 44 00 03 …), with one
        // exception: cities without districts (东莞 4419, 中山 4420, 儋州 4604, 嘉峪关 6202) put towns right below the
        // city, so their codes have a zero county segment followed by a township segment (441900003000).
        var seenZero = false;
        var start = 0;
        for (var i = 0; i < SegmentEnds.Length; i++)
        {
            var end = SegmentEnds[i];
            var zero = text.AsSpan(start, end - start).TrimStart('0').IsEmpty;
            var countyGap = i == 3 && seenZero && text.AsSpan(2, 2).TrimStart('0').Length > 0 && text.AsSpan(4, 2).TrimStart('0').IsEmpty;
            if (!zero && seenZero && !countyGap)
            {
                error = "A region code cannot skip a level (a zero segment followed by a non-zero one).";
                return false;
            }

            seenZero = (seenZero && !countyGap) || zero;
            start = end;
        }

        code = new RegionCode(text);
        error = null;
        return true;
    }

    public static RegionCode Parse(string text) =>
        TryParse(text, out var code, out var error)
            ? code.Value
            : throw DomainException.Invalid("invalid_region_code", error!, "code");

    /// <summary>True when <paramref name="other"/> lies strictly below this region.</summary>
    public bool IsAncestorOf(RegionCode other) =>
        other.Level > Level && other.Value.StartsWith(Prefix, StringComparison.Ordinal);

    public override string ToString() => Value;
}
