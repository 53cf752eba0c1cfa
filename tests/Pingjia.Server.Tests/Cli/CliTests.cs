using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Cli;

[Collection("cli")]
public sealed class AuditVerifyCliTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task AuditVerify_IntactChain_PrintsOk()
    {
        await factory.NewDistrictAsync();
        var (exit, output, _) = await CliRunner.RunAsync(CliRunner.EnvFor(factory), "audit", "verify");
        Assert.Equal(0, exit);
        Assert.Equal("ok", output.Trim());
    }

    [Fact]
    public async Task AuditVerify_OneRowEditedInDatabase_ReportsThatEntryAndFails()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        await factory.NewAgencyAsync(district, admin);
        long target;
        using (var db = factory.Db())
        {
            target = await db.AuditEntries.Where(e => e.EntityType == "region" && e.EntityId == district).Select(e => e.Sequence).SingleAsync();
            // Someone with database access quietly renames the region in the log.
            await db.Database.ExecuteSqlRawAsync("UPDATE audit_entries SET \"Data\" = REPLACE(\"Data\", '测试区', '别的区') WHERE \"Sequence\" = {0}", target);
        }

        var (exit, output, _) = await CliRunner.RunAsync(CliRunner.EnvFor(factory), "audit", "verify");
        Assert.Equal(1, exit);
        Assert.Contains($"broken at entry {target}", output, StringComparison.Ordinal);

        var api = await HttpAssert.Json(await admin.GetAsync("/api/v1/audit/verify"), 200);
        Assert.False(api.GetProperty("ok").GetBoolean());
        Assert.Equal(target, api.GetProperty("brokenAt").GetInt64());

        // Restore so other tests in this class see an intact chain again.
        using var fix = factory.Db();
        await fix.Database.ExecuteSqlRawAsync("UPDATE audit_entries SET \"Data\" = REPLACE(\"Data\", '别的区', '测试区') WHERE \"Sequence\" = {0}", target);
        Assert.Equal(0, (await CliRunner.RunAsync(CliRunner.EnvFor(factory), "audit", "verify")).Exit);
    }

    [Fact]
    public async Task AuditVerify_LastRowDeleted_IsDetected()
    {
        await factory.NewDistrictAsync();
        using var db = factory.Db();
        await using var tx = await db.Database.BeginTransactionAsync();
        var last = await db.AuditEntries.OrderByDescending(e => e.Sequence).FirstAsync();
        await db.AuditEntries.Where(e => e.Sequence == last.Sequence).ExecuteDeleteAsync();
        var result = await Pingjia.Server.Features.Audit.AuditVerifier.VerifyAsync(db, CancellationToken.None);
        await tx.RollbackAsync();
        Assert.False(result.Ok);
        Assert.Equal(last.Sequence, result.BrokenAt);
    }

    [Fact]
    public async Task AuditChain_ConcurrentWriters_StaysLinear()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = $"C{i:00}", name = "并发" })));
        using var db = factory.Db();
        var result = await Pingjia.Server.Features.Audit.AuditVerifier.VerifyAsync(db, CancellationToken.None);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(30, await db.AuditEntries.CountAsync(e => e.Action == "staff.created" && e.EntityId.StartsWith(agency)));
    }
}

[Collection("cli")]
public sealed class ImportCliTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task ImportCatalog_TenThousandRowsWith37Bad_StoresGoodRowsReportsBadAndIsIdempotent()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        var path = Path.Combine(factory.Folder, "items.csv");
        var badRows = WriteItems(path, agency, total: 10_000, bad: 37);

        var env = CliRunner.EnvFor(factory);
        var (exit, output, _) = await CliRunner.RunAsync(env, "import", "catalog", path);
        Assert.Equal(1, exit); // some rows were rejected
        Assert.Contains("10000 rows: 9963 created, 0 updated, 0 unchanged, 37 rejected", output, StringComparison.Ordinal);
        var reported = output.Split('\n').Where(l => l.TrimStart().StartsWith("items 第", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split("row ")[1].Split(',')[0], CultureInfo.InvariantCulture)).ToHashSet();
        Assert.Equal(badRows.OrderBy(x => x), reported.OrderBy(x => x));

        int stored, auditEntries;
        using (var db = factory.Db())
        {
            stored = await db.Items.CountAsync(i => i.Agency.CreditCode == agency);
            auditEntries = await db.AuditEntries.CountAsync();
        }

        Assert.Equal(9963, stored);

        var (_, again, _) = await CliRunner.RunAsync(env, "import", "catalog", path);
        Assert.Contains("10000 rows: 0 created, 0 updated, 9963 unchanged, 37 rejected", again, StringComparison.Ordinal);
        using var after = factory.Db();
        Assert.Equal(9963, await after.Items.CountAsync(i => i.Agency.CreditCode == agency));
        Assert.Equal(auditEntries, await after.AuditEntries.CountAsync());
    }

    /// <summary>Writes a CSV of items; returns the spreadsheet row numbers (header = 1) of the bad rows.</summary>
    private static List<int> WriteItems(string path, string agency, int total, int bad)
    {
        var faults = new Func<int, string>[]
        {
            i => $"ITEM-{i:000000},,01,20,5,false,{agency}",                    // no name
            i => $"ITEM-{i:000000},事项{i},42,20,5,false,{agency}",              // unknown item type
            i => $"ITEM-{i:000000},事项{i},01,5,20,false,{agency}",              // promised over legal
            i => $"IT EM {i},事项{i},01,20,5,false,{agency}",                    // malformed code
            i => $"ITEM-{i:000000},事项{i},01,twenty,5,false,{agency}",          // not a number
            i => $"ITEM-{i:000000},事项{i},01,20,5,maybe,{agency}",              // not a boolean
            i => $"ITEM-{i:000000},事项{i},01,20,5,false,91440300MA5XXXXXXX",   // unknown agency
            i => $"ITEM-{i - 1:000000},事项{i},01,20,5,false,{agency}",          // repeats the row above
        };
        var rng = new Random(37);
        var badIndexes = new SortedSet<int>();
        while (badIndexes.Count < bad)
        {
            badIndexes.Add(rng.Next(1, total)); // never index 0, so "repeats the row above" always has a row above
        }

        var sb = new StringBuilder("item_code,name,item_type,legal_limit_days,promised_limit_days,issues_certificate,agency_credit_code\n");
        var n = 0;
        for (var i = 0; i < total; i++)
        {
            if (badIndexes.Contains(i))
            {
                // The row above must be a good one for the duplicate fault to be the only fault.
                var fault = badIndexes.Contains(i - 1) ? faults[n++ % 7] : faults[n++ % faults.Length];
                sb.Append(fault(i)).Append('\n');
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture, $"ITEM-{i:000000},事项{i},20,20,5,true,{agency}\n");
            }
        }

        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        return [.. badIndexes.Select(i => i + 2)];
    }

    [Fact]
    public async Task ImportCatalog_XlsxWithAllKinds_ImportsInDependencyOrder()
    {
        var city = factory.NextCityCode();
        var province = $"{factory.Province}0000000000";
        await factory.Client().PostAsJsonAsync("/api/v1/regions", new { code = province, name = "测试省" });
        var district = city[..4] + "02000000";
        var agency = factory.NextCreditCode(district);
        var path = Path.Combine(factory.Folder, "catalog.xlsx");
        var sheets = new Dictionary<string, object>
        {
            // Sheets in the "wrong" order on purpose: the importer orders them itself.
            ["事项"] = new[] { new Dictionary<string, object> { ["事项编码"] = "XLSX-ITEM-1", ["事项名称"] = "个体工商户登记", ["事项类型"] = "01", ["法定时限"] = 15, ["承诺时限"] = 3, ["是否出证"] = "是", ["机构信用代码"] = agency } },
            ["staff"] = new[] { new Dictionary<string, object> { ["agency_credit_code"] = agency, ["employee_no"] = "X001", ["name"] = "张三" } },
            ["agencies"] = new[] { new Dictionary<string, object> { ["credit_code"] = agency, ["name"] = "某区市场监管局", ["kind"] = "department", ["region_code"] = district, ["parent_credit_code"] = "" } },
            ["regions"] = new[]
            {
                new Dictionary<string, object> { ["code"] = city, ["name"] = "某市", ["parent_code"] = province },
                new Dictionary<string, object> { ["code"] = district, ["name"] = "某区", ["parent_code"] = city },
            },
        };
        await MiniExcel.SaveAsAsync(path, sheets);

        var (exit, output, _) = await CliRunner.RunAsync(CliRunner.EnvFor(factory), "import", "catalog", path);
        Assert.True(exit == 0, output);
        Assert.Contains("5 rows: 5 created", output, StringComparison.Ordinal);
        var item = await HttpAssert.Json(await factory.Client().GetAsync("/api/v1/items/XLSX-ITEM-1"), 200);
        Assert.True(item.GetProperty("issuesCertificate").GetBoolean());
        Assert.Equal(agency, item.GetProperty("agencyCreditCode").GetString());
    }

    [Fact]
    public async Task ImportCatalog_MissingFile_ExitsWithUsageError()
    {
        var (exit, _, err) = await CliRunner.RunAsync(CliRunner.EnvFor(factory), "import", "catalog", "/nonexistent/file.csv");
        Assert.Equal(2, exit);
        Assert.Contains("No such file", err, StringComparison.Ordinal);
    }
}

[Collection("cli")]
public sealed class ConfigurationCliTests
{
    [Theory]
    [InlineData("PINGJIA_DB_PROVIDER", "oracle", "PINGJIA_DB_PROVIDER must be 'sqlite' or 'postgres'")]
    [InlineData("PINGJIA_URLS", "ftp://x", "not an http(s) URL")]
    [InlineData("PINGJIA_ADMIN_API_KEY", "letmein", "PINGJIA_ADMIN_API_KEY must look like")]
    [InlineData("PINGJIA_MAX_BODY_BYTES", "lots", "wrong type")]
    public async Task Start_BadSetting_StopsWithOneClearMessage(string name, string value, string expected)
    {
        var (exit, output, err) = await CliRunner.RunAsync(new Dictionary<string, string?> { [name] = value }, "migrate");
        Assert.Equal(2, exit);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err + output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Help_ListsEveryVerbInChineseAndEnglish()
    {
        var (exit, output, _) = await CliRunner.RunAsync(new Dictionary<string, string?>(), "--help");
        Assert.Equal(0, exit);
        foreach (var verb in new[] { "serve", "migrate", "import", "audit" })
        {
            Assert.Contains(verb, output, StringComparison.Ordinal);
        }

        Assert.Contains("运行 Web 服务", output, StringComparison.Ordinal);
        Assert.Contains("Run the web server", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_FreshSqliteFile_CreatesAndReportsUpToDateNextTime()
    {
        var folder = Path.Combine(Path.GetTempPath(), "pingjia-tests", Guid.NewGuid().ToString("N"));
        var env = new Dictionary<string, string?> { ["PINGJIA_DB_PROVIDER"] = "sqlite", ["PINGJIA_DB_CONNECTION"] = $"Data Source={folder}/sub/p.db" };
        var (exit, output, _) = await CliRunner.RunAsync(env, "migrate");
        Assert.Equal(0, exit);
        Assert.Contains("Applied", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "sub", "p.db")));
        Assert.Contains("up to date", (await CliRunner.RunAsync(env, "migrate")).Out, StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, true);
    }
}
