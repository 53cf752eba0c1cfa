using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Tests.Features.Ratings;

namespace Pingjia.Server.Tests.Infrastructure;

/// <summary>
/// The rating writer's direct statements: its case claim and the audit chain's head sent together, its writes and
/// commit sent together (one round trip each on PostgreSQL), and its thread's blocking calls.
/// </summary>
public sealed class DirectSqlTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task QueryBothAsync_ClaimThenRead_EachStatementsRowsInOrderInTheTransaction()
    {
        using var db = factory.Db();
        var (no, id) = await NewCaseAsync(db);

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            // The second statement sees the first one's change: they run in order, in the same transaction.
            var (claimed, flags) = await db.QueryBothAsync(
                CaseClaims.Statement(db, [id]),
                new Query<bool>("""SELECT s."HasActiveRating" FROM case_rating_states AS s INNER JOIN cases AS c ON c."Id" = s."Id" WHERE c."CaseNo" = @p0""", [no], static row => row.GetBoolean(0)),
                CancellationToken.None);
            Assert.Equal([id], claimed);
            Assert.Equal([true], flags);
            await tx.RollbackAsync();
        }

        Assert.False(await RatedAsync(db, id));
    }

    [Fact]
    public async Task AuditSave_HeadTakenForFewerEntries_RefusedAndNothingStored()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        audit.ActorOverride = "test";
        var entries = await db.AuditEntries.CountAsync();
        var sequence = await db.AuditHeads.AsNoTracking().Select(h => h.Sequence).SingleAsync();

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            audit.Record("test.one", "test", "1", new { });
            var take = audit.TakeHead();
            var head = (await db.QueryAsync(take, CancellationToken.None)).Single();
            audit.Record("test.two", "test", "2", new { }); // recorded after the head was taken: its sequence number is not reserved
            await using var statements = new StatementBatch(db);
            await Assert.ThrowsAsync<InvalidOperationException>(() => audit.SaveAsync(statements, head, CancellationToken.None));
        }

        Assert.Equal(entries, await db.AuditEntries.CountAsync());
        Assert.Equal(sequence, await db.AuditHeads.AsNoTracking().Select(h => h.Sequence).SingleAsync());
        Assert.True((await AuditVerifier.VerifyAsync(db, CancellationToken.None)).Ok);
    }

    [Fact]
    public async Task FlushAsync_CommitWithFlush_CommitsWithTheWritesOnPostgresAndDisposalKeepsThem()
    {
        using var db = factory.Db();
        var (_, id) = await NewCaseAsync(db);
        using var other = factory.Db();

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await using var statements = new StatementBatch(db) { CommitWithFlush = true };
            await statements.AddAsync(MarkRated, [id], CancellationToken.None);
            await statements.FlushAsync(CancellationToken.None);

            // On PostgreSQL the COMMIT went with the batch: another connection sees the change before the transaction
            // object is disposed. SQLite has no batch to join; its caller commits as always.
            Assert.Equal(PingjiaFactory.IsPostgres, statements.Committed);
            if (statements.Committed)
            {
                Assert.True(await RatedAsync(other, id));
            }
            else
            {
                await tx.CommitAsync();
            }
        }

        // Disposing a transaction the server has committed rolls nothing back, and the connection goes on working.
        Assert.True(await RatedAsync(db, id));
        Assert.True(await RatedAsync(other, id));
    }

    [Fact]
    public async Task FlushAsync_CommitWithFlushAndAFailingStatement_NothingCommittedAndNothingStored()
    {
        using var db = factory.Db();
        var (_, id) = await NewCaseAsync(db);

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await using var statements = new StatementBatch(db) { CommitWithFlush = true };
            var failure = await Record.ExceptionAsync(async () =>
            {
                await statements.AddAsync(MarkRated, [id], CancellationToken.None);
                await statements.AddAsync("""UPDATE cases SET "CaseNo" = NULL WHERE "Id" = @p0""", [id], CancellationToken.None);
                await statements.FlushAsync(CancellationToken.None);
            });
            // SQLite runs each statement as it is added and fails there; PostgreSQL fails the flush's batch.
            Assert.True(failure is DbUpdateException or System.Data.Common.DbException, failure?.ToString());
            Assert.False(statements.Committed);
        }

        Assert.False(await RatedAsync(db, id));
    }

    [Fact]
    public async Task AuditSave_CommitWithFlushAndTrackedChanges_LeavesTheCommitToTheCallerAndAllStaysInTheTransaction()
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        var (_, id) = await NewCaseAsync(db);
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        audit.ActorOverride = "test";

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            var tracked = await db.Cases.SingleAsync(c => c.Id == id);
            tracked.HasActiveRating = true; // saved by SaveChanges after the batch: the batch must not commit before it
            audit.Record("test.tracked", "case", id.ToString(), new { });
            await using var statements = new StatementBatch(db) { CommitWithFlush = true };
            await audit.SaveAsync(statements, CancellationToken.None);
            Assert.False(statements.Committed);
            await tx.RollbackAsync();
        }

        using var fresh = factory.Db();
        Assert.False(await RatedAsync(fresh, id));
        Assert.Equal(0, await fresh.AuditEntries.CountAsync(e => e.Action == "test.tracked" && e.EntityId == id.ToString()));
    }

    [Fact]
    public async Task WriterCalls_OnAThreadThatMayBlock_CompleteWithoutAwaitingAndStillWork()
    {
        using var db = factory.Db();
        var ids = new List<Guid>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add((await NewCaseAsync(db)).Id);
        }

        // The rating writer's calls, on a thread marked as its dedicated thread is: every one is finished when it
        // returns (on PostgreSQL an awaited round trip would not be), and each transaction still commits its claim.
        // Several rounds, because whether a reply is already in the socket's buffer varies: an awaited read that
        // happens to find it there completes at once, so one round can pass by luck.
        var unfinished = new List<string>();
        var claimed = new List<Guid>();
        var thread = new Thread(() =>
        {
            BlockingIo.AllowOnThisThread();
            foreach (var id in ids)
            {
                var begin = db.Database.BeginTransactionHereAsync(CancellationToken.None);
                Note(begin, "begin");
                var both = db.QueryBothAsync(CaseClaims.Statement(db, [id]), new Query<int>("SELECT 1", [], static row => row.GetInt32(0)), CancellationToken.None);
                Note(both, "claim and read");
                claimed.AddRange(both.Result.First);
                var statements = new StatementBatch(db);
                statements.AddAsync("""UPDATE case_rating_states SET "HasActiveRating" = "HasActiveRating" WHERE "Id" = @p0""", [id], CancellationToken.None).AsTask().Wait();
                Note(statements.FlushAsync(CancellationToken.None), "flush");
                Note(statements.DisposeAsync().AsTask(), "batch disposal");
                var commit = begin.Result.CommitHereAsync(CancellationToken.None);
                Note(commit, "commit");
                begin.Result.Dispose();
            }
        });
        thread.Start();
        thread.Join();

        Assert.Empty(unfinished);
        Assert.Equal(ids, claimed);
        Assert.All(await db.Cases.Where(c => ids.Contains(c.Id)).Select(c => c.HasActiveRating).ToListAsync(), Assert.True);
        Assert.False(BlockingIo.Here); // the mark belongs to that thread only

        void Note(Task call, string what)
        {
            if (!call.IsCompleted)
            {
                unfinished.Add(what);
                call.Wait();
            }
        }
    }

    [Fact]
    public void DisposeHereAsync_OnAThreadThatMayBlock_DisposesSynchronouslyElsewhereAwaits()
    {
        var resource = new SlowToDispose();
        var elsewhere = resource.DisposeHereAsync().AsTask();
        Assert.Equal((0, 1), (resource.Disposed, resource.DisposedAsync));
        Assert.False(elsewhere.IsCompleted);

        var blocking = new SlowToDispose();
        var finished = false;
        var onThread = new Thread(() =>
        {
            BlockingIo.AllowOnThisThread();
            finished = blocking.DisposeHereAsync().AsTask().IsCompleted;
        });
        onThread.Start();
        onThread.Join();
        Assert.True(finished);
        Assert.Equal((1, 0), (blocking.Disposed, blocking.DisposedAsync));
    }

    /// <summary>Disposes at once when asked to block; its asynchronous disposal never finishes, as a reply that has not come.</summary>
    private sealed class SlowToDispose : IDisposable, IAsyncDisposable
    {
        public int Disposed { get; private set; }

        public int DisposedAsync { get; private set; }

        public void Dispose() => Disposed++;

        public ValueTask DisposeAsync()
        {
            DisposedAsync++;
            return new ValueTask(new TaskCompletionSource().Task);
        }
    }

    private const string MarkRated = """UPDATE case_rating_states SET "HasActiveRating" = TRUE WHERE "Id" = @p0""";

    private static Task<bool> RatedAsync(PingjiaDbContext db, Guid id) =>
        db.Cases.Where(c => c.Id == id).Select(c => c.HasActiveRating).SingleAsync();

    private async Task<(string No, Guid Id)> NewCaseAsync(PingjiaDbContext db)
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case());
        return (no, await db.Cases.Where(c => c.CaseNo == no).Select(c => c.Id).SingleAsync());
    }
}
