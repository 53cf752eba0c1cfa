using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;
using Pingjia.Domain.Access;

namespace Pingjia.Server.Pages;

public static class Links
{
    /// <summary>The current page in another language (other query values kept).</summary>
    public static string WithLanguage(HttpRequest request, string lang)
    {
        var query = QueryHelpers.ParseQuery(request.QueryString.Value);
        var builder = new QueryBuilder();
        foreach (var (key, values) in query)
        {
            if (key != "lang")
            {
                foreach (var v in values)
                {
                    builder.Add(key, v ?? "");
                }
            }
        }

        builder.Add("lang", lang);
        return request.PathBase + request.Path + builder.ToQueryString();
    }

    /// <summary>A query string from pairs, leaving out empty values.</summary>
    public static string Query(params (string Key, object? Value)[] pairs)
    {
        var builder = new QueryBuilder();
        foreach (var (key, value) in pairs)
        {
            if (value is not null && value.ToString() is { Length: > 0 } s)
            {
                builder.Add(key, s);
            }
        }

        return builder.ToQueryString().Value ?? "";
    }
}

/// <summary>The console's menu: each role sees the parts it may use.</summary>
public static class ConsoleNav
{
    public static IEnumerable<(string Href, string Label)> For(Role role, bool everywhere)
    {
        yield return ("/console", "概览");
        if (role is not Role.Auditor and not Role.Integration)
        {
            yield return ("/console/work-orders", "差评工单");
            yield return ("/console/ratings", "评价记录");
        }

        if (role is Role.SystemAdmin or Role.BureauAdmin or Role.AgencyManager)
        {
            yield return ("/console/appeals", "申诉");
            yield return ("/console/catalog", "目录");
        }

        if (role is Role.SystemAdmin or Role.BureauAdmin or Role.Evaluator or Role.Auditor or Role.AgencyManager)
        {
            yield return ("/console/surveys", "满意度测评");
            yield return ("/console/assessments", "考核");
        }

        if (role is Role.SystemAdmin or Role.BureauAdmin)
        {
            yield return ("/console/config", "配置");
            yield return ("/console/users", "用户");
        }

        if (everywhere && role is Role.SystemAdmin or Role.Auditor)
        {
            yield return ("/console/audit", "审计日志");
        }
    }
}
