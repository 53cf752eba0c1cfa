using System.Globalization;

namespace Pingjia.Domain.Assessments;

/// <summary>
/// A small, safe expression language for formula leaves: decimal numbers, declared variables, <c>+ - * / %</c>,
/// comparisons, <c>and or not</c>, parentheses and a fixed list of functions. Nothing else: no member access, no
/// reflection, no loops; length and nesting are limited. Parsed once when the scheme loads, so an unknown name or
/// function is reported with the scheme path before any score is computed.
/// </summary>
/// <remarks>
/// Our own parser rather than NCalc: NCalc evaluates in double by default and resolves functions and parameters at
/// evaluation time through events; a closed grammar over decimal keeps the domain dependency-free and exact.
/// </remarks>
public sealed class FormulaExpression
{
    /// <summary>Longest accepted expression, in characters.</summary>
    public const int MaxLength = 500;

    /// <summary>Deepest accepted nesting of parentheses and function calls.</summary>
    public const int MaxDepth = 16;

    /// <summary>The functions a formula may call, with their argument counts.</summary>
    public static readonly IReadOnlyDictionary<string, (int Min, int Max)> Functions = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["min"] = (2, 8), ["max"] = (2, 8), ["abs"] = (1, 1), ["clamp"] = (3, 3), ["if"] = (3, 3),
        ["floor"] = (1, 1), ["ceiling"] = (1, 1), ["round"] = (2, 2),
    };

    private readonly Expr root;

    private FormulaExpression(string text, Expr root, IReadOnlyList<string> names)
    {
        Text = text;
        this.root = root;
        Names = names;
    }

    public string Text { get; }

    /// <summary>The variable names the expression reads.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Parses <paramref name="text"/>; every name must be one of <paramref name="variables"/>. Returns the expression or the errors.</summary>
    public static (FormulaExpression? Expression, IReadOnlyList<string> Errors) Parse(string text, IReadOnlyCollection<string> variables)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, ["The formula is empty."]);
        }

        if (text.Length > MaxLength)
        {
            return (null, [$"The formula is longer than {MaxLength} characters."]);
        }

        var parser = new Parser(text, variables);
        Expr? expr = null;
        try
        {
            expr = parser.ParseAll();
        }
        catch (FormatException e)
        {
            parser.Errors.Add(e.Message);
        }

        return parser.Errors.Count == 0 && expr is not null
            ? (new FormulaExpression(text, expr, [.. parser.Names.Distinct(StringComparer.Ordinal)]), [])
            : (null, parser.Errors);
    }

    /// <summary>Evaluates with the given variable values; throws <see cref="DomainException"/> for a missing value or a division by zero.</summary>
    public decimal Evaluate(IReadOnlyDictionary<string, decimal> values, string path) => root.Eval(values, path);

    private abstract record Expr
    {
        public abstract decimal Eval(IReadOnlyDictionary<string, decimal> v, string path);
    }

    private sealed record Num(decimal Value) : Expr
    {
        public override decimal Eval(IReadOnlyDictionary<string, decimal> v, string path) => Value;
    }

    private sealed record Var(string Name) : Expr
    {
        public override decimal Eval(IReadOnlyDictionary<string, decimal> v, string path) =>
            v.TryGetValue(Name, out var x) ? x : throw new DomainException(ErrorKind.Validation, "missing_input", $"{path}: the input lacks the value '{Name}'.");
    }

    private sealed record Unary(char Op, Expr Operand) : Expr
    {
        public override decimal Eval(IReadOnlyDictionary<string, decimal> v, string path)
        {
            var x = Operand.Eval(v, path);
            return Op == '-' ? -x : (x == 0 ? 1 : 0);
        }
    }

    private sealed record Binary(string Op, Expr Left, Expr Right) : Expr
    {
        public override decimal Eval(IReadOnlyDictionary<string, decimal> v, string path)
        {
            var a = Left.Eval(v, path);
            if (Op == "and")
            {
                return a != 0 && Right.Eval(v, path) != 0 ? 1 : 0;
            }

            if (Op == "or")
            {
                return a != 0 || Right.Eval(v, path) != 0 ? 1 : 0;
            }

            var b = Right.Eval(v, path);
            return Op switch
            {
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                "/" => b == 0 ? throw DivideByZero(path) : a / b,
                "%" => b == 0 ? throw DivideByZero(path) : a % b,
                "<" => a < b ? 1 : 0,
                "<=" => a <= b ? 1 : 0,
                ">" => a > b ? 1 : 0,
                ">=" => a >= b ? 1 : 0,
                "==" => a == b ? 1 : 0,
                _ => a != b ? 1 : 0,
            };
        }

        private static DomainException DivideByZero(string path) =>
            new(ErrorKind.Validation, "formula_division_by_zero", $"{path}: the formula divides by zero for these inputs.");
    }

    private sealed record Call(string Name, IReadOnlyList<Expr> Args) : Expr
    {
        public override decimal Eval(IReadOnlyDictionary<string, decimal> v, string path)
        {
            if (Name == "if")
            {
                return Args[0].Eval(v, path) != 0 ? Args[1].Eval(v, path) : Args[2].Eval(v, path);
            }

            Span<decimal> x = stackalloc decimal[Args.Count];
            for (var i = 0; i < x.Length; i++)
            {
                x[i] = Args[i].Eval(v, path);
            }

            return Name switch
            {
                "min" => Extreme(x, min: true),
                "max" => Extreme(x, min: false),
                "abs" => Math.Abs(x[0]),
                "clamp" => Math.Min(Math.Max(x[0], x[1]), x[2]),
                "floor" => Math.Floor(x[0]),
                "ceiling" => Math.Ceiling(x[0]),
                _ => Math.Round(x[0], (int)Math.Clamp(x[1], 0, 6), MidpointRounding.AwayFromZero),
            };
        }

        private static decimal Extreme(ReadOnlySpan<decimal> x, bool min)
        {
            var best = x[0];
            foreach (var d in x[1..])
            {
                best = min ? Math.Min(best, d) : Math.Max(best, d);
            }

            return best;
        }
    }

    /// <summary>Recursive descent: or → and → comparison → additive → multiplicative → unary → primary.</summary>
    private sealed class Parser(string text, IReadOnlyCollection<string> variables)
    {
        private int pos;
        private int depth;

        public List<string> Errors { get; } = [];

        public List<string> Names { get; } = [];

        public Expr ParseAll()
        {
            var e = Or();
            Skip();
            if (pos < text.Length)
            {
                throw new FormatException($"Unexpected '{text[pos]}' at position {pos + 1}.");
            }

            return e;
        }

        private Expr Or()
        {
            var e = And();
            while (Word("or"))
            {
                e = new Binary("or", e, And());
            }

            return e;
        }

        private Expr And()
        {
            var e = Comparison();
            while (Word("and"))
            {
                e = new Binary("and", e, Comparison());
            }

            return e;
        }

        private Expr Comparison()
        {
            var e = Additive();
            foreach (var op in new[] { "<=", ">=", "==", "!=", "<", ">" })
            {
                if (Symbol(op))
                {
                    return new Binary(op, e, Additive());
                }
            }

            return e;
        }

        private Expr Additive()
        {
            var e = Multiplicative();
            while (true)
            {
                if (Symbol("+"))
                {
                    e = new Binary("+", e, Multiplicative());
                }
                else if (Symbol("-"))
                {
                    e = new Binary("-", e, Multiplicative());
                }
                else
                {
                    return e;
                }
            }
        }

        private Expr Multiplicative()
        {
            var e = UnaryExpr();
            while (true)
            {
                if (Symbol("*"))
                {
                    e = new Binary("*", e, UnaryExpr());
                }
                else if (Symbol("/"))
                {
                    e = new Binary("/", e, UnaryExpr());
                }
                else if (Symbol("%"))
                {
                    e = new Binary("%", e, UnaryExpr());
                }
                else
                {
                    return e;
                }
            }
        }

        private Expr UnaryExpr()
        {
            if (Symbol("-"))
            {
                return Nest(() => new Unary('-', UnaryExpr()));
            }

            return Word("not") ? Nest(() => new Unary('!', UnaryExpr())) : Primary();
        }

        private Expr Primary()
        {
            Skip();
            if (pos >= text.Length)
            {
                throw new FormatException("The formula ends too early.");
            }

            var c = text[pos];
            if (c == '(')
            {
                pos++;
                var e = Nest(Or);
                Expect(')');
                return e;
            }

            if (char.IsAsciiDigit(c) || c == '.')
            {
                var start = pos;
                while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] == '.'))
                {
                    pos++;
                }

                var s = text[start..pos];
                return decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)
                    ? new Num(n)
                    : throw new FormatException($"'{s}' is not a number.");
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = pos;
                while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_'))
                {
                    pos++;
                }

                var name = text[start..pos];
                Skip();
                if (pos < text.Length && text[pos] == '(')
                {
                    pos++;
                    return Nest(() => CallOf(name));
                }

                if (!variables.Contains(name))
                {
                    Errors.Add($"Unknown name '{name}' (declared: {string.Join(", ", variables)}).");
                }

                Names.Add(name);
                return new Var(name);
            }

            throw new FormatException($"Unexpected '{c}' at position {pos + 1}.");
        }

        private Expr CallOf(string name)
        {
            var args = new List<Expr>();
            Skip();
            if (pos < text.Length && text[pos] == ')')
            {
                pos++;
            }
            else
            {
                do
                {
                    args.Add(Or());
                }
                while (Symbol(","));
                Expect(')');
            }

            if (!Functions.TryGetValue(name, out var arity))
            {
                Errors.Add($"Unknown function '{name}' (allowed: {string.Join(", ", Functions.Keys)}).");
            }
            else if (args.Count < arity.Min || args.Count > arity.Max)
            {
                Errors.Add($"The function '{name}' takes {(arity.Min == arity.Max ? arity.Min.ToString(CultureInfo.InvariantCulture) : $"{arity.Min} to {arity.Max}")} arguments, not {args.Count}.");
            }

            return new Call(name, args);
        }

        private Expr Nest(Func<Expr> inner)
        {
            if (++depth > MaxDepth)
            {
                throw new FormatException($"The formula nests deeper than {MaxDepth} levels.");
            }

            var e = inner();
            depth--;
            return e;
        }

        private void Expect(char c)
        {
            Skip();
            if (pos >= text.Length || text[pos] != c)
            {
                throw new FormatException($"Expected '{c}' at position {pos + 1}.");
            }

            pos++;
        }

        private bool Symbol(string s)
        {
            Skip();
            if (string.CompareOrdinal(text, pos, s, 0, s.Length) != 0)
            {
                return false;
            }

            // "<" must not swallow the first half of "<=" etc.: callers try the longer symbols first.
            pos += s.Length;
            return true;
        }

        private bool Word(string w)
        {
            Skip();
            var end = pos + w.Length;
            if (string.CompareOrdinal(text, pos, w, 0, w.Length) != 0 || (end < text.Length && (char.IsLetterOrDigit(text[end]) || text[end] == '_')))
            {
                return false;
            }

            pos = end;
            return true;
        }

        private void Skip()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }
    }
}
