namespace Pingjia.Domain.Ratings;

/// <summary>
/// The Wilson score interval for a proportion. Its lower bound ranks units fairly across sample sizes:
/// 3 good of 3 (0.44) stays below 2,900 good of 3,000 (0.96).
/// </summary>
public static class Wilson
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    public static (double Lower, double Upper) Interval(long successes, long n, double z = Z95)
    {
        if (n <= 0)
        {
            return (0, 0);
        }

        double p = (double)successes / n, z2 = z * z;
        var centre = p + (z2 / (2 * n));
        var margin = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4.0 * n * n)));
        var denominator = 1 + (z2 / n);
        return (Math.Max(0, (centre - margin) / denominator), Math.Min(1, (centre + margin) / denominator));
    }
}
