namespace Pingjia.Data.Ratings;

/// <summary>Marks cases as holding an active rating, in one statement that says which cases it changed.</summary>
public static class CaseClaims
{
    /// <summary>
    /// Sets <see cref="Case.HasActiveRating"/> (in the case's narrow <c>case_rating_states</c> row) on those of
    /// <paramref name="caseIds"/> that did not have it yet and returns exactly those, atomically (UPDATE … RETURNING):
    /// a case rated before, or by another writer meanwhile, is not returned, so a finished case is counted as rated
    /// once. Runs in the context's current transaction.
    /// </summary>
    public static async Task<List<Guid>> ClaimUnratedAsync(this PingjiaDbContext db, IReadOnlyCollection<Guid> caseIds, CancellationToken ct)
    {
        if (caseIds.Count == 0)
        {
            return [];
        }

        return await db.QueryAsync(Statement(db, caseIds), ct);
    }

    /// <summary>The statement of <see cref="ClaimUnratedAsync"/>, to send with another (see <see cref="DirectSql.QueryBothAsync"/>).</summary>
    public static Query<Guid> Statement(PingjiaDbContext db, IReadOnlyCollection<Guid> caseIds)
    {
        // The only difference between the providers: PostgreSQL takes the keys as one array parameter, SQLite has no
        // arrays and takes a list. Either way the statement can only use the primary key.
        const string head = """UPDATE case_rating_states SET "HasActiveRating" = TRUE WHERE NOT "HasActiveRating" AND "Id" """;
        const string tail = """ RETURNING "Id" """;
        return db.IsPostgres
            ? new(head + "= ANY(@p0)" + tail, [caseIds.ToArray()], ReadId)
            : new(head + "IN (" + string.Join(", ", Enumerable.Range(0, caseIds.Count).Select(DirectSql.Placeholder)) + ")" + tail, [.. caseIds.Cast<object>()], ReadId);
    }

    private static readonly Func<System.Data.Common.DbDataReader, Guid> ReadId = static row => row.GetGuid(0);
}
