using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Ratings;

public sealed class CaseLookupTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task FindAsync_PreparedOnSqliteOrEfElsewhere_ReadsTheCaseExactlyAsEfCore()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        // Every kind of column set: enums, nullable and set timestamps, encrypted fields, indexes, a batch number.
        await s.PutCaseAsync(no, s.Case(status: "certificate_signed", item: s.CertificateItem, signedAt: s.Now, batchNo: "B-" + no));
        var lookup = factory.Services.GetRequiredService<CaseLookup>();
        using var db = factory.Db();
        var expected = await db.Cases.AsNoTracking().SingleAsync(c => c.CaseNo == no);
        var path = await db.Agencies.Where(a => a.Id == expected.AgencyId).Select(a => a.Region.Path).SingleAsync();

        var found = await lookup.FindAsync(db, no, CancellationToken.None);
        var again = await lookup.FindAsync(db, no, CancellationToken.None); // the statement kept prepared, rebound

        foreach (var read in new[] { found, again })
        {
            Assert.NotNull(read);
            Assert.Equal(path, read.AgencyPath);
            foreach (var property in typeof(Pingjia.Data.Ratings.Case).GetProperties())
            {
                var value = property.GetValue(read.Case);
                Assert.True(Equals(property.GetValue(expected), value), $"{property.Name}: EF read {property.GetValue(expected)}, prepared read {value}");
                if (value is DateTime at)
                {
                    Assert.Equal(DateTimeKind.Utc, at.Kind);
                }
            }
        }

        Assert.Null(await lookup.FindAsync(db, no + "-none", CancellationToken.None));
    }

    [Fact]
    public async Task FindAsync_ManyCallersAtOnce_EachGetsItsOwnCase()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var nos = Enumerable.Range(0, 40).Select(_ => RatingScenario.NewCaseNo()).ToList();
        foreach (var no in nos)
        {
            await s.PutCaseAsync(no, s.Case());
        }

        var lookup = factory.Services.GetRequiredService<CaseLookup>();
        // Known numbers (some asked twice) and unknown ones, all at once, each caller on its own context as requests are.
        var asked = nos.Concat(nos.Take(10)).Concat(nos.Take(5).Select(n => n + "-none")).OrderBy(_ => Random.Shared.Next()).ToList();
        var reads = await Task.WhenAll(asked.Select(async no =>
        {
            await Task.Yield();
            using var db = factory.Db();
            return (Asked: no, Read: await lookup.FindAsync(db, no, CancellationToken.None));
        }));

        foreach (var (no, read) in reads)
        {
            if (no.EndsWith("-none", StringComparison.Ordinal))
            {
                Assert.Null(read);
            }
            else
            {
                Assert.NotNull(read);
                Assert.Equal(no, read.Case.CaseNo);
                Assert.NotNull(read.AgencyPath);
            }
        }
    }

    [Fact]
    public async Task FindAsync_InsideATransaction_SeesItsOwnUncommittedChange()
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case());
        var lookup = factory.Services.GetRequiredService<CaseLookup>();
        using var db = factory.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        await db.Cases.Where(c => c.CaseNo == no).ExecuteUpdateAsync(u => u.SetProperty(c => c.BatchNo, "uncommitted"));

        var read = await lookup.FindAsync(db, no, CancellationToken.None);

        Assert.Equal("uncommitted", read?.Case.BatchNo);
        await tx.RollbackAsync();
        Assert.Null((await lookup.FindAsync(db, no, CancellationToken.None))?.Case.BatchNo);
    }

    [Fact]
    public async Task ReaderOptions_OnPostgres_OwnConnectionsPlanGenericallyAndNoOtherDoes()
    {
        var options = factory.Services.GetRequiredService<Pingjia.Server.Infrastructure.PingjiaOptions>();
        await using var reader = new Pingjia.Data.PingjiaDbContext(Pingjia.Server.Infrastructure.Database.ReaderOptions(options));
        using var app = factory.Db();
        Assert.Equal(app.IsPostgres, reader.IsPostgres);
        if (reader.IsPostgres)
        {
            Assert.Equal("force_generic_plan", await PlanCacheModeAsync(reader));
            Assert.Equal("auto", await PlanCacheModeAsync(app));
        }

        // Either way the reader reads the same database.
        Assert.Equal(await app.Cases.CountAsync(), await reader.Cases.CountAsync());
    }

    private static Task<string> PlanCacheModeAsync(Pingjia.Data.PingjiaDbContext db) =>
        db.Database.SqlQueryRaw<string>("""SELECT current_setting('plan_cache_mode') AS "Value" """).SingleAsync();
}
