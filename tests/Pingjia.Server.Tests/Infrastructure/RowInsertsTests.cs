using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Audit;
using Pingjia.Data.Ratings;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Tests.Features.Ratings;

namespace Pingjia.Server.Tests.Infrastructure;

/// <summary>
/// RowInserts writes rows without EF's change tracking, with parameters it makes itself: what it stores must be
/// byte for byte what SaveChanges stores, or lookups, joins and sorts on those columns would silently differ.
/// </summary>
public sealed class RowInsertsTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task InsertRowsAsync_RatingsWithAndWithoutOptionalValues_StoredExactlyAsSaveChangesStoresThem()
    {
        using var db = factory.Db();
        var c = await NewCaseAsync(db);
        var at = new DateTime(2026, 12, 6, 1, 2, 3, DateTimeKind.Utc).AddTicks(4567);
        var staff = Guid.CreateVersion7();
        Rating Full(string step) => new()
        {
            Id = Guid.CreateVersion7(), CaseId = c.Id, CaseNo = c.CaseNo, Step = step, Level = 2, Indicators = """{"环境":3}""", Tags = "510,520",
            Text = "等了很久 waited", FollowUp = "追评", FollowUpAt = at.AddDays(1), Channel = RatingChannel.HallDevice, IsDefault = false,
            BatchNo = "B-1", RaterIndex = "ab12", Excluded = true, ExcludedReason = "申诉成立", ExcludedAt = at.AddDays(2),
            AgencyId = c.AgencyId, ItemId = c.ItemId, StaffId = staff, Day = 20261206, ConfigVersion = 3, CreatedAt = at,
        };
        Rating Bare(string step) => new()
        {
            Id = Guid.CreateVersion7(), CaseId = c.Id, CaseNo = c.CaseNo, Step = step, Level = 5, Indicators = "{}", Tags = "",
            Channel = RatingChannel.Default, IsDefault = true, AgencyId = c.AgencyId, ItemId = c.ItemId, Day = 20261206, ConfigVersion = 1, CreatedAt = at,
        };

        // Two rows per call, each kind first once: on SQLite the second row rebinds the first one's parameters, so
        // values set for one row (or left null) must not leak into the next.
        foreach (var (ours, theirs) in new[] { ((Full("s1"), Bare("s3")), (Full("s2"), Bare("s4"))), ((Bare("s5"), Full("s6")), (Bare("s7"), Full("s8"))) })
        {
            await db.InsertRowsAsync([ours.Item1, ours.Item2], CancellationToken.None);
            db.Ratings.AddRange(theirs.Item1, theirs.Item2);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            await AssertStoredAlikeAsync(db, "ratings", "Id", ours.Item1.Id, theirs.Item1.Id, "Id", "Step");
            await AssertStoredAlikeAsync(db, "ratings", "Id", ours.Item2.Id, theirs.Item2.Id, "Id", "Step");
        }
    }

    [Fact]
    public async Task InsertRowsAsync_AuditEntries_StoredExactlyAsSaveChangesStoresThem()
    {
        using var db = factory.Db();
        var late = new DateTime(2026, 12, 6, 23, 59, 59, DateTimeKind.Utc).AddTicks(9999999);
        AuditEntry Entry(long sequence, DateTime at, string actor, string data) => new()
        {
            Sequence = sequence, Id = Guid.CreateVersion7(), At = at,
            Actor = actor, Action = "rating.created", EntityType = "rating", EntityId = "x", Data = data, PrevHash = "00", Hash = "ff",
        };
        var ours = new[] { Entry(900_000_001, late, "key:测试", """{"level":1}"""), Entry(900_000_003, late.Date, "system:rating-window", "{}") };
        var theirs = new[] { Entry(900_000_002, late, "key:测试", """{"level":1}"""), Entry(900_000_004, late.Date, "system:rating-window", "{}") };

        await db.InsertRowsAsync(ours, CancellationToken.None);
        db.AuditEntries.AddRange(theirs);
        await db.SaveChangesAsync();

        await AssertStoredAlikeAsync(db, "audit_entries", "Sequence", ours[0].Sequence, theirs[0].Sequence, "Sequence", "Id");
        await AssertStoredAlikeAsync(db, "audit_entries", "Sequence", ours[1].Sequence, theirs[1].Sequence, "Sequence", "Id");
    }

    [Fact]
    public async Task InsertRowsAsync_DuplicateKey_FailsAsDbUpdateExceptionAndStoresNothingMore()
    {
        using var db = factory.Db();
        var c = await NewCaseAsync(db);
        Rating Make() => new()
        {
            Id = Guid.CreateVersion7(), CaseId = c.Id, CaseNo = c.CaseNo, Step = "same", Level = 5, Indicators = "{}", Tags = "",
            Channel = RatingChannel.App, AgencyId = c.AgencyId, ItemId = c.ItemId, Day = 20261206, ConfigVersion = 1, CreatedAt = DateTime.UtcNow,
        };

        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            var e = await Assert.ThrowsAsync<DbUpdateException>(() => db.InsertRowsAsync([Make(), Make()], CancellationToken.None));
            Assert.True(Pingjia.Server.Infrastructure.ProblemExceptionHandler.IsUniqueViolation(e), e.InnerException?.ToString());
        }

        Assert.Equal(0, await db.Ratings.CountAsync(r => r.CaseId == c.Id));
    }

    /// <summary>A case made through the intake API, for ratings to refer to.</summary>
    private async Task<Case> NewCaseAsync(PingjiaDbContext db)
    {
        var s = await RatingScenario.CreateAsync(factory);
        var no = RatingScenario.NewCaseNo();
        await s.PutCaseAsync(no, s.Case());
        return await db.Cases.AsNoTracking().SingleAsync(x => x.CaseNo == no);
    }

    /// <summary>Every column but <paramref name="differing"/> holds the same stored value (type and content) in both rows.</summary>
    private static async Task AssertStoredAlikeAsync(PingjiaDbContext db, string table, string key, object a, object b, params string[] differing)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"""SELECT * FROM {table} WHERE "{key}" = @a OR "{key}" = @b""";
            foreach (var (name, value) in new[] { ("@a", a), ("@b", b) })
            {
                var p = command.CreateParameter();
                p.ParameterName = name;
                // Bound as the column is stored: a key of text on SQLite, typed on PostgreSQL.
                p.Value = value is Guid g && db.IsSqlite ? g.ToString().ToUpperInvariant() : value;
                command.Parameters.Add(p);
            }

            await using var rows = await command.ExecuteReaderAsync();
            var read = new List<Dictionary<string, (string Type, object Value)>>();
            while (await rows.ReadAsync())
            {
                read.Add(Enumerable.Range(0, rows.FieldCount).ToDictionary(rows.GetName, i => Stored(rows, i)));
            }

            Assert.Equal(2, read.Count);
            foreach (var (column, value) in read[0].Where(x => !differing.Contains(x.Key)))
            {
                Assert.True(Equals(value, read[1][column]), $"{table}.{column}: {value} against {read[1][column]}");
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static (string Type, object Value) Stored(DbDataReader rows, int i) =>
        rows.IsDBNull(i) ? ("null", "") : rows.GetValue(i) is byte[] bytes ? ("blob", Convert.ToHexString(bytes)) : (rows.GetValue(i).GetType().Name, rows.GetValue(i));
}
