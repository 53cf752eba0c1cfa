namespace Pingjia.Domain.Surveys;

/// <summary>A closed interval [Lower, Upper].</summary>
public readonly record struct Interval(double Lower, double Upper)
{
    public double Width => Upper - Lower;

    public Interval Map(Func<double, double> f) => new(f(Lower), f(Upper));
}

/// <summary>
/// Special functions for the t and chi-square distributions: log-gamma (Lanczos, g = 7), the regularised incomplete beta
/// (continued fraction, modified Lentz) and the regularised lower incomplete gamma (series / continued fraction).
/// Accurate to about 1e-12, far beyond what survey figures need.
/// </summary>
public static class SpecialFunctions
{
    private static readonly double[] Lanczos =
    [
        0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
        12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
    ];

    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // Reflection keeps the Lanczos sum in its accurate range.
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        }

        x -= 1;
        var a = Lanczos[0];
        var t = x + 7.5;
        for (var i = 1; i < 9; i++)
        {
            a += Lanczos[i] / (x + i);
        }

        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(a);
    }

    /// <summary>I_x(a, b), the regularised incomplete beta function.</summary>
    public static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));
        // The continued fraction converges fast on this side of the mean; the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) covers the other.
        return x < (a + 1) / (a + b + 2)
            ? front * BetaFraction(a, b, x) / a
            : 1 - (front * BetaFraction(b, a, 1 - x) / b);
    }

    private static double BetaFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        double qab = a + b, qap = a + 1, qam = a - 1;
        var c = 1.0;
        var d = 1 - (qab * x / qap);
        d = Math.Abs(d) < tiny ? tiny : d;
        d = 1 / d;
        var h = d;
        for (var m = 1; m <= 500; m++)
        {
            var m2 = 2 * m;
            var aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-15)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>P(a, x), the regularised lower incomplete gamma function.</summary>
    public static double IncompleteGammaLower(double a, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        var logFront = (a * Math.Log(x)) - x - LogGamma(a);
        if (x < a + 1)
        {
            // Series.
            double sum = 1 / a, term = sum, ap = a;
            for (var n = 0; n < 1000; n++)
            {
                ap += 1;
                term *= x / ap;
                sum += term;
                if (Math.Abs(term) < Math.Abs(sum) * 1e-16)
                {
                    break;
                }
            }

            return sum * Math.Exp(logFront);
        }

        // Continued fraction for Q(a, x), modified Lentz.
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < 1000; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = b + (an / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1) < 1e-16)
            {
                break;
            }
        }

        return 1 - (Math.Exp(logFront) * h);
    }
}

/// <summary>Student's t distribution with any positive (also fractional, for Welch) degrees of freedom.</summary>
public static class StudentT
{
    public static double Cdf(double t, double df)
    {
        if (df <= 0 || double.IsNaN(t) || double.IsNaN(df))
        {
            throw new ArgumentOutOfRangeException(nameof(df), "Degrees of freedom must be positive.");
        }

        if (double.IsPositiveInfinity(t))
        {
            return 1;
        }

        if (double.IsNegativeInfinity(t))
        {
            return 0;
        }

        var tail = 0.5 * SpecialFunctions.IncompleteBeta(df / 2, 0.5, df / (df + (t * t)));
        return t > 0 ? 1 - tail : tail;
    }

    /// <summary>Two-sided p-value of an observed t.</summary>
    public static double TwoSidedP(double t, double df)
    {
        var tail = 0.5 * SpecialFunctions.IncompleteBeta(df / 2, 0.5, df / (df + (t * t)));
        return Math.Min(1, 2 * tail);
    }

    /// <summary>The p-quantile: the t with Cdf(t, df) = p. By bracketing and bisection on the CDF, to about 1e-12.</summary>
    public static double Quantile(double p, double df)
    {
        if (!(p > 0 && p < 1) || !(df > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(p), "p must lie in (0, 1) and df be positive.");
        }

        if (p == 0.5)
        {
            return 0;
        }

        if (p < 0.5)
        {
            return -Quantile(1 - p, df);
        }

        double lo = 0, hi = 2;
        while (Cdf(hi, df) < p)
        {
            lo = hi;
            hi *= 2;
            if (hi > 1e12)
            {
                return hi;
            }
        }

        for (var i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1, hi); i++)
        {
            var mid = 0.5 * (lo + hi);
            if (Cdf(mid, df) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }

    [ThreadStatic]
    private static Dictionary<int, double>? _critical;

    /// <summary>t at 0.975 (two-sided 95%), remembered per whole df on this thread since analyses ask for the same few many times.</summary>
    public static double Critical95(double df)
    {
        if (df != Math.Floor(df) || df > int.MaxValue)
        {
            return Quantile(0.975, df);
        }

        var key = (int)df;
        _critical ??= [];
        if (!_critical.TryGetValue(key, out var value))
        {
            value = Quantile(0.975, df);
            _critical[key] = value;
        }

        return value;
    }
}

/// <summary>The chi-square distribution (for the test of independence of a cross-tabulation).</summary>
public static class ChiSquare
{
    public static double Cdf(double x, double df) => SpecialFunctions.IncompleteGammaLower(df / 2, x / 2);

    public static double UpperP(double x, double df) => Math.Max(0, 1 - Cdf(x, df));
}

/// <summary>The Wilson score interval for a proportion (also with a fractional, effective n).</summary>
public static class WilsonInterval
{
    public const double Z95 = 1.959963984540054;

    public static Interval Of(double p, double n, double z = Z95)
    {
        if (n <= 0)
        {
            return new Interval(0, 1);
        }

        var z2 = z * z;
        var centre = p + (z2 / (2 * n));
        var margin = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        var denominator = 1 + (z2 / n);
        return new Interval(Math.Max(0, (centre - margin) / denominator), Math.Min(1, (centre + margin) / denominator));
    }
}

/// <summary>
/// Count, mean and sum of squared deviations (M2) of a sample, combinable without loss (Chan et al.), so figures for any
/// union or difference of cells come from their parts.
/// </summary>
public readonly record struct Moments(double N, double Mean, double M2)
{
    public static Moments Empty => default;

    /// <summary>Sample variance (divisor n − 1); NaN below two observations.</summary>
    public double Variance => N >= 2 ? M2 / (N - 1) : double.NaN;

    public Moments Add(double x)
    {
        var n = N + 1;
        var delta = x - Mean;
        var mean = Mean + (delta / n);
        return new Moments(n, mean, M2 + (delta * (x - mean)));
    }

    public Moments Combine(Moments other)
    {
        if (other.N == 0)
        {
            return this;
        }

        if (N == 0)
        {
            return other;
        }

        var n = N + other.N;
        var delta = other.Mean - Mean;
        return new Moments(n, Mean + (delta * other.N / n), M2 + other.M2 + (delta * delta * N * other.N / n));
    }

    /// <summary>The moments of this sample without the sub-sample <paramref name="part"/> (the rest of a cell).</summary>
    public Moments Without(Moments part)
    {
        var n = N - part.N;
        if (n <= 0)
        {
            return Empty;
        }

        var mean = ((N * Mean) - (part.N * part.Mean)) / n;
        var delta = mean - part.Mean;
        return new Moments(n, mean, Math.Max(0, M2 - part.M2 - (delta * delta * part.N * n / N)));
    }

    /// <summary>Moments of a distribution over values 1..k (<paramref name="counts"/>[v − 1] answers had value v).</summary>
    public static Moments OfCounts(ReadOnlySpan<long> counts)
    {
        double n = 0, sum = 0;
        for (var v = 0; v < counts.Length; v++)
        {
            n += counts[v];
            sum += counts[v] * (v + 1.0);
        }

        if (n == 0)
        {
            return Empty;
        }

        var mean = sum / n;
        double m2 = 0;
        for (var v = 0; v < counts.Length; v++)
        {
            var d = v + 1 - mean;
            m2 += counts[v] * d * d;
        }

        return new Moments(n, mean, m2);
    }
}
