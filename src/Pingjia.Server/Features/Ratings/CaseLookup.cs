using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Server.Features.Access;

namespace Pingjia.Server.Features.Ratings;

/// <summary>A case and the region path of its agency, which decides who may see it.</summary>
internal sealed record CaseWithPath(Case Case, string? AgencyPath);

/// <summary>
/// Reads a case by its number, untracked, with its agency's region path, in one statement. Every rating submission
/// starts here. On SQLite the statement is kept prepared (see <see cref="PreparedRead{T}"/>): preparing this wide
/// statement cost more CPU than anything else in a submission. Elsewhere an EF compiled query reads the same rows
/// and columns (Npgsql prepares it automatically).
/// </summary>
public sealed class CaseLookup : IDisposable
{
    private static readonly Func<PingjiaDbContext, string, CancellationToken, Task<CaseWithPath?>> ByNo = EF.CompileAsyncQuery(
        (PingjiaDbContext db, string caseNo, CancellationToken ct) => db.Cases.AsNoTracking().Where(c => c.CaseNo == caseNo)
            .Select(c => new CaseWithPath(c, db.Agencies.Where(a => a.Id == c.AgencyId).Select(a => a.Region.Path).FirstOrDefault()))
            .FirstOrDefault());

    private readonly PreparedRead<Case> _read = new(db =>
        $"""
        SELECT {PreparedRead<Case>.Columns(db, "c")},
            (SELECT r."Path" FROM agencies AS a INNER JOIN regions AS r ON a."RegionId" = r."Id" WHERE a."Id" = c."AgencyId" LIMIT 1)
        FROM cases AS c
        WHERE c."CaseNo" = @key
        LIMIT 1
        """, extraColumns: 1);

    /// <summary>A case inside the caller's scope (through its agency), or 404.</summary>
    internal async Task<Case> FindVisibleAsync(PingjiaDbContext db, Caller caller, string caseNo, CancellationToken ct)
    {
        var found = await FindAsync(db, caseNo, ct);
        if (found is null || found.AgencyPath is null || !caller.SeesAgency(found.Case.AgencyId, found.AgencyPath))
        {
            throw new DomainException(ErrorKind.NotFound, "case_not_found", $"Case {caseNo} was not found.");
        }

        return found.Case;
    }

    /// <summary>The case and its agency's region path, or <c>null</c>: prepared on SQLite, the EF compiled query elsewhere.</summary>
    internal async Task<CaseWithPath?> FindAsync(PingjiaDbContext db, string caseNo, CancellationToken ct) =>
        await _read.ReadAsync(db, caseNo, ct) is not { } row ? await ByNo(db, caseNo, ct)
        : row.Entity is null ? null
        : new CaseWithPath(row.Entity, row.Extra[0] as string);

    public void Dispose() => _read.Dispose();
}
