using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Cli;

/// <summary>
/// One executable serves and administers. Every verb is described in Chinese and English.
/// Exit codes: 0 ok, 1 a check failed (e.g. a broken audit chain), 2 bad configuration or usage.
/// </summary>
public static class PingjiaCli
{
    private static readonly string[] RootTokens = ["-h", "--help", "-?", "--version"];

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            // No verb (or only host settings such as --urls=…, as test hosts pass them): serve.
            if (args.Length == 0 || (args[0].StartsWith('-') && !RootTokens.Contains(args[0])))
            {
                return await ServeAsync(args);
            }

            // Exceptions are ours to report (configuration problems as one line), not the parser's.
            return await BuildCommands().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ConfigurationProblemException ex)
        {
            await Console.Error.WriteLineAsync($"配置错误 / Configuration error:{Environment.NewLine}{ex.Message}");
            return 2;
        }
    }

    private static RootCommand BuildCommands()
    {
        var root = new RootCommand("评价 Pingjia — 政务服务评价平台 / the government-service evaluation platform");

        var urls = new Option<string?>("--urls") { Description = "监听地址 / addresses to listen on (default http://127.0.0.1:5000)" };
        var serve = new Command("serve", "运行 Web 服务（默认）/ Run the web server (the default)") { urls };
        serve.SetAction((r, _) => ServeAsync(r.GetValue(urls) is { } u ? [$"--Pingjia:Urls={u}"] : []));
        root.Subcommands.Add(serve);

        var migrate = new Command("migrate", "创建或升级数据库 / Create or upgrade the database");
        migrate.SetAction(async (_, ct) =>
        {
            await using var db = Database.Create(Options());
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            await Database.MigrateAsync(db, ct);
            Console.WriteLine(pending.Count == 0
                ? "数据库已是最新 / The database is up to date."
                : $"已应用 {pending.Count} 个迁移 / Applied {pending.Count} migration(s): {string.Join(", ", pending)}");
            return 0;
        });
        root.Subcommands.Add(migrate);

        var import = new Command("import", "导入数据 / Import data");
        var file = new Argument<FileInfo>("file") { Description = "CSV 或 XLSX 文件 / a CSV or XLSX file" };
        var kind = new Option<string?>("--kind") { Description = "regions | agencies | staff | items（CSV 默认按表头判断 / for CSV, guessed from the header）" };
        var catalog = new Command("catalog", "导入目录：区划、机构、人员、事项 / Import the catalog: regions, agencies, staff, items") { file, kind };
        catalog.SetAction((r, ct) => ImportCatalogAsync(r.GetValue(file)!, r.GetValue(kind), ct));
        import.Subcommands.Add(catalog);
        root.Subcommands.Add(import);

        var audit = new Command("audit", "审计日志 / The audit log");
        var verify = new Command("verify", "校验审计日志哈希链，完好输出 ok / Verify the audit hash chain; prints ok when intact");
        verify.SetAction(async (_, ct) =>
        {
            await using var db = Database.Create(Options());
            var result = await AuditVerifier.VerifyAsync(db, ct);
            Console.WriteLine(result.Ok ? "ok" : $"broken: {result}");
            return result.Ok ? 0 : 1;
        });
        audit.Subcommands.Add(verify);
        root.Subcommands.Add(audit);

        var stats = new Command("stats", "统计 / Statistics");
        var dryRun = new Option<bool>("--check") { Description = "只比较不修改 / compare only, change nothing" };
        var rebuild = new Command("rebuild", "由原始记录重算统计计数并报告差异 / Recount the statistics counters from raw rows and report differences") { dryRun };
        rebuild.SetAction(async (r, ct) =>
        {
            await using var db = Database.Create(Options());
            var report = await CounterRebuild.RunAsync(db, apply: !r.GetValue(dryRun), ct);
            Console.WriteLine(report.Differences == 0
                ? $"ok: {report.Rows} counter rows match a recount"
                : $"{report.Differences} of {report.Rows} counter rows differed from a recount{(r.GetValue(dryRun) ? "" : " and were replaced")}:");
            foreach (var line in report.Examples)
            {
                Console.WriteLine("  " + line);
            }

            return report.Differences == 0 ? 0 : 1;
        });
        stats.Subcommands.Add(rebuild);
        root.Subcommands.Add(stats);

        var assess = new Command("assess", "考核测评 / Assessments");
        var schemeOption = new Option<FileInfo>("--scheme") { Description = "方案文件（JSON）/ the scheme file (JSON)", Required = true };
        var inputOption = new Option<FileInfo>("--input") { Description = "各单位的输入（JSON）/ inputs per unit (JSON)", Required = true };
        var outOption = new Option<FileInfo?>("--out") { Description = "结果文件；省略时输出到控制台 / result file; the console when omitted" };
        var periodOption = new Option<string?>("--period") { Description = "考核期（须与输入文件一致）/ the period (must match the input file's)" };
        var run = new Command("run", "计算得分、排名、等次及说明 / Score, rank and grade every unit, with explanations") { schemeOption, inputOption, periodOption, outOption };
        run.SetAction((r, ct) => Features.Assessments.AssessCommand.RunAsync(r.GetValue(schemeOption)!, r.GetValue(inputOption)!, r.GetValue(periodOption), r.GetValue(outOption), Console.Out, Console.Error, ct));
        var unitOption = new Option<string>("--unit") { Description = "单位名称 / the unit", Required = true };
        var jsonOption = new Option<bool>("--json") { Description = "输出 JSON 而非中文说明 / JSON instead of Chinese text" };
        var explain = new Command("explain", "打印一个单位的得分说明 / Print one unit's explanation") { schemeOption, inputOption, periodOption, unitOption, jsonOption };
        explain.SetAction((r, ct) => Features.Assessments.AssessCommand.ExplainAsync(r.GetValue(schemeOption)!, r.GetValue(inputOption)!, r.GetValue(periodOption), r.GetValue(unitOption)!, r.GetValue(jsonOption), Console.Out, Console.Error, ct));
        assess.Subcommands.Add(explain);
        var workbookOut = new Option<FileInfo>("--out") { Description = "录入表（XLSX）/ the data-entry workbook (XLSX)", Required = true };
        var workbook = new Command("workbook", "导出录入表（可回填后作为 --input）/ Write a data-entry workbook (fill it in and pass it as --input)") { schemeOption, inputOption, workbookOut };
        workbook.SetAction((r, ct) => Features.Assessments.AssessCommand.WorkbookAsync(r.GetValue(schemeOption)!, r.GetValue(inputOption)!, r.GetValue(workbookOut)!, Console.Out, Console.Error, ct));
        assess.Subcommands.Add(workbook);
        assess.Subcommands.Add(run);
        root.Subcommands.Add(assess);
        root.Subcommands.Add(Features.Surveys.SurveyCommand.Build());
        return root;
    }

    private static async Task<int> ServeAsync(string[] args)
    {
        var app = PingjiaApp.Build(args);
        var options = app.Services.GetRequiredService<PingjiaOptions>();
        app.Lifetime.ApplicationStarted.Register(() =>
            Console.WriteLine($"评价 Pingjia 已启动 / started on {options.Urls} ({(options.IsPostgres ? "PostgreSQL" : "SQLite " + options.ConnectionString)})"));
        await app.RunAsync();
        return 0;
    }

    /// <summary>Settings for verbs that do not start the web server: appsettings beside the executable and PINGJIA_ variables.</summary>
    internal static PingjiaOptions Options() =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .Add(new PingjiaEnvironmentSource())
            .Build()
            .ReadPingjiaOptions();

    private static async Task<int> ImportCatalogAsync(FileInfo file, string? kind, CancellationToken ct)
    {
        if (!file.Exists)
        {
            await Console.Error.WriteLineAsync($"文件不存在 / No such file: {file.FullName}");
            return 2;
        }

        var options = Options();
        await using var db = Database.Create(options);
        await Database.MigrateAsync(db, ct);
        var report = await CatalogImport.RunAsync(db, TimeProvider.System, CliCaller(), file.FullName, kind,
            progress: p => Console.Error.Write($"\r{p.Kind}: {p.Done}/{p.Total} 行 rows"), ct);
        Console.Error.WriteLine();
        Console.WriteLine(report.Summary());
        foreach (var error in report.Errors.Take(1000))
        {
            Console.WriteLine($"  {error}");
        }

        if (report.Errors.Count > 1000)
        {
            Console.WriteLine($"  … {report.Errors.Count - 1000} more");
        }

        return report.Errors.Count == 0 ? 0 : 1;
    }

    /// <summary>The command line acts as a system administrator of this installation (it has the database anyway).</summary>
    internal static Caller CliCaller() => new($"cli:{Environment.UserName}", Role.SystemAdmin, null, null, null, null);
}
