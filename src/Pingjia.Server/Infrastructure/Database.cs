using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;

namespace Pingjia.Server.Infrastructure;

/// <summary>Registers the one DbContext on the configured provider, with that provider's migrations assembly.</summary>
internal static class Database
{
    public const string SqliteMigrations = "Pingjia.Migrations.Sqlite";
    public const string PostgresMigrations = "Pingjia.Migrations.Postgres";

    public static IServiceCollection AddPingjiaData(this IServiceCollection services, PingjiaOptions options)
    {
        // Pooled: a context per request is the hottest allocation of the rating path; a pooled one is reset instead.
        services.AddDbContextPool<PingjiaDbContext>(o => Configure(o, options), poolSize: 256);
        return services;
    }

    /// <summary>SQLite only: <see cref="SqliteCheckpointer"/>. Register after the start-up tasks, which migrate the database.</summary>
    public static IServiceCollection AddSqliteCheckpoints(this IServiceCollection services, PingjiaOptions options)
    {
        if (!options.IsPostgres)
        {
            // On the wall clock, not the application's: a test that stands or moves the application's clock by days
            // must not stop checkpoints, nor run them all at once.
            services.AddHostedService(sp => new SqliteCheckpointer(options, TimeProvider.System, sp.GetRequiredService<ILogger<SqliteCheckpointer>>()));
        }

        return services;
    }

    public static void Configure(DbContextOptionsBuilder builder, PingjiaOptions options)
    {
        if (options.IsPostgres)
        {
            builder.UseNpgsql(WithPostgresDefaults(options.ConnectionString), o => o.MigrationsAssembly(PostgresMigrations))
                .AddInterceptors(Features.WorkOrders.HandlingCounters.Interceptor.Instance);
        }
        else
        {
            EnsureSqliteFolder(options.ConnectionString);
            builder.UseSqlite(options.ConnectionString, o => o.MigrationsAssembly(SqliteMigrations))
                .AddInterceptors(SqliteSynchronousNormal.Instance, Features.WorkOrders.HandlingCounters.Interceptor.Instance);
        }
    }

    /// <summary>
    /// Applies pending migrations. On SQLite also switches the file to WAL once (it is a property of the file,
    /// not the connection), so readers run beside the single writer.
    /// </summary>
    public static async Task MigrateAsync(PingjiaDbContext db, CancellationToken ct)
    {
        await db.Database.MigrateAsync(ct);
        if (!db.IsPostgres)
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
    }

    /// <summary>
    /// Options for contexts apart from the request's pool, for a reader that runs one statement many times (the
    /// coalesced case read, see <c>CaseLookup</c>, which pools them itself). On PostgreSQL its connections use generic plans only, so a prepared
    /// statement is planned once per connection. PostgreSQL otherwise plans a statement anew on every run for as long as
    /// it estimates that pays; for an array of keys it assumes 10 and so, with ~7 in a read, it planned the wide case
    /// read on every one of them, which cost it more CPU than running the read (2026-12-06: 147 µs against 105 µs a
    /// read). A key-array read by a unique index has one good plan whatever the number of keys. The connection string
    /// differs, so Npgsql pools these connections apart and the setting reaches nothing else.
    /// </summary>
    public static DbContextOptions<PingjiaDbContext> ReaderOptions(PingjiaOptions options)
    {
        var builder = new DbContextOptionsBuilder<PingjiaDbContext>();
        if (options.IsPostgres)
        {
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(WithPostgresDefaults(options.ConnectionString));
            connection.Options = $"{connection.Options} -c plan_cache_mode=force_generic_plan".Trim();
            builder.UseNpgsql(connection.ConnectionString, o => o.MigrationsAssembly(PostgresMigrations));
        }
        else
        {
            Configure(builder, options);
        }

        return builder.Options;
    }

    public static PingjiaDbContext Create(PingjiaOptions options)
    {
        var builder = new DbContextOptionsBuilder<PingjiaDbContext>();
        Configure(builder, options);
        return new PingjiaDbContext(builder.Options);
    }

    private static void EnsureSqliteFolder(string connectionString)
    {
        var source = new SqliteConnectionStringBuilder(connectionString).DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(source));
        if (!string.IsNullOrEmpty(folder) && source != ":memory:")
        {
            Directory.CreateDirectory(folder);
        }
    }

    /// <summary>
    /// Two Npgsql settings that the rating path needs, each unless the connection string says otherwise:
    /// automatic preparation keeps the hot statements (the case read of every rating, the writer's inserts and counter
    /// upserts) parsed and planned once per physical connection; and no reset on close, because resetting a pooled
    /// connection costs seven statements in PostgreSQL per request, for session state the server never sets
    /// (no SET, temporary tables, LISTEN or advisory locks).
    /// </summary>
    internal static string WithPostgresDefaults(string connectionString)
    {
        // Npgsql's own builder knows every keyword, so only the raw pairs can say whether one was given.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        bool Given(string keyword) => given.ContainsKey(keyword) || given.ContainsKey(keyword.Replace(" ", "", StringComparison.Ordinal));
        var built = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!Given("Max Auto Prepare"))
        {
            built.MaxAutoPrepare = 64;
        }

        if (!Given("No Reset On Close"))
        {
            built.NoResetOnClose = true;
        }

        return built.ConnectionString;
    }

    /// <summary>
    /// In WAL mode, synchronous=NORMAL syncs at checkpoints instead of every commit: the database cannot be corrupted,
    /// but a power cut may lose the last commits. That is the usual setting for WAL; it is per connection, hence here.
    /// busy_timeout lets SQLite itself wait for the write lock with short sleeps; without it Microsoft.Data.Sqlite
    /// retries a busy statement only every 150 ms, which is most of the tail latency under concurrent writes.
    /// Checkpoints are left to <see cref="SqliteCheckpointer"/> (see there).
    /// </summary>
    private sealed class SqliteSynchronousNormal : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
    {
        public static readonly SqliteSynchronousNormal Instance = new();

        public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) =>
            Apply(connection);

        public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        // The settings belong to the native connection, which the pool keeps open across opens: apply them once.
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = [];

        private static void Apply(System.Data.Common.DbConnection connection)
        {
            if (connection is Microsoft.Data.Sqlite.SqliteConnection { Handle: { } handle } && !Configured.TryAdd(handle, Instance))
            {
                return;
            }

            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; " + SqliteCheckpointer.ConnectionPragmas;
            command.ExecuteNonQuery();
        }
    }
}
