using System.Globalization;
using MiniExcelLibs;
using Pingjia.Data;
using Pingjia.Domain;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Sylvan.Data.Csv;

namespace Pingjia.Server.Features.Catalog;

public sealed record ImportError(string Kind, int Row, string Column, string Reason)
{
    public override string ToString() => $"{Kind} 第 {Row} 行 row {Row}, {Column}: {Reason}";
}

public sealed record ImportProgress(string Kind, int Done, int Total);

/// <summary>What an import did. Rows are numbered as a spreadsheet shows them: the header is row 1.</summary>
public sealed class ImportReport
{
    public int Rows { get; set; }

    public int Created { get; set; }

    public int Updated { get; set; }

    public int Unchanged { get; set; }

    public List<ImportError> Errors { get; } = [];

    public string Summary() =>
        $"共 {Rows} 行：新增 {Created}，更新 {Updated}，未变 {Unchanged}，拒绝 {Errors.Count} / "
        + $"{Rows} rows: {Created} created, {Updated} updated, {Unchanged} unchanged, {Errors.Count} rejected";
}

/// <summary>
/// Bulk catalog import from CSV (one kind per file) or XLSX (one sheet per kind). Good rows are kept, bad rows are
/// reported with row, column and reason, and importing the same file again changes nothing: every row goes through
/// the same <see cref="CatalogService"/> upsert as the API, which writes (and audits) only real changes.
/// </summary>
public static class CatalogImport
{
    private const int BatchSize = 200;

    /// <summary>Kinds in dependency order, each with its columns (English name first, then accepted Chinese headers).</summary>
    private static readonly (string Kind, string[] SheetNames, (string Column, string Field, string[] Aliases)[] Columns)[] Kinds =
    [
        ("regions", ["regions", "区划"], [
            ("code", "code", ["区划代码"]), ("name", "name", ["名称", "区划名称"]), ("parent_code", "parentCode", ["上级区划代码"])]),
        ("agencies", ["agencies", "机构"], [
            ("credit_code", "creditCode", ["统一社会信用代码"]), ("name", "name", ["机构名称", "名称"]), ("kind", "kind", ["机构类型"]),
            ("region_code", "regionCode", ["区划代码"]), ("parent_credit_code", "parentCreditCode", ["上级机构信用代码"])]),
        ("staff", ["staff", "人员"], [
            ("agency_credit_code", "agencyCreditCode", ["机构信用代码"]), ("employee_no", "employeeNo", ["工号"]), ("name", "name", ["姓名"])]),
        ("items", ["items", "事项"], [
            ("item_code", "itemCode", ["事项编码"]), ("name", "name", ["事项名称"]), ("item_type", "itemType", ["事项类型"]),
            ("legal_limit_days", "legalLimitDays", ["法定时限"]), ("promised_limit_days", "promisedLimitDays", ["承诺时限"]),
            ("issues_certificate", "issuesCertificate", ["是否出证"]), ("agency_credit_code", "agencyCreditCode", ["机构信用代码"])]),
    ];

    public static async Task<ImportReport> RunAsync(
        PingjiaDbContext db, TimeProvider time, Caller caller, string path, string? kind, Action<ImportProgress>? progress, CancellationToken ct)
    {
        var report = new ImportReport();
        if (path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            var sheets = MiniExcel.GetSheetNames(path);
            foreach (var k in Kinds)
            {
                var sheet = sheets.FirstOrDefault(s => k.SheetNames.Contains(s.Trim(), StringComparer.OrdinalIgnoreCase));
                if (sheet is null || (kind is not null && kind != k.Kind))
                {
                    continue;
                }

                var rows = MiniExcel.Query(path, useHeaderRow: true, sheetName: sheet)
                    .Cast<IDictionary<string, object?>>()
                    .Select(r => r.ToDictionary(e => e.Key.Trim(), e => Text(e.Value), StringComparer.OrdinalIgnoreCase))
                    .ToList();
                await ImportKindAsync(db, time, caller, k.Kind, rows, report, progress, ct);
            }

            return report;
        }

        var records = ReadCsv(path);
        var detected = kind ?? Detect(records.Count > 0 ? records[0].Keys : CsvHeader(path));
        if (detected is null || !Kinds.Any(k => k.Kind == detected))
        {
            throw DomainException.Invalid("unknown_import_kind",
                "Cannot tell what the file holds; pass --kind regions|agencies|staff|items or use the documented column names.");
        }

        await ImportKindAsync(db, time, caller, detected, records, report, progress, ct);
        return report;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        double d => d.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => value.ToString(),
    };

    private static List<Dictionary<string, string?>> ReadCsv(string path)
    {
        using var reader = CsvDataReader.Create(path, new CsvDataReaderOptions { HasHeaders = true });
        var names = Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim().TrimStart('\uFEFF')).ToArray();
        var rows = new List<Dictionary<string, string?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < names.Length && i < reader.RowFieldCount; i++)
            {
                var value = reader.GetString(i).Trim();
                row[names[i]] = value.Length == 0 ? null : value;
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string[] CsvHeader(string path)
    {
        using var reader = CsvDataReader.Create(path, new CsvDataReaderOptions { HasHeaders = true });
        return [.. Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetName(i).Trim().TrimStart('\uFEFF'))];
    }

    private static string? Detect(IEnumerable<string> header)
    {
        var names = header.ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var k in Kinds.Reverse())
        {
            // The first column of each kind is its key and tells the kinds apart (items before staff before agencies).
            var key = k.Columns[0];
            var second = k.Columns[1];
            if ((names.Contains(key.Column) || key.Aliases.Any(names.Contains)) && (names.Contains(second.Column) || second.Aliases.Any(names.Contains)))
            {
                return k.Kind;
            }
        }

        return null;
    }

    private static async Task ImportKindAsync(
        PingjiaDbContext db, TimeProvider time, Caller caller, string kind, List<Dictionary<string, string?>> rows,
        ImportReport report, Action<ImportProgress>? progress, CancellationToken ct)
    {
        var columns = Kinds.Single(k => k.Kind == kind).Columns;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var audit = new AuditLog(db, time, caller);
        var catalog = new CatalogService(db, caller, audit, time);
        var inBatch = 0;
        for (var i = 0; i < rows.Count; i++)
        {
            var rowNumber = i + 2;
            report.Rows++;
            string? Get(string column)
            {
                var c = columns.First(x => x.Column == column);
                foreach (var name in c.Aliases.Prepend(c.Column))
                {
                    if (rows[i].TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
                    {
                        return value.Trim();
                    }
                }

                return null;
            }

            try
            {
                var key = kind switch
                {
                    "staff" => $"{Get("agency_credit_code")}/{Get("employee_no")}",
                    _ => Get(columns[0].Column) ?? "",
                };
                if (seen.TryGetValue(key, out var firstRow))
                {
                    throw DomainException.Invalid("duplicate_in_file", $"The same record appears earlier in this file, at row {firstRow}.", columns[0].Field);
                }

                seen[key] = rowNumber;
                var change = kind switch
                {
                    "regions" => (await catalog.SaveRegionAsync(new RegionRequest(Get("code"), Get("name"), Get("parent_code")), WriteMode.Upsert, ct)).Change,
                    "agencies" => (await catalog.SaveAgencyAsync(new AgencyRequest(Get("credit_code"), Get("name"), Get("kind"), Get("region_code"), Get("parent_credit_code")), WriteMode.Upsert, ct)).Change,
                    "staff" => (await catalog.SaveStaffAsync(Get("agency_credit_code") ?? "", new StaffRequest(Get("employee_no"), Get("name")), WriteMode.Upsert, ct)).Change,
                    _ => (await catalog.SaveItemAsync(new ItemRequest(
                        Get("item_code"), Get("name"), Get("item_type"),
                        ParseInt(Get("legal_limit_days"), "legalLimitDays"), ParseInt(Get("promised_limit_days"), "promisedLimitDays"),
                        ParseBool(Get("issues_certificate")), Get("agency_credit_code")), WriteMode.Upsert, ct)).Change,
                };
                switch (change)
                {
                    case Change.Created: report.Created++; inBatch++; break;
                    case Change.Updated: report.Updated++; inBatch++; break;
                    default: report.Unchanged++; break;
                }
            }
            catch (DomainException ex)
            {
                var field = ex.Errors.Keys.FirstOrDefault();
                var column = columns.FirstOrDefault(c => c.Field == field).Column ?? field ?? columns[0].Column;
                var reason = ex.Errors.Count > 0 ? string.Join(" ", ex.Errors.First().Value) : ex.Message;
                report.Errors.Add(new ImportError(kind, rowNumber, column, reason));
            }

            // Commit by rows read, not rows changed: the change tracker must stay small even when nothing changes.
            if ((i + 1) % BatchSize == 0 || i == rows.Count - 1)
            {
                if (inBatch > 0)
                {
                    await catalog.CommitAsync(ct);
                }

                db.ChangeTracker.Clear();
                inBatch = 0;
                progress?.Invoke(new ImportProgress(kind, i + 1, rows.Count));
            }
        }
    }

    private static int? ParseInt(string? text, string field) =>
        text is null ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
        : decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d
        : throw DomainException.Invalid("invalid_number", $"'{text}' is not a whole number.", field);

    private static bool? ParseBool(string? text) => text?.ToLowerInvariant() switch
    {
        null => null,
        "true" or "1" or "yes" or "y" or "是" => true,
        "false" or "0" or "no" or "n" or "否" => false,
        _ => throw DomainException.Invalid("invalid_boolean", $"'{text}' is not true/false (是/否).", "issuesCertificate"),
    };
}
