using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Tests.Features.Ratings;

namespace Pingjia.Server.Tests.Infrastructure;

/// <summary>The rating writer sends its case claim and the audit chain's head together (one round trip on PostgreSQL).</summary>
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
                new Query<bool>("""SELECT "HasActiveRating" FROM cases WHERE "CaseNo" = @p0""", [no], static row => row.GetBoolean(0)),
                CancellationToken.None);
            Assert.Equal([id], claimed);
            Assert.Equal([true], flags);
            await tx.RollbackAsync();
        }

        Assert.False(await db.Cases.Where(c => c.Id == id).Select(c => c.HasActiveRating).SingleAsync());
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
    public async Task WriterCalls_OnAThreadThatMayBlock_CompleteWithoutAwaitingAndStillWork()
    {
        using var db = factory.Db();
        var (_, id) = await NewCaseAsync(db);

        // The rating writer's calls, on a thread marked as its dedicated thread is: every one is finished when it
        // returns (on PostgreSQL an awaited round trip would not be), and the transaction still commits its claim.
        var done = new List<bool>();
        List<Guid>? claimed = null;
        var thread = new Thread(() =>
        {
            BlockingIo.AllowOnThisThread();
            var begin = db.Database.BeginTransactionHereAsync(CancellationToken.None);
            done.Add(begin.IsCompleted);
            var both = db.QueryBothAsync(CaseClaims.Statement(db, [id]), new Query<int>("SELECT 1", [], static row => row.GetInt32(0)), CancellationToken.None);
            done.Add(both.IsCompleted);
            claimed = both.Result.First;
            var commit = begin.Result.CommitHereAsync(CancellationToken.None);
            done.Add(commit.IsCompleted);
            begin.Result.Dispose();
        });
        thread.Start();
        thread.Join();

        Assert.Equal([true, true, true], done);
        Assert.Equal([id], claimed);
        Assert.True(await db.Cases.Where(c => c.Id == id).Select(c => c.HasActiveRating).SingleAsync());
        Assert.False(BlockingIo.Here); // the mark belongs to that thread only
    }

    private async Task<(string No, Guid Id)> NewCaseAsync(PingjiaDbContext db)
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case());
        return (no, await db.Cases.Where(c => c.CaseNo == no).Select(c => c.Id).SingleAsync());
    }
}
