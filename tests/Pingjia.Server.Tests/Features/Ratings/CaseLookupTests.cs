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
}
