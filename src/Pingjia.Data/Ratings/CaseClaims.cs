using Microsoft.EntityFrameworkCore;

namespace Pingjia.Data.Ratings;

/// <summary>Marks cases as holding an active rating, in one statement that says which cases it changed.</summary>
public static class CaseClaims
{
    /// <summary>
    /// Sets <see cref="Case.HasActiveRating"/> on those of <paramref name="caseIds"/> that did not have it yet and
    /// returns exactly those, atomically (UPDATE … RETURNING): a case rated before, or by another writer meanwhile,
    /// is not returned, so a finished case is counted as rated once. Runs in the context's current transaction.
    /// </summary>
    public static async Task<List<Guid>> ClaimUnratedAsync(this PingjiaDbContext db, IReadOnlyCollection<Guid> caseIds, CancellationToken ct)
    {
        if (caseIds.Count == 0)
        {
            return [];
        }

        // The only difference between the providers: PostgreSQL takes the keys as one array parameter, SQLite has no
        // arrays and takes a list. Either way the statement can only use the primary key.
        const string head = """UPDATE cases SET "HasActiveRating" = TRUE WHERE NOT "HasActiveRating" AND "Id" """;
        const string tail = """ RETURNING "Id" AS "Value" """;
        var (sql, parameters) = db.IsPostgres
            ? (head + "= ANY({0})" + tail, new object[] { caseIds.ToArray() })
            : (head + "IN (" + string.Join(", ", Enumerable.Range(0, caseIds.Count).Select(i => $"{{{i}}}")) + ")" + tail, caseIds.Cast<object>().ToArray());
#pragma warning disable EF1002 // the text is built from constants and placeholders only; every value is a parameter
        return await db.Database.SqlQueryRaw<Guid>(sql, parameters).ToListAsync(ct);
#pragma warning restore EF1002
    }
}
