using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Audit;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Audit;

/// <summary>
/// Appends changes of state to the hash-chained audit log in the same transaction as the change itself.
/// Call <see cref="Record"/> for each change, then <see cref="SaveAsync(CancellationToken)"/> instead of <c>SaveChangesAsync</c>.
/// </summary>
public sealed class AuditLog(PingjiaDbContext db, TimeProvider time, Caller caller)
{
    // Chinese stays readable in the stored JSON; the chain hashes these exact characters.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };
    private readonly List<AuditEntry> _pending = [];

    /// <summary>Overrides the actor for work not done on behalf of a request (jobs, the command line).</summary>
    public string? ActorOverride { get; set; }

    /// <summary>Who the next recorded entry is attributed to.</summary>
    public string Actor => ActorOverride ?? caller.Actor;

    public void Record(string action, string entityType, string entityId, object data)
    {
        _pending.Add(new AuditEntry
        {
            Id = time.NewId(),
            At = time.UtcNow(),
            Actor = Actor,
            Action = action,
            EntityType = entityType,
            EntityId = entityId,
            Data = JsonSerializer.Serialize(data, Json),
            PrevHash = "",
            Hash = "",
        });
    }

    /// <summary>Saves the tracked changes and the recorded audit entries atomically.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        await using var statements = new StatementBatch(db);
        await SaveAsync(statements, ct);
    }

    /// <summary>
    /// Saves the tracked changes and the recorded audit entries atomically, together with the caller's
    /// <paramref name="statements"/> (on PostgreSQL the entries join them in one round trip; they run before the
    /// tracked changes, which may refer to rows they insert).
    /// </summary>
    public async Task SaveAsync(StatementBatch statements, CancellationToken ct) => await SaveAsync(statements, taken: null, ct);

    /// <summary>
    /// The statement that takes the chain's head for the entries recorded so far, for a caller that sends it together
    /// with a statement of its own (the rating writer, see <see cref="DirectSql.QueryBothAsync"/>). Its row goes to
    /// <see cref="SaveAsync(StatementBatch, AuditChainHead?, CancellationToken)"/>; record nothing in between.
    /// </summary>
    public Query<AuditChainHead> TakeHead()
    {
        var count = _pending.Count;
        return new("""UPDATE audit_head SET "Sequence" = "Sequence" + @p0 WHERE "Id" = 1 RETURNING "Sequence", "Hash" """, [(long)count],
            row => new AuditChainHead(row.GetInt64(0), row.GetString(1), count));
    }

    /// <summary>As <see cref="SaveAsync(StatementBatch, CancellationToken)"/>, with the head already taken by <see cref="TakeHead"/> when given.</summary>
    public async Task SaveAsync(StatementBatch statements, AuditChainHead? taken, CancellationToken ct)
    {
        var own = db.Database.CurrentTransaction is null;
        var tx = own ? await db.Database.BeginTransactionHereAsync(ct) : null;
        try
        {
            if (taken is not null && taken.TakenFor != _pending.Count)
            {
                // The sequence numbers were reserved for another number of entries: chaining would leave a gap or a repeat.
                throw new InvalidOperationException($"The audit head was taken for {taken.TakenFor} entries, but {_pending.Count} are to be saved.");
            }

            if (_pending.Count > 0)
            {
                // Taking the head row first serialises appenders on every provider (a row lock on PostgreSQL,
                // the write lock on SQLite), so two transactions can never chain onto the same hash.
                var count = _pending.Count;
                var head = taken ?? (await db.QueryAsync(TakeHead(), ct)).Single();
                var sequence = head.Sequence - count;
                var prev = head.Hash;
                foreach (var entry in _pending)
                {
                    entry.Sequence = ++sequence;
                    entry.PrevHash = prev;
                    entry.Hash = prev = ComputeHash(entry);
                }

                // Appended directly rather than tracked: every write of the server ends here, often with many entries.
                await statements.AddRowsAsync(_pending, ct);
                await statements.AddAsync("""UPDATE audit_head SET "Hash" = @p0 WHERE "Id" = 1""", [prev], ct);
            }

            // The commit may go with the batch only when the batch ends the caller's transaction: nothing tracked is
            // left to save after it (nor a transaction of this method's own to commit below). Then SaveChanges has
            // nothing to do, and the change tracker is not scanned a second time.
            var commitWithBatch = statements.CommitWithFlush && tx is null && !db.ChangeTracker.HasChanges();
            statements.CommitWithFlush = commitWithBatch;
            await statements.FlushAsync(ct);
            if (!commitWithBatch)
            {
                await db.SaveChangesAsync(ct);
            }

            if (tx is not null)
            {
                await tx.CommitHereAsync(ct);
            }

            _pending.Clear();
        }
        catch
        {
            // Nothing half-written: the caller's change and its audit entries go together or not at all.
            _pending.Clear();
            throw;
        }
        finally
        {
            if (tx is not null)
            {
                await tx.DisposeAsync();
            }
        }
    }

    /// <summary>SM3 over every field of the entry and the previous hash, in a fixed text form.</summary>
    public static string ComputeHash(AuditEntry e) => Sm3.HashHex(string.Join('\n',
        e.Sequence.ToString(CultureInfo.InvariantCulture),
        e.Id.ToString("N"),
        e.At.Ticks.ToString(CultureInfo.InvariantCulture),
        e.Actor,
        e.Action,
        e.EntityType,
        e.EntityId,
        e.Data,
        e.PrevHash));
}

/// <summary>The chain's head as the appending transaction sees it once it holds the head row, taken for <paramref name="TakenFor"/> entries.</summary>
public sealed record AuditChainHead(long Sequence, string Hash, int TakenFor);

/// <summary>The outcome of checking the chain: either intact, or the first entry that does not fit and why.</summary>
public sealed record AuditVerification(bool Ok, long Entries, long? BrokenAt, string? Reason)
{
    public override string ToString() => Ok ? $"ok ({Entries} entries)" : $"broken at entry {BrokenAt}: {Reason}";
}

public static class AuditVerifier
{
    /// <summary>Walks the whole chain in order, recomputing every hash; reads in pages so memory stays flat.</summary>
    public static async Task<AuditVerification> VerifyAsync(PingjiaDbContext db, CancellationToken ct)
    {
        var expectedSeq = 1L;
        var prev = AuditGenesis.Hash;
        while (true)
        {
            var from = expectedSeq;
            var page = await db.AuditEntries.AsNoTracking().Where(e => e.Sequence >= from)
                .OrderBy(e => e.Sequence).Take(2000).ToListAsync(ct);
            foreach (var e in page)
            {
                if (e.Sequence != expectedSeq)
                {
                    return new(false, expectedSeq - 1, expectedSeq, $"entry {expectedSeq} is missing");
                }

                if (e.PrevHash != prev)
                {
                    return new(false, expectedSeq - 1, e.Sequence, "its previous-hash does not match the entry before it");
                }

                if (AuditLog.ComputeHash(e) != e.Hash)
                {
                    return new(false, expectedSeq - 1, e.Sequence, "its content does not match its hash (edited)");
                }

                prev = e.Hash;
                expectedSeq++;
            }

            if (page.Count < 2000)
            {
                break;
            }
        }

        var head = await db.AuditHeads.AsNoTracking().SingleAsync(h => h.Id == 1, ct);
        var count = expectedSeq - 1;
        if (head.Sequence != count || head.Hash != prev)
        {
            return new(false, count, count + 1, $"the log ends at entry {count} but the head records {head.Sequence} (entries removed from the end)");
        }

        return new(true, count, null, null);
    }
}
