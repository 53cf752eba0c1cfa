using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

/// <summary>A case and the region path of its agency, which decides who may see it.</summary>
internal sealed record CaseWithPath(Case Case, string? AgencyPath);

/// <summary>
/// Reads a case by its number, untracked, with its agency's region path, in one statement. Every rating submission
/// starts here. On SQLite the statement is kept prepared (see <see cref="PreparedRead{T}"/>): preparing this wide
/// statement cost more CPU than anything else in a submission. On PostgreSQL the round trip is the cost (the send
/// that wakes a backend, per request), so concurrent reads are coalesced: whoever asks while a read is running
/// waits for the next one, which fetches every waiting number in one statement (<c>"CaseNo" = ANY(…)</c>, prepared
/// by Npgsql, on connections of its own that plan it once: see <see cref="Database.ReaderOptions"/>). A lone request still gets its own read at once; under load one statement serves several (~5 in the benchmark).
/// Callers that asked for the same number at the same moment share one <see cref="Case"/>: treat it as read-only.
/// </summary>
public sealed class CaseLookup(PingjiaOptions options) : IDisposable
{
    // Pooled like the request's contexts: a context made per read cost more than the read itself.
    private readonly PooledDbContextFactory<PingjiaDbContext> _readerContexts = new(Database.ReaderOptions(options), poolSize: 16);

    private const int MaxReaders = 2;
    private const int MaxBatch = 128;

    private static readonly System.Linq.Expressions.Expression<Func<PingjiaDbContext, string[], IQueryable<CaseWithPath>>> ByNosQuery =
        (db, caseNos) => db.Cases.AsNoTracking().Where(c => caseNos.Contains(c.CaseNo))
            .Select(c => new CaseWithPath(c, db.Agencies.Where(a => a.Id == c.AgencyId).Select(a => a.Region.Path).FirstOrDefault()));

    // A compiled query belongs to one model: the request's pooled contexts have one, the reader's own contexts another.
    private static readonly Func<PingjiaDbContext, string[], IAsyncEnumerable<CaseWithPath>> ByNos = EF.CompileAsyncQuery(ByNosQuery);
    private readonly Func<PingjiaDbContext, string[], IAsyncEnumerable<CaseWithPath>> _readerByNos = EF.CompileAsyncQuery(ByNosQuery);

    private readonly ConcurrentQueue<(string CaseNo, TaskCompletionSource<CaseWithPath?> Done)> _waiting = new();
    private int _readers;

    private readonly PreparedRead<Case> _read = new(db =>
        $"""
        SELECT {PreparedRead<Case>.Columns(db, "c")},
            (SELECT r."Path" FROM agencies AS a INNER JOIN regions AS r ON a."RegionId" = r."Id" WHERE a."Id" = c."AgencyId" LIMIT 1)
        FROM {PreparedRead<Case>.From(db, "c")}
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

    /// <summary>The case and its agency's region path, or <c>null</c>: prepared on SQLite, coalesced elsewhere.</summary>
    internal async Task<CaseWithPath?> FindAsync(PingjiaDbContext db, string caseNo, CancellationToken ct)
    {
        // Inside a transaction the caller must see its own writes: its own connection reads.
        if (db.Database.CurrentTransaction is not null)
        {
            return (await ReadAsync(ByNos, db, [caseNo], ct)).GetValueOrDefault(caseNo);
        }

        if (await _read.ReadAsync(db, caseNo, ct) is { } row)
        {
            return row.Entity is null ? null : new CaseWithPath(row.Entity, row.Extra[0] as string);
        }

        var done = new TaskCompletionSource<CaseWithPath?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting.Enqueue((caseNo, done));
        StartReaderIfFree();
        return await done.Task.WaitAsync(ct);
    }

    private void StartReaderIfFree()
    {
        if (!TryTakeReaderSlot())
        {
            return;
        }

        // The reader belongs to no request: without this it would inherit the first caller's HttpContext.
        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(ReadWaitingAsync);
        }
    }

    private bool TryTakeReaderSlot()
    {
        var n = Volatile.Read(ref _readers);
        while (n < MaxReaders)
        {
            var seen = Interlocked.CompareExchange(ref _readers, n + 1, n);
            if (seen == n)
            {
                return true;
            }

            n = seen;
        }

        return false;
    }

    private async Task ReadWaitingAsync()
    {
        var batch = new List<(string CaseNo, TaskCompletionSource<CaseWithPath?> Done)>();
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _waiting.TryDequeue(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                Interlocked.Decrement(ref _readers);
                // A number queued after the last look, while every slot looked taken, must not wait for the next caller.
                if (_waiting.IsEmpty || !TryTakeReaderSlot())
                {
                    return;
                }

                continue;
            }

            try
            {
                await using var db = await _readerContexts.CreateDbContextAsync(CancellationToken.None);
                var found = await ReadAsync(_readerByNos, db, [.. batch.Select(b => b.CaseNo).Distinct(StringComparer.Ordinal)], CancellationToken.None);
                foreach (var (caseNo, done) in batch)
                {
                    done.TrySetResult(found.GetValueOrDefault(caseNo));
                }
            }
            catch (Exception e)
            {
                foreach (var (_, done) in batch)
                {
                    done.TrySetException(e);
                }
            }
        }
    }

    private static async Task<Dictionary<string, CaseWithPath>> ReadAsync(
        Func<PingjiaDbContext, string[], IAsyncEnumerable<CaseWithPath>> query, PingjiaDbContext db, string[] caseNos, CancellationToken ct)
    {
        var found = new Dictionary<string, CaseWithPath>(caseNos.Length, StringComparer.Ordinal);
        await foreach (var c in query(db, caseNos).WithCancellation(ct))
        {
            found[c.Case.CaseNo] = c;
        }

        return found;
    }

    public void Dispose() => _read.Dispose();
}
