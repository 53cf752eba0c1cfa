namespace Pingjia.Domain.Ratings;

/// <summary>How personal data is shown to someone without the permission to see it in clear.</summary>
public static class Masking
{
    /// <summary>张三丰 → 张*丰, 张三 → 张*, a longer name keeps its first and last character.</summary>
    public static string Name(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "";
        }

        var chars = System.Globalization.StringInfo.GetTextElementEnumerator(name);
        var parts = new List<string>();
        while (chars.MoveNext())
        {
            parts.Add(chars.GetTextElement());
        }

        return parts.Count switch
        {
            1 => "*",
            2 => parts[0] + "*",
            _ => parts[0] + new string('*', parts.Count - 2) + parts[^1],
        };
    }

    /// <summary>13812341234 → 138****1234.</summary>
    public static string Mobile(string? mobile) =>
        string.IsNullOrEmpty(mobile) ? "" : mobile.Length < 8 ? new string('*', mobile.Length) : mobile[..3] + new string('*', mobile.Length - 7) + mobile[^4..];

    /// <summary>An ID number keeps its first 4 and last 4 characters.</summary>
    public static string IdNumber(string? id) =>
        string.IsNullOrEmpty(id) ? "" : id.Length <= 8 ? new string('*', id.Length) : id[..4] + new string('*', id.Length - 8) + id[^4..];
}
