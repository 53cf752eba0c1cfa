namespace Pingjia.Domain.Surveys;

/// <summary>
/// A stratum of respondents (a region, an age group, a respondent type such as 领导 / 代表 / 服务对象).
/// <see cref="PopulationShare"/> is its size or share in the population (any positive scale; shares are normalised);
/// without a share for every stratum no post-stratification weights are made.
/// </summary>
public sealed record StratumDefinition(string Code, string Name, string Kind = "respondent_type", double? PopulationShare = null);

/// <summary>
/// The responses of a survey in columns, ready for analysis: per row a unit and a stratum, per question a column.
/// Likert and single-choice columns hold the scale value or option number (1-based; 0 = not answered); multiple choice a
/// bit mask of options; numbers a double (NaN = not answered); text only whether it was answered.
/// </summary>
public sealed class SurveyData
{
    private readonly Dictionary<string, int> _units;
    private readonly Dictionary<string, int> _strata;
    private int[] _unit;
    private int[] _stratum;
    private Guid[] _ids;
    private string?[] _respondents;
    private string?[] _interviewers;
    private readonly int[][] _cat;
    private readonly ulong[][] _multi;
    private readonly double[][] _num;

    public SurveyData(Questionnaire questionnaire, IReadOnlyList<string> units, IReadOnlyList<StratumDefinition> strata, int capacity = 16)
    {
        Questionnaire = questionnaire;
        Units = units;
        Strata = strata;
        _units = units.Select((u, i) => (u, i)).ToDictionary(x => x.u, x => x.i, StringComparer.Ordinal);
        _strata = strata.Select((s, i) => (s.Code, i)).ToDictionary(x => x.Code, x => x.i, StringComparer.Ordinal);
        capacity = Math.Max(16, capacity);
        _unit = new int[capacity];
        _stratum = new int[capacity];
        _ids = new Guid[capacity];
        _respondents = new string?[capacity];
        _interviewers = new string?[capacity];
        var qs = questionnaire.Questions;
        _cat = new int[qs.Count][];
        _multi = new ulong[qs.Count][];
        _num = new double[qs.Count][];
        for (var q = 0; q < qs.Count; q++)
        {
            switch (qs[q].Type)
            {
                case QuestionType.MultipleChoice:
                    _multi[q] = new ulong[capacity];
                    break;
                case QuestionType.Number:
                    _num[q] = new double[capacity];
                    break;
                default:
                    _cat[q] = new int[capacity];
                    break;
            }
        }
    }

    public Questionnaire Questionnaire { get; }

    public IReadOnlyList<string> Units { get; }

    public IReadOnlyList<StratumDefinition> Strata { get; }

    public int Count { get; private set; }

    public int UnitIndex(string code) => _units.TryGetValue(code, out var i) ? i : -1;

    public int StratumIndex(string code) => _strata.TryGetValue(code, out var i) ? i : -1;

    /// <summary>Adds an empty row (nothing answered) and returns its number.</summary>
    public int AddRow(int unit, int stratum, Guid id = default, string? respondentKey = null, string? interviewer = null)
    {
        if ((uint)unit >= (uint)Units.Count || (uint)stratum >= (uint)Strata.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(unit), "Unknown unit or stratum.");
        }

        if (Count == _unit.Length)
        {
            Grow(_unit.Length * 2);
        }

        var row = Count++;
        _unit[row] = unit;
        _stratum[row] = stratum;
        _ids[row] = id;
        _respondents[row] = respondentKey;
        _interviewers[row] = interviewer;
        for (var q = 0; q < _num.Length; q++)
        {
            if (_num[q] is { } col)
            {
                col[row] = double.NaN;
            }
        }

        return row;
    }

    /// <summary>Adds a response given by codes and checked answers; unknown units or strata throw.</summary>
    public int Add(string unit, string stratum, IReadOnlyDictionary<string, Answer> answers, Guid id = default, string? respondentKey = null, string? interviewer = null)
    {
        var u = UnitIndex(unit);
        var s = StratumIndex(stratum);
        if (u < 0 || s < 0)
        {
            throw DomainException.Invalid("unknown_cell", $"Unit {unit} or stratum {stratum} is not part of this survey.");
        }

        var row = AddRow(u, s, id, respondentKey, interviewer);
        foreach (var (code, answer) in answers)
        {
            var q = Questionnaire.IndexOf(code);
            if (q >= 0)
            {
                Set(row, q, answer);
            }
        }

        return row;
    }

    public void Set(int row, int question, Answer answer)
    {
        var q = Questionnaire.Questions[question];
        switch (q.Type)
        {
            case QuestionType.Likert:
                _cat[question][row] = answer.Scale ?? 0;
                break;
            case QuestionType.SingleChoice:
                _cat[question][row] = answer.Choice is null ? 0 : q.OptionIndex(answer.Choice) + 1;
                break;
            case QuestionType.Text:
                _cat[question][row] = string.IsNullOrEmpty(answer.Text) ? 0 : 1;
                break;
            case QuestionType.MultipleChoice:
                ulong mask = 0;
                foreach (var c in answer.Choices ?? [])
                {
                    mask |= 1UL << q.OptionIndex(c);
                }

                _multi[question][row] = mask;
                break;
            case QuestionType.Number:
                _num[question][row] = answer.Number is { } n ? (double)n : double.NaN;
                break;
        }
    }

    /// <summary>Fast path for generated data: the value of a Likert or single-choice question (1-based, 0 = none).</summary>
    public void SetCategory(int row, int question, int value) => _cat[question][row] = value;

    internal int[] UnitColumn => _unit;

    internal int[] StratumColumn => _stratum;

    internal int[] Category(int q) => _cat[q];

    internal ulong[] Multi(int q) => _multi[q];

    internal double[] Number(int q) => _num[q];

    public Guid IdOf(int row) => _ids[row];

    public string? RespondentOf(int row) => _respondents[row];

    public string? InterviewerOf(int row) => _interviewers[row];

    public int UnitOf(int row) => _unit[row];

    private void Grow(int size)
    {
        Array.Resize(ref _unit, size);
        Array.Resize(ref _stratum, size);
        Array.Resize(ref _ids, size);
        Array.Resize(ref _respondents, size);
        Array.Resize(ref _interviewers, size);
        for (var q = 0; q < _cat.Length; q++)
        {
            if (_cat[q] is not null)
            {
                Array.Resize(ref _cat[q], size);
            }

            if (_multi[q] is not null)
            {
                Array.Resize(ref _multi[q], size);
            }

            if (_num[q] is not null)
            {
                Array.Resize(ref _num[q], size);
            }
        }
    }
}
