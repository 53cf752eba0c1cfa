using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Pingjia.Data;
using Pingjia.Domain.Catalog;

namespace Pingjia.Server.Tests.Infrastructure;

/// <summary>
/// Hosts the real server against a real database of its own: a fresh SQLite file, or — when
/// <c>PINGJIA_TEST_PROVIDER=postgres</c> — a fresh PostgreSQL database on <c>PINGJIA_TEST_PG</c>, dropped afterwards.
/// </summary>
public sealed class PingjiaFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "pj_testadmn_0123456789abcdefghijkmnpqrstuvwxyz234567";
    public const string DataKey = "00112233445566778899aabbccddeeff";

    private static int _provinceCounter = 10;
    private int _cityCounter;
    private int _orgCounter;
    private readonly string _folder = Path.Combine(Environment.GetEnvironmentVariable("PINGJIA_TEST_TMP") ?? Path.GetTempPath(), "pingjia-tests", Guid.NewGuid().ToString("N"));
    private readonly string _pgDatabase = "pingjia_test_" + Guid.NewGuid().ToString("N");

    public PingjiaFactory()
    {
        Directory.CreateDirectory(_folder);
        // Each host gets its own province so that codes never collide across test classes sharing a PostgreSQL server.
        Province = (Interlocked.Increment(ref _provinceCounter) % 80 + 11).ToString("00", System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool IsPostgres => Environment.GetEnvironmentVariable("PINGJIA_TEST_PROVIDER") == "postgres";

    public string Province { get; }

    public string Provider => IsPostgres ? "postgres" : "sqlite";

    public string ConnectionString => IsPostgres
        ? new NpgsqlConnectionStringBuilder(Environment.GetEnvironmentVariable("PINGJIA_TEST_PG")
            ?? throw new InvalidOperationException("PINGJIA_TEST_PG must hold the PostgreSQL connection string.")) { Database = _pgDatabase }.ConnectionString
        : $"Data Source={Path.Combine(_folder, "pingjia.db")}";

    public string Folder => _folder;

    /// <summary>The server's clock: starts at the real time and moves only when a test advances it.</summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Settings a test changes before the host starts (first client or service use).</summary>
    public Dictionary<string, string> Settings { get; } = new()
    {
        // The clock starts at the real date, and deadlines run up to 15 working days ahead: past the last year of
        // official holiday data the suite would fail for the date alone. Tests of a missing year turn this off.
        ["Pingjia:CalendarWeekendsOnlyFallback"] = "true",
    };

    /// <summary>Every log line the server wrote, formatted, with exceptions: privacy tests search it.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Pingjia:DbProvider", Provider);
        builder.UseSetting("Pingjia:DbConnection", ConnectionString);
        builder.UseSetting("Pingjia:AdminApiKey", AdminKey);
        builder.UseSetting("Pingjia:MaxBodyBytes", "65536");
        builder.UseSetting("Pingjia:DataKey", DataKey);
        builder.UseSetting("Pingjia:EvidenceFolder", Path.Combine(_folder, "evidence"));
        // The jobs are driven by the tests themselves (RunOnceAsync at a chosen time), not by the timer.
        builder.UseSetting("Pingjia:JobIntervalSeconds", "3600");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock));
        builder.ConfigureLogging(l => l.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
    }

    public HttpClient Client(string? apiKey = AdminKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    public PingjiaDbContext Db()
    {
        var scope = Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
    }

    /// <summary>A new city code in this host's province, unique per call: <c>PPCC00000000</c>.</summary>
    public string NextCityCode()
    {
        var city = Interlocked.Increment(ref _cityCounter);
        return $"{Province}{city:00}00000000";
    }

    /// <summary>A valid unified social credit code in the given region, unique per call.</summary>
    public string NextCreditCode(string regionCode)
    {
        var n = Interlocked.Increment(ref _orgCounter);
        var first17 = $"11{regionCode[..6]}{n:000000000}";
        return first17 + CreditCode.CheckChar(first17);
    }

    /// <summary>Creates province (once), a fresh city and a district under it; returns the district code.</summary>
    public async Task<(string City, string District)> NewDistrictAsync(HttpClient? admin = null)
    {
        admin ??= Client();
        var province = $"{Province}0000000000";
        var p = await admin.PostAsJsonAsync("/api/v1/regions", new { code = province, name = "测试省" });
        if (p.StatusCode != System.Net.HttpStatusCode.Created && p.StatusCode != System.Net.HttpStatusCode.Conflict)
        {
            throw new InvalidOperationException($"province: {p.StatusCode} {await p.Content.ReadAsStringAsync()}");
        }

        var city = NextCityCode();
        await EnsureCreated(await admin.PostAsJsonAsync("/api/v1/regions", new { code = city, name = "测试市", parentCode = province }));
        var district = city[..4] + "01000000";
        await EnsureCreated(await admin.PostAsJsonAsync("/api/v1/regions", new { code = district, name = "测试区", parentCode = city }));
        return (city, district);
    }

    public async Task<string> NewAgencyAsync(string regionCode, HttpClient? admin = null)
    {
        admin ??= Client();
        var code = NextCreditCode(regionCode);
        await EnsureCreated(await admin.PostAsJsonAsync("/api/v1/agencies", new { creditCode = code, name = "测试局 " + code[^4..], kind = "department", regionCode }));
        return code;
    }

    public static async Task<JsonElement> EnsureCreated(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"expected 201, got {(int)response.StatusCode}: {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        if (IsPostgres)
        {
            try
            {
                var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
                NpgsqlConnection.ClearAllPools();
                using var connection = new NpgsqlConnection(admin);
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = $"DROP DATABASE IF EXISTS \"{_pgDatabase}\" WITH (FORCE)";
                command.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // The server may already be stopping; test.sh removes its whole data folder anyway.
            }
        }

        try
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Keeps every log message (and exception text) written through Microsoft.Extensions.Logging.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}

/// <summary>Reading problem details and JSON bodies in assertions.</summary>
public static class HttpAssert
{
    public static async Task<JsonElement> Problem(HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(code, json.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("traceId").GetString()));
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        return json;
    }

    public static async Task<JsonElement> Json(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static string[] Fields(JsonElement problem) =>
        [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name)];
}

/// <summary>Checks the model matches the latest migration of the provider under test.</summary>
public sealed class MigrationTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public void Model_CurrentProvider_HasNoPendingChanges()
    {
        using var db = factory.Db();
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model has changes without a migration for {factory.Provider}; add one with dotnet ef migrations add.");
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public void Model_EachProvider_HasNoPendingChanges(string provider)
    {
        // Building the model needs no server, so both providers are checked on every run.
        using var db = provider == "sqlite"
            ? new Pingjia.Migrations.Sqlite.DesignTimeFactory().CreateDbContext([])
            : new Pingjia.Migrations.Postgres.DesignTimeFactory().CreateDbContext([]);
        Assert.False(db.Database.HasPendingModelChanges(), $"{provider}: the model has changes that no migration covers.");
    }

    [Fact]
    public async Task Migrate_FreshDatabase_AppliesEveryMigration()
    {
        using var db = factory.Db();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
    }
}
