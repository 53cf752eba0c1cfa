using System.Globalization;
using MiniExcelLibs;
using Pingjia.Domain.Assessments;

namespace Pingjia.Server.Features.Assessments;

/// <summary>
/// Assessments in Excel: a data-entry workbook for a round (sheet 单位 with each unit's place, sheet 录入 with one row
/// per input field), read back with an error per bad row; and a results workbook (sheet 结果 with ranks and grades, and
/// an explanation sheet per unit).
/// </summary>
public static class AssessExcel
{
    public const string UnitsSheet = "单位";
    public const string EntrySheet = "录入";
    public const string ResultsSheet = "结果";

    private static readonly string[] UnitColumns = ["单位", "层级", "上级单位", "权重", "类别", "事件"];
    private static readonly string[] EntryColumns = ["单位", "指标代码", "指标名称", "字段", "键", "值", "录入人", "录入时间", "来源说明"];

    /// <summary>Fields a leaf takes, with their keys: value, count, passed, per_period, by_source, by_period, variable.</summary>
    public static IEnumerable<(string Field, string Key, string Hint)> Fields(SchemeNode leaf, int periods = 12)
    {
        switch (leaf.Method)
        {
            case ManualScore or FigureScore or SurveyFigure or Bonus { Categories.Count: 0 }:
                yield return ("value", "", leaf.Method is SurveyFigure ? "测评指数 0–100" : leaf.Method is FigureScore fig ? $"{fig.Low}–{fig.High}" : $"0–{leaf.Points}");
                break;
            case Checklist c:
                foreach (var i in c.Items)
                {
                    yield return ("passed", i.Code, $"{i.Name}：通过填 1，未通过填 0");
                }

                break;
            case Deductions d:
                foreach (var r in d.Rules)
                {
                    yield return ("count", r.Code, $"{r.Name}：次数");
                }

                break;
            case Penalty p:
                foreach (var r in p.Rules)
                {
                    yield return ("count", r.Code, $"{r.Name}：次数");
                }

                break;
            case PerItem p:
                foreach (var c in p.Categories)
                {
                    yield return ("count", c.Code, $"{c.Name}：条数");
                }

                break;
            case Bonus b:
                foreach (var c in b.Categories)
                {
                    yield return ("count", c.Code, $"{c.Name}：条数");
                }

                break;
            case MultiSource m:
                foreach (var s in m.Sources)
                {
                    yield return ("by_source", s.Source, $"{s.Source} 评分（0–{leaf.Points}）");
                }

                break;
            case Periods p:
                foreach (var w in p.Weights)
                {
                    yield return ("by_period", w.Source, $"{w.Source} 期得分（0–{p.Scale}）");
                }

                break;
            case Formula f:
                foreach (var v in f.Variables)
                {
                    yield return ("variable", v, v);
                }

                break;
        }

        if (leaf.Method is Quota || leaf.Zero is { ConsecutiveEmptyPeriods: not null } or { MinTotal: not null } or { BelowQuotaTotal: true })
        {
            for (var i = 1; i <= periods; i++)
            {
                yield return ("per_period", i.ToString(CultureInfo.InvariantCulture), $"第 {i} 期报送条数");
            }
        }
    }

    private static IEnumerable<SchemeNode> Leaves(SchemeNode n) => n.IsLeaf ? [n] : n.Children.SelectMany(Leaves);

    /// <summary>Writes a data-entry workbook for the units of a round, filled with the inputs they already have.</summary>
    public static void WriteEntryWorkbook(Stream output, Scheme scheme, RoundInput round)
    {
        var units = new List<Dictionary<string, object?>>();
        var rows = new List<Dictionary<string, object?>>();
        foreach (var u in round.Units ?? [])
        {
            units.Add(Row(UnitColumns, u.Unit, u.Level, u.Parent, u.Weight ?? 1, u.Category, string.Join(",", u.Flags ?? [])));
            foreach (var leaf in Leaves(scheme.Level(u.Level).Root).Where(l => l.Method is not Subunits))
            {
                var input = u.Inputs?.GetValueOrDefault(leaf.Code);
                var count = Math.Max(12, input?.PerPeriod?.Count ?? 0);
                foreach (var (field, key, hint) in Fields(leaf, count))
                {
                    rows.Add(Row(EntryColumns, u.Unit, leaf.Code, $"{leaf.Name}（{hint}）", field, key, ValueOf(input, field, key),
                        input?.EnteredBy, input?.EnteredAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), input?.Source));
                }
            }
        }

        var sheets = new Dictionary<string, object>
        {
            [UnitsSheet] = units.Count > 0 ? units : [Row(UnitColumns)],
            [EntrySheet] = rows.Count > 0 ? rows : [Row(EntryColumns)],
        };
        output.SaveAs(sheets, excelType: ExcelType.XLSX);
    }

    private static object? ValueOf(LeafInput? input, string field, string key) => input is null ? null : field switch
    {
        "value" => input.Value,
        "passed" => input.Passed is null ? null : input.Passed.Contains(key) ? 1 : 0,
        "count" => input.Counts is null ? null : input.Counts.GetValueOrDefault(key), // counts given: an uncounted key is 0
        "per_period" => int.TryParse(key, CultureInfo.InvariantCulture, out var i) && input.PerPeriod is { } p && i <= p.Count ? p[i - 1] : null,
        "by_source" => input.BySource?.TryGetValue(key, out var s) == true ? s : null,
        "by_period" => input.ByPeriod?.TryGetValue(key, out var b) == true ? b : null,
        "variable" => input.Values?.TryGetValue(key, out var v) == true ? v : null,
        _ => null,
    };

    private static Dictionary<string, object?> Row(string[] columns, params object?[] values)
    {
        var row = new Dictionary<string, object?>(columns.Length);
        for (var i = 0; i < columns.Length; i++)
        {
            row[columns[i]] = i < values.Length ? values[i] : null;
        }

        return row;
    }

    public static (RoundInput? Input, IReadOnlyList<string> Errors) ReadInputs(string path, Scheme scheme)
    {
        using var stream = File.OpenRead(path);
        return ReadInputs(stream, scheme);
    }

    /// <summary>
    /// Reads a data-entry workbook. Every bad row is reported (row numbers as Excel shows them); nothing is returned
    /// unless the whole workbook is good. Empty values are "not entered": the leaf's missing-data policy applies.
    /// </summary>
    public static (RoundInput? Input, IReadOnlyList<string> Errors) ReadInputs(Stream stream, Scheme scheme)
    {
        var errors = new List<string>();
        List<IDictionary<string, object?>> unitRows, entryRows;
        try
        {
            // MiniExcel reads each sheet from the start of the stream: one seekable copy serves every read.
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            var sheets = copy.GetSheetNames();
            if (!sheets.Contains(EntrySheet))
            {
                return (null, [$"工作簿缺少“{EntrySheet}”工作表 / the workbook has no sheet '{EntrySheet}'."]);
            }

            copy.Position = 0;
            unitRows = sheets.Contains(UnitsSheet) ? [.. copy.Query(useHeaderRow: true, sheetName: UnitsSheet).Cast<IDictionary<string, object?>>()] : [];
            copy.Position = 0;
            entryRows = [.. copy.Query(useHeaderRow: true, sheetName: EntrySheet).Cast<IDictionary<string, object?>>()];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        // Whatever a broken or foreign file makes the reader throw is the file's fault, reported as such.
        {
            return (null, [$"不是有效的 XLSX 文件 / not a valid XLSX file: {e.Message}"]);
        }

        var units = new List<UnitInput>();
        var byName = new Dictionary<string, (UnitInput Unit, Dictionary<string, Builder> Leaves)>(StringComparer.Ordinal);
        for (var i = 0; i < unitRows.Count; i++)
        {
            var r = unitRows[i];
            var at = $"{UnitsSheet} 第 {i + 2} 行";
            var name = Text(r, "单位");
            if (name is null)
            {
                if (r.Values.Any(v => Text(v) is not null))
                {
                    errors.Add($"{at}：缺少单位名称 / no unit name.");
                }

                continue;
            }

            var level = Text(r, "层级");
            decimal? weight = null;
            if (Text(r, "权重") is { } w)
            {
                if (Number(Cell(r, "权重")) is { } n && n >= 0)
                {
                    weight = n;
                }
                else
                {
                    errors.Add($"{at}：权重“{w}”不是非负数 / the weight is not a non-negative number.");
                }
            }

            if (level is not null && scheme.Levels?.Any(l => l.Name == level) != true)
            {
                errors.Add($"{at}：方案没有层级“{level}” / the scheme has no level '{level}'.");
            }

            var unit = new UnitInput(name, [], level, Text(r, "上级单位"), weight, Text(r, "类别"),
                Text(r, "事件") is { } flags ? [.. flags.Split([',', '，', '、'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)] : null);
            if (!byName.TryAdd(name, (unit, [])))
            {
                errors.Add($"{at}：单位“{name}”重复 / the unit appears twice.");
                continue;
            }

            units.Add(unit);
        }

        for (var i = 0; i < entryRows.Count; i++)
        {
            var r = entryRows[i];
            var at = $"{EntrySheet} 第 {i + 2} 行";
            var name = Text(r, "单位");
            var code = Text(r, "指标代码");
            var value = Text(r, "值");
            if (name is null && code is null && value is null)
            {
                continue;
            }

            if (name is null || code is null)
            {
                errors.Add($"{at}：缺少单位或指标代码 / unit or node code missing.");
                continue;
            }

            if (!byName.TryGetValue(name, out var entry))
            {
                if (unitRows.Count > 0)
                {
                    errors.Add($"{at}：单位“{name}”不在“{UnitsSheet}”表中 / unknown unit.");
                    continue;
                }

                entry = (new UnitInput(name, []), []);
                byName[name] = entry;
                units.Add(entry.Unit);
            }

            SchemeNode? leaf;
            try
            {
                leaf = Leaves(scheme.Level(entry.Unit.Level).Root).FirstOrDefault(l => l.Code == code);
            }
            catch (Domain.DomainException)
            {
                continue; // the unknown level is reported on the units sheet
            }

            if (leaf is null || leaf.Method is Subunits)
            {
                errors.Add($"{at}：“{code}”不是该单位方案中可录入的指标 / not a leaf taking inputs.");
                continue;
            }

            var field = Text(r, "字段") ?? "value";
            var key = Text(r, "键") ?? "";
            // Periods are numbered 1 to 366 whatever the template listed; every other field's key is one the scheme names.
            if (field != "flag" && !Fields(leaf, periods: 1).Any(f => f.Field == field && (f.Field == "per_period" ? int.TryParse(key, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= 366 : f.Key == key)))
            {
                errors.Add($"{at}：指标“{code}”没有字段“{field}”{(key.Length > 0 ? $"（键“{key}”）" : "")} / no such field for this node.");
                continue;
            }

            if (value is null)
            {
                continue; // not entered
            }

            var number = Number(Cell(r, "值"));
            if (field != "flag" && number is null)
            {
                errors.Add($"{at}：值“{value}”不是数字 / the value is not a number.");
                continue;
            }

            if (field is "count" or "per_period" or "passed" && number < 0)
            {
                errors.Add($"{at}：值不能为负数 / the value cannot be negative.");
                continue;
            }

            if (field == "per_period" && number != Math.Floor(number!.Value))
            {
                errors.Add($"{at}：报送条数应为整数 / a count per period is a whole number.");
                continue;
            }

            var b = entry.Leaves.TryGetValue(code, out var existing) ? existing : entry.Leaves[code] = new Builder();
            if (!b.Set(field, key, number ?? 0, value))
            {
                errors.Add($"{at}：与前面的行重复 / duplicates an earlier row.");
                continue;
            }

            b.EnteredBy ??= Text(r, "录入人");
            b.Source ??= Text(r, "来源说明");
            if (b.EnteredAt is null && r.TryGetValue("录入时间", out var when) && when is not null)
            {
                if (when is DateTime dt)
                {
                    b.EnteredAt = dt;
                }
                else if (DateTime.TryParse(Text(when), CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    b.EnteredAt = parsed;
                }
                else
                {
                    errors.Add($"{at}：录入时间“{Text(when)}”无法识别 / unreadable time.");
                }
            }
        }

        foreach (var (name, (unit, leaves)) in byName)
        {
            foreach (var (code, b) in leaves)
            {
                if (b.Build(out var input) is { } problem)
                {
                    errors.Add($"{EntrySheet}：单位“{name}”指标“{code}”：{problem}");
                    continue;
                }

                unit.Inputs![code] = input;
            }
        }

        return errors.Count > 0 ? (null, errors) : (new RoundInput(null, units), []);
    }

    private sealed class Builder
    {
        private decimal? value;
        private Dictionary<string, decimal>? counts;
        private Dictionary<string, bool>? passed;
        private SortedDictionary<int, int>? perPeriod;
        private Dictionary<string, decimal>? bySource;
        private Dictionary<string, decimal>? byPeriod;
        private Dictionary<string, decimal>? values;
        private List<string>? flags;

        public string? EnteredBy { get; set; }

        public DateTime? EnteredAt { get; set; }

        public string? Source { get; set; }

        public bool Set(string field, string key, decimal number, string text)
        {
            switch (field)
            {
                case "value":
                    if (value is not null)
                    {
                        return false;
                    }

                    value = number;
                    return true;
                case "count":
                    return (counts ??= []).TryAdd(key, number);
                case "passed":
                    return (passed ??= []).TryAdd(key, number != 0);
                case "per_period":
                    return (perPeriod ??= []).TryAdd(int.Parse(key, CultureInfo.InvariantCulture), (int)number);
                case "by_source":
                    return (bySource ??= []).TryAdd(key, number);
                case "by_period":
                    return (byPeriod ??= []).TryAdd(key, number);
                case "variable":
                    return (values ??= []).TryAdd(key, number);
                default:
                    (flags ??= []).Add(text);
                    return true;
            }
        }

        public string? Build(out LeafInput input)
        {
            List<int>? periods = null;
            if (perPeriod is not null)
            {
                if (perPeriod.Keys.First() != 1 || perPeriod.Keys.Last() != perPeriod.Count)
                {
                    input = new LeafInput();
                    return "各期报送条数须从第 1 期起连续填写 / counts per period run from period 1 without gaps.";
                }

                periods = [.. perPeriod.Values];
            }

            input = new LeafInput(value, counts, passed?.Where(p => p.Value).Select(p => p.Key).ToList(), periods, EnteredBy, EnteredAt, bySource, flags, values, byPeriod, Source);
            return null;
        }
    }

    private static object? Cell(IDictionary<string, object?> row, string column) => row.TryGetValue(column, out var v) ? v : null;

    private static string? Text(IDictionary<string, object?> row, string column) => Text(Cell(row, column));

    private static string? Text(object? v) => v switch
    {
        null => null,
        string s => string.IsNullOrWhiteSpace(s) ? null : s.Trim(),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString(),
    };

    private static decimal? Number(object? v) => v switch
    {
        null => null,
        decimal d => d,
        double d when double.IsFinite(d) => (decimal)d,
        int i => i,
        long l => l,
        string s when s.Trim() is "是" or "通过" => 1,
        string s when s.Trim() is "否" or "未通过" => 0,
        string s => decimal.TryParse(s.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d : null,
        _ => null,
    };

    /// <summary>Writes the results workbook: 结果 (rank, unit, level, total, unrounded, grade) and one explanation sheet per unit.</summary>
    public static void WriteResults(Stream output, Scheme scheme, RoundOutput result)
    {
        var sheets = new Dictionary<string, object>
        {
            [ResultsSheet] = result.Results.Select(r => Row(["名次", "单位", "层级", "总分", "未修约", "等次"],
                r.Rank, r.Unit, r.Level, scheme.Rounding.Apply(r.Total), r.Unrounded.ToString(CultureInfo.InvariantCulture), r.Grade)).ToList(),
        };
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ResultsSheet };
        foreach (var r in result.Results)
        {
            var rows = new List<Dictionary<string, object?>>();
            Flatten(r.Explanation, 0, rows);
            sheets[SheetName(r.Unit, used)] = rows;
        }

        output.SaveAs(sheets, excelType: ExcelType.XLSX);
    }

    public static async Task WriteResultsAsync(string path, Scheme scheme, RoundOutput result, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        WriteResults(buffer, scheme, result);
        await File.WriteAllBytesAsync(path, buffer.ToArray(), ct);
    }

    private static readonly string[] ExplanationColumns = ["层级", "代码", "指标", "方法", "满分", "权重", "原始值", "得分", "计入上级", "公布值", "输入", "来源", "说明"];

    private static void Flatten(NodeScore n, int depth, List<Dictionary<string, object?>> rows)
    {
        var who = n.Input is null ? null : string.Join("，", new[] { n.Input.Source, n.Input.EnteredBy is null ? null : $"{n.Input.EnteredBy}{(n.Input.EnteredAt is { } at ? " " + at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "")}" }.Where(x => x is not null));
        rows.Add(Row(ExplanationColumns, depth, n.Code, new string('　', depth) + n.Name, n.Method, n.Points, n.Weight, n.Raw, n.Missing ? null : n.Value,
            n.Contribution, n.Rounded, n.Input is null ? null : System.Text.Json.JsonSerializer.Serialize(n.Input with { EnteredBy = null, EnteredAt = null, Source = null }, AssessCommand.Json).Replace("\n", " ", StringComparison.Ordinal),
            who, n.Missing ? "无数据，已折算 / missing, renormalised" + (n.Notes.Count > 0 ? "；" : "") + string.Join("；", n.Notes) : string.Join("；", n.Notes)));
        foreach (var c in n.Children)
        {
            Flatten(c, depth + 1, rows);
        }
    }

    /// <summary>A valid, unique sheet name (at most 31 characters, none of : \ / ? * [ ]).</summary>
    private static string SheetName(string unit, HashSet<string> used)
    {
        var clean = new string([.. unit.Select(c => c is ':' or '\\' or '/' or '?' or '*' or '[' or ']' ? '_' : c)]);
        var name = clean.Length > 28 ? clean[..28] : clean;
        var candidate = name;
        for (var i = 2; !used.Add(candidate); i++)
        {
            candidate = $"{(name.Length > 25 ? name[..25] : name)}~{i}";
        }

        return candidate;
    }
}
