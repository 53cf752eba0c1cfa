using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingjia.Data;

/// <summary>
/// Statements of one transaction that return no rows, sent together. On PostgreSQL they wait until
/// <see cref="FlushAsync"/> and then go in one round trip (an <c>NpgsqlBatch</c>, each statement with its own
/// parameters, so each keeps its prepared form); a round trip there costs both processes more than most of these
/// statements do. On SQLite, which has no round trips to save, each runs as it is added, by the same paths as
/// before (rows through <see cref="RowInserts"/>, prepared once and rebound). Either way the statements run in the
/// order they were added, in the context's current transaction.
/// </summary>
public sealed class StatementBatch(PingjiaDbContext db) : IAsyncDisposable
{
    private DbBatch? _batch;
    private DbCommand? _parameters;

    /// <summary>
    /// Set by the owner of the current transaction when the transaction ends with this batch: on PostgreSQL the next
    /// flush then sends <c>COMMIT</c> as its last statement, one round trip instead of two (a failed statement skips
    /// it, and the transaction is left to roll back). Ignored on SQLite, where nothing waits for a flush.
    /// </summary>
    public bool CommitWithFlush { get; set; }

    /// <summary>True once a flush has committed the transaction (see <see cref="CommitWithFlush"/>): do not commit it again.</summary>
    public bool Committed { get; private set; }

    /// <summary>The context whose connection and transaction the statements use.</summary>
    public PingjiaDbContext Context => db;

    /// <summary>Adds a statement whose placeholders are <c>@p0</c>, <c>@p1</c> … (see <see cref="DirectSql"/>).</summary>
    public async ValueTask AddAsync(string sql, IReadOnlyList<object> values, CancellationToken ct)
    {
        if (db.IsSqlite)
        {
            await db.ExecuteAsync(sql, values, ct);
            return;
        }

        DirectSql.AddParameters(db, NewCommand(sql).Parameters, ParameterFactory(), values);
    }

    /// <summary>Adds inserts of new rows (see <see cref="RowInserts"/>).</summary>
    public async ValueTask AddRowsAsync<T>(IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        if (db.IsSqlite)
        {
            await db.InsertRowsAsync(rows, ct);
            return;
        }

        RowInserts.AddTo(db, rows, NewCommand);
    }

    /// <summary>Sends what is waiting (PostgreSQL); a failure is reported as <see cref="DbUpdateException"/>, as SaveChanges reports it.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_batch is not { BatchCommands.Count: > 0 } batch)
        {
            return;
        }

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        var commit = CommitWithFlush && transaction is not null;
        if (commit)
        {
            NewCommand("COMMIT");
        }

        await db.Database.OpenConnectionHereAsync(ct);
        try
        {
            batch.Transaction = transaction;
            _ = BlockingIo.Here ? batch.ExecuteNonQuery() : await batch.ExecuteNonQueryAsync(ct);
            Committed = commit;
        }
        catch (DbException e)
        {
            throw new DbUpdateException($"A batch of {batch.BatchCommands.Count} statements failed: {e.Message}", e);
        }
        finally
        {
            batch.BatchCommands.Clear();
            await db.Database.CloseConnectionHereAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await (_batch?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_parameters?.DisposeAsync() ?? ValueTask.CompletedTask);
    }

    private DbBatchCommand NewCommand(string sql)
    {
        _batch ??= db.Database.GetDbConnection().CreateBatch();
        var command = _batch.CreateBatchCommand();
        command.CommandText = sql;
        _batch.BatchCommands.Add(command);
        return command;
    }

    // EF's type mappings make parameters through a command; this one only makes them and is never run.
    private DbCommand ParameterFactory() => _parameters ??= db.Database.GetDbConnection().CreateCommand();
}
