namespace Pingjia.Server.Infrastructure;

/// <summary>
/// Settings from appsettings (section <c>Pingjia</c>) and <c>PINGJIA_</c> environment variables:
/// <c>PINGJIA_DB_PROVIDER</c> sets <c>Pingjia:DbProvider</c> (underscores dropped, case ignored).
/// </summary>
public sealed class PingjiaOptions
{
    public const string Section = "Pingjia";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string DbProvider { get; set; } = "sqlite";

    /// <summary>Connection string; for SQLite defaults to <c>Data Source=./data/pingjia.db</c>.</summary>
    public string? DbConnection { get; set; }

    public string Urls { get; set; } = "http://127.0.0.1:5000";

    /// <summary>When set and no system admin exists yet, a system-admin API key with this value is created.</summary>
    public string? AdminApiKey { get; set; }

    /// <summary><c>development</c> (default) or <c>production</c>; production refuses generated keys.</summary>
    public string Mode { get; set; } = "development";

    /// <summary>SM4 key for personal data, 32 hex digits. Required in production; development generates and keeps one.</summary>
    public string? DataKey { get; set; }

    /// <summary>Where a generated development data key is kept.</summary>
    public string DataKeyFile { get; set; } = "./data/pingjia-data.key";

    /// <summary>How often the rating jobs (defaults, reminders) run, in seconds.</summary>
    public int JobIntervalSeconds { get; set; } = 30;

    /// <summary>Public base URL used in rating links sent by SMS.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:5000";

    /// <summary>Working days for the first contact with the rater (回访).</summary>
    public int ContactWorkingDays { get; set; } = 1;

    /// <summary>Working days for the verification and rectification reply.</summary>
    public int ReplyWorkingDays { get; set; } = 10;

    /// <summary>Working days after a rating within which its unit may appeal it.</summary>
    public int AppealWorkingDays { get; set; } = 5;

    /// <summary>Where evidence files are kept (outside the database).</summary>
    public string EvidenceFolder { get; set; } = "./data/evidence";

    /// <summary>Largest evidence file, in bytes.</summary>
    public long EvidenceMaxBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Share of the reply time after which a warning is raised.</summary>
    public decimal WarningShare { get; set; } = 0.8m;

    /// <summary>Close of business (Asia/Shanghai) at which working-day deadlines end.</summary>
    public string CloseOfBusiness { get; set; } = "18:00";

    /// <summary>Whether a year without holiday data counts weekends only instead of being an error.</summary>
    public bool CalendarWeekendsOnlyFallback { get; set; }

    /// <summary>Largest request body accepted by the API, in bytes.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;

    public bool IsPostgres => string.Equals(DbProvider, "postgres", StringComparison.OrdinalIgnoreCase);

    public string ConnectionString => DbConnection ?? "Data Source=./data/pingjia.db";

    /// <summary>Every problem with the settings, as one readable line each; empty when start-up may proceed.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!string.Equals(DbProvider, "sqlite", StringComparison.OrdinalIgnoreCase) && !IsPostgres)
        {
            problems.Add($"PINGJIA_DB_PROVIDER must be 'sqlite' or 'postgres', not '{DbProvider}'.");
        }

        if (IsPostgres && string.IsNullOrWhiteSpace(DbConnection))
        {
            problems.Add("PINGJIA_DB_CONNECTION is required when PINGJIA_DB_PROVIDER is 'postgres'.");
        }

        foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(url.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri)
                || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                problems.Add($"PINGJIA_URLS contains '{url}', which is not an http(s) URL.");
            }
        }

        if (Mode is not ("development" or "production"))
        {
            problems.Add($"PINGJIA_MODE must be 'development' or 'production', not '{Mode}'.");
        }

        if (AdminApiKey is { } key && !Features.Access.ApiKeyFormat.IsWellFormed(key))
        {
            problems.Add("PINGJIA_ADMIN_API_KEY must look like pj_<8 letters or digits>_<at least 32 letters or digits>.");
        }

        if (DataKey is not null && (DataKey.Length != 32 || !DataKey.All(Uri.IsHexDigit)))
        {
            problems.Add("PINGJIA_DATA_KEY must be 32 hexadecimal digits (a 128-bit SM4 key).");
        }

        if (Mode == "production" && DataKey is null)
        {
            problems.Add("PINGJIA_DATA_KEY is required in production mode (personal data is encrypted with it).");
        }

        if (JobIntervalSeconds is < 1 or > 3600)
        {
            problems.Add("PINGJIA_JOB_INTERVAL_SECONDS must be between 1 and 3600.");
        }

        if (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out _))
        {
            problems.Add("PINGJIA_PUBLIC_BASE_URL must be an absolute URL.");
        }

        if (ContactWorkingDays is < 1 or > 30 || ReplyWorkingDays is < 1 or > 60)
        {
            problems.Add("PINGJIA_CONTACT_WORKING_DAYS is 1 to 30 and PINGJIA_REPLY_WORKING_DAYS 1 to 60.");
        }

        if (WarningShare is <= 0 or >= 1)
        {
            problems.Add("PINGJIA_WARNING_SHARE is a share between 0 and 1, such as 0.8.");
        }

        if (!TimeOnly.TryParseExact(CloseOfBusiness, "HH:mm", out _))
        {
            problems.Add("PINGJIA_CLOSE_OF_BUSINESS is a time of day like 18:00.");
        }

        if (MaxBodyBytes < 1024)
        {
            problems.Add("PINGJIA_MAX_BODY_BYTES must be at least 1024.");
        }

        return problems;
    }
}

/// <summary>Thrown when settings are wrong; the command line prints its message alone, without a stack trace.</summary>
public sealed class ConfigurationProblemException(string message) : Exception(message);

/// <summary>Maps <c>PINGJIA_SOME_NAME</c> to <c>Pingjia:SomeName</c>.</summary>
internal sealed class PingjiaEnvironmentSource : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider();

    private sealed class Provider : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                var name = (string)e.Key;
                if (name.StartsWith("PINGJIA_", StringComparison.OrdinalIgnoreCase) && name.Length > 8)
                {
                    data[$"{PingjiaOptions.Section}:{name[8..].Replace("_", "", StringComparison.Ordinal)}"] = e.Value as string;
                }
            }

            Data = data;
        }
    }
}

internal static class PingjiaConfigurationExtensions
{
    public static IConfigurationBuilder AddPingjiaEnvironment(this IConfigurationBuilder builder)
    {
        return builder.Add(new PingjiaEnvironmentSource());
    }

    public static PingjiaOptions ReadPingjiaOptions(this IConfiguration configuration)
    {
        var options = new PingjiaOptions();
        try
        {
            configuration.GetSection(PingjiaOptions.Section).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw new ConfigurationProblemException($"A Pingjia setting has the wrong type: {ex.Message}");
        }

        options.DbProvider = options.DbProvider.Trim().ToLowerInvariant();
        options.Mode = options.Mode.Trim().ToLowerInvariant();
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ConfigurationProblemException(string.Join(Environment.NewLine, problems));
        }

        return options;
    }
}
