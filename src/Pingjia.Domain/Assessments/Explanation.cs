using System.Globalization;
using System.Text;

namespace Pingjia.Domain.Assessments;

/// <summary>
/// The readable Chinese form of a result's tree of contributions: per node its method, inputs with who entered them
/// and when, raw value, caps, floors and missing-data decisions (the notes), weight, contribution and published value.
/// </summary>
public static class Explanation
{
    private static readonly Dictionary<string, string> MethodNames = new(StringComparer.Ordinal)
    {
        ["sum"] = "各项合计", ["weighted"] = "加权合成", ["manual"] = "人工评分", ["checklist"] = "逐项检查", ["deductions"] = "扣分制",
        ["penalty"] = "扣分项", ["per_item"] = "按条计分", ["bonus"] = "加分项", ["quota"] = "定额报送", ["figure"] = "指标换算",
        ["survey"] = "测评结果换算", ["multi_source"] = "多方评分加权", ["periods"] = "多期加权", ["subunits"] = "下级单位平均", ["formula"] = "公式",
    };

    /// <summary>Writes the explanation of one unit's result as indented Chinese text.</summary>
    public static string ToText(Scheme scheme, RankedResult ranked)
    {
        var r = ranked.Result;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"单位：{ranked.Unit}\n");
        sb.Append(CultureInfo.InvariantCulture, $"方案：{scheme.Name}（{scheme.Code}，第 {r.SchemeVersion} 版）{(r.Level is null ? "" : $"，层级：{r.Level}")}\n");
        var mode = scheme.Rounding.Mode == RoundingMode.HalfUp ? "四舍五入" : "GB/T 8170 四舍六入五成双";
        sb.Append(CultureInfo.InvariantCulture, $"总分：{scheme.Rounding.Format(r.Total)}（未修约 {F(r.Unrounded)}，{mode}保留 {scheme.Rounding.Digits} 位小数，仅在公布层级修约一次）\n");
        sb.Append(CultureInfo.InvariantCulture, $"名次：第 {ranked.Rank} 名；等次：{ranked.Grade ?? "无"}\n");
        var ties = scheme.Ties ?? TieRule.Default;
        sb.Append("名次规则：按公布的总分排名");
        if (ties.Tiebreak.Count > 0)
        {
            sb.Append("，同分时依次比较 ").Append(string.Join("、", ties.Tiebreak));
        }

        sb.Append(ties.Mode == TieMode.Dense ? "，仍同分者并列，后续名次连续（1、2、2、3）\n" : "，仍同分者并列，后续名次顺延（1、2、2、4）\n");
        sb.Append("得分构成：\n");
        var nodes = new Dictionary<string, SchemeNode>(StringComparer.Ordinal);
        foreach (var level in scheme.AllLevels())
        {
            Index(level.Root, nodes);
        }

        Node(sb, r.Tree, 0, scheme.Rounding, nodes);
        return sb.ToString();
    }

    private static void Index(SchemeNode n, Dictionary<string, SchemeNode> nodes)
    {
        nodes.TryAdd(n.Code, n);
        foreach (var c in n.Children)
        {
            Index(c, nodes);
        }
    }

    private static void Node(StringBuilder sb, NodeScore n, int depth, Rounding rounding, Dictionary<string, SchemeNode> nodes)
    {
        var indent = new string(' ', depth * 2);
        sb.Append(indent).Append("- ").Append(n.Name).Append('（').Append(n.Code).Append('）');
        sb.Append(" [").Append(MethodNames.GetValueOrDefault(n.Method, n.Method)).Append(']');
        sb.Append(n.Method is "bonus" or "penalty" ? (n.Points == 0 ? " 不设上限" : $" 上限 {F(n.Points)} 分") : $" 满分 {F(n.Points)}");
        if (n.Weight is { } w)
        {
            sb.Append(CultureInfo.InvariantCulture, $"，权重 {F(w)}");
        }

        sb.Append('\n');
        var inner = indent + "    ";
        if (n.Input is { } input && Inputs(input) is { Length: > 0 } text)
        {
            sb.Append(inner).Append("输入：").Append(text).Append('\n');
        }

        if (n.Input is { } p && Provenance(p) is { Length: > 0 } who)
        {
            sb.Append(inner).Append("来源：").Append(who).Append('\n');
        }

        // Failed checklist items are not stored as notes (they follow from the items passed): named here.
        if (n.Input is { } given && nodes.GetValueOrDefault(n.Code)?.Method is Checklist checklist
            && checklist.Items.Where(i => given.Passed?.Contains(i.Code) != true).ToList() is { Count: > 0 } failed)
        {
            sb.Append(inner).Append("未通过：").Append(string.Join("、", failed.Select(i => $"{i.Name}（{F(i.Points)} 分）"))).Append('\n');
        }

        foreach (var note in n.Notes)
        {
            sb.Append(inner).Append("说明：").Append(note).Append('\n');
        }

        sb.Append(inner).Append(n.Missing ? "无数据（折算时不计）" : $"原始 {(n.Raw is { } raw ? F(raw) : "—")}，得分 {F(n.Value)}");
        if (n.Extra != 0 && n.Method is "sum" or "weighted")
        {
            sb.Append(CultureInfo.InvariantCulture, $"（其中加减分 {F(n.Extra)}）");
        }

        sb.Append(CultureInfo.InvariantCulture, $"，计入上级 {F(n.Contribution)}");
        if (n.Rounded is { } rounded)
        {
            sb.Append(CultureInfo.InvariantCulture, $"，公布值 {rounding.Format(rounded)}");
        }

        sb.Append('\n');
        foreach (var c in n.Children)
        {
            Node(sb, c, depth + 1, rounding, nodes);
        }
    }

    private static string Inputs(LeafInput i)
    {
        var parts = new List<string>();
        if (i.Value is { } v)
        {
            parts.Add($"数值 {F(v)}");
        }

        if (i.Counts is { Count: > 0 } counts)
        {
            parts.Add("计数 " + string.Join("、", counts.Select(c => $"{c.Key} {F(c.Value)}")));
        }

        if (i.Passed is { } passed)
        {
            parts.Add("通过 " + (passed.Count == 0 ? "无" : string.Join("、", passed)));
        }

        if (i.PerPeriod is { Count: > 0 } per)
        {
            parts.Add("各期 " + string.Join(" / ", per));
        }

        if (i.BySource is { Count: > 0 } by)
        {
            parts.Add("各方 " + string.Join("、", by.Select(s => $"{s.Key} {F(s.Value)}")));
        }

        if (i.ByPeriod is { Count: > 0 } bp)
        {
            parts.Add("各期得分 " + string.Join("、", bp.Select(s => $"{s.Key} {F(s.Value)}")));
        }

        if (i.Values is { Count: > 0 } values)
        {
            parts.Add(string.Join("、", values.Select(s => $"{s.Key} = {F(s.Value)}")));
        }

        if (i.Flags is { Count: > 0 } flags)
        {
            parts.Add("事件 " + string.Join("、", flags));
        }

        return string.Join("；", parts);
    }

    private static string Provenance(LeafInput i)
    {
        var parts = new List<string>();
        if (i.Source is { } s)
        {
            parts.Add(s);
        }

        if (i.EnteredBy is { } by)
        {
            parts.Add(i.EnteredAt is { } at ? $"{by} 于 {at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} 录入" : $"{by} 录入");
        }
        else if (i.EnteredAt is { } at)
        {
            parts.Add($"{at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} 录入");
        }

        return string.Join("，", parts);
    }

    /// <summary>A decimal without trailing zeros, invariant culture.</summary>
    public static string F(decimal d) => d.ToString("0.############################", CultureInfo.InvariantCulture);
}
