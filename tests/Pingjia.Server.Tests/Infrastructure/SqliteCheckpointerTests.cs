using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Tests.Infrastructure;

/// <summary>
/// SQLite's checkpoints run beside the writers: the context's connections only checkpoint past the fallback size,
/// and a passive checkpoint moves the log into the database file. SQLite only, whatever the suite's provider: the
/// subject is SQLite's own behaviour, on a file of the test's own.
/// </summary>
public sealed class SqliteCheckpointerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pingjia-checkpoint-").FullName;

    private PingjiaOptions Options => new() { DbProvider = "sqlite", DbConnection = $"Data Source={Path.Combine(_folder, "c.db")};Pooling=False" };

    [Fact]
    public async Task ConnectionPragmas_ContextConnection_ChecksPointsOnlyPastTheFallbackAndLimitsTheLogFile()
    {
        await using var db = Database.Create(Options);
        await db.Database.OpenConnectionAsync();

        Assert.Equal(SqliteCheckpointer.FallbackPages, await PragmaAsync(db, "wal_autocheckpoint"));
        Assert.Equal(SqliteCheckpointer.LogSizeLimitBytes, await PragmaAsync(db, "journal_size_limit"));
    }

    [Fact]
    public async Task CheckpointAsync_AfterCommitsBelowTheFallback_MovesEveryLoggedFrameIntoTheFile()
    {
        await using var writer = new SqliteConnection(Options.ConnectionString);
        await writer.OpenAsync();
        await ExecuteAsync(writer, "PRAGMA journal_mode=WAL; " + SqliteCheckpointer.ConnectionPragmas + " CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);");
        for (var i = 0; i < 50; i++)
        {
            await ExecuteAsync(writer, $"INSERT INTO t (v) VALUES ('{new string('x', 2000)}');");
        }

        await using var checkpointer = new SqliteConnection(Options.ConnectionString);
        await checkpointer.OpenAsync();
        var result = await SqliteCheckpointer.CheckpointAsync(checkpointer, CancellationToken.None);

        Assert.False(result.Busy);
        Assert.True(result.LogFrames > 25, $"only {result.LogFrames} frames were logged: the commits checkpointed by themselves");
        Assert.Equal(result.LogFrames, result.CheckpointedFrames);
    }

    [Fact]
    public async Task ExecuteAsync_EveryInterval_CheckpointsWhatWasCommitted()
    {
        await using (var writer = new SqliteConnection(Options.ConnectionString))
        {
            await writer.OpenAsync();
            await ExecuteAsync(writer, "PRAGMA journal_mode=WAL; " + SqliteCheckpointer.ConnectionPragmas + " CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a');");
            var time = new FakeTimeProvider();
            using var service = new SqliteCheckpointer(Options, time, NullLogger<SqliteCheckpointer>.Instance);
            await service.StartAsync(CancellationToken.None);

            // Nothing happens while the clock stands; once an interval has passed, the service's passive checkpoint has
            // taken every frame. (The service starts its loop on its own, so the clock moves until it has ticked.)
            await Task.Delay(100);
            Assert.Null(service.Last);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (service.Last is null && DateTime.UtcNow < deadline)
            {
                time.Advance(SqliteCheckpointer.Interval);
                await Task.Delay(20);
            }

            await service.StopAsync(CancellationToken.None);
            Assert.NotNull(service.Last);
            Assert.True(service.Last.LogFrames > 0, "nothing was logged before the checkpoint");
            Assert.Equal(service.Last.LogFrames, service.Last.CheckpointedFrames);
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<long> PragmaAsync(Data.PingjiaDbContext db, string name)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = $"PRAGMA {name};";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
