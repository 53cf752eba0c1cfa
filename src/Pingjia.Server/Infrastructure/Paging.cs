using Microsoft.EntityFrameworkCore;
using Pingjia.Domain;

namespace Pingjia.Server.Infrastructure;

/// <summary>One page of a list, with the total so clients can page on.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int PageNumber, int PageSize);

public static class Paging
{
    public const int MaxPageSize = 500;

    /// <summary>Checks page (from 1) and page size (1 to 500, default 50).</summary>
    public static (int Page, int Size) Validate(int? page, int? pageSize)
    {
        var v = new Validation()
            .Check(page is null or >= 1, "page", "page starts at 1.")
            .Check(pageSize is null or (>= 1 and <= MaxPageSize), "pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        v.ThrowIfInvalid();
        return (page ?? 1, pageSize ?? 50);
    }

    public static async Task<Page<TOut>> ToPageAsync<TIn, TOut>(
        this IQueryable<TIn> query, int? page, int? pageSize, Func<IQueryable<TIn>, IQueryable<TOut>> project, CancellationToken ct)
    {
        var (p, size) = Validate(page, pageSize);
        var total = await query.CountAsync(ct);
        var items = await project(query.Skip((p - 1) * size).Take(size)).ToListAsync(ct);
        return new Page<TOut>(items, total, p, size);
    }

    /// <summary>Escapes LIKE wildcards so user text matches literally.</summary>
    public static string LikeContains(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
