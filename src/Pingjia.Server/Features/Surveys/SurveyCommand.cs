using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Domain;
using Pingjia.Domain.Assessments;
using Pingjia.Server.Cli;
using Pingjia.Server.Features.Assessments;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Surveys;

/// <summary>
/// <c>pingjia survey export</c> writes responses or results as CSV/XLSX; <c>pingjia survey figure</c> writes each unit's
/// survey figure as an assessment input file (the shape <c>pingjia assess run --input</c> reads), for a survey leaf.
/// </summary>
public static class SurveyCommand
{
    public static Command Build()
    {
        var survey = new Command("survey", "满意度测评 / Surveys");
        var code = new Argument<string>("code") { Description = "测评编码 / the survey's code" };
        var from = new Option<DateTime?>("--from") { Description = "起（含，UTC）/ from (inclusive, UTC)" };
        var to = new Option<DateTime?>("--to") { Description = "止（不含，UTC）/ to (exclusive, UTC)" };
        var outFile = new Option<FileInfo>("--out") { Description = "输出文件 / the output file", Required = true };

        var what = new Option<string>("--what") { Description = "responses | results", DefaultValueFactory = _ => "results" };
        var format = new Option<string>("--format") { Description = "csv | xlsx", DefaultValueFactory = _ => "csv" };
        var export = new Command("export", "导出答卷或统计结果 / Export responses or results") { code, what, format, from, to, outFile };
        export.SetAction((r, ct) => ExportAsync(r.GetValue(code)!, r.GetValue(what)!, r.GetValue(format)!, r.GetValue(from), r.GetValue(to), r.GetValue(outFile)!, ct));
        survey.Subcommands.Add(export);

        var node = new Option<string>("--node") { Description = "考核方案中的测评指标编码 / the scheme node the figure feeds", Required = true };
        var figure = new Option<string>("--figure") { Description = "satisfaction_index | satisfaction_rate（0–100）", DefaultValueFactory = _ => "satisfaction_index" };
        var questions = new Option<string?>("--questions") { Description = "计入的量表题，逗号分隔；省略为全部 / scale questions, comma-separated; all when omitted" };
        var period = new Option<string?>("--period") { Description = "考核期 / the assessment period" };
        var figureCommand = new Command("figure", "生成考核输入：各单位的测评指数或满意率 / Write each unit's survey figure as an assessment input file")
        {
            code, node, figure, questions, from, to, period, outFile,
        };
        figureCommand.SetAction((r, ct) => FigureAsync(r.GetValue(code)!, r.GetValue(node)!, r.GetValue(figure)!, r.GetValue(questions), r.GetValue(from), r.GetValue(to), r.GetValue(period), r.GetValue(outFile)!, ct));
        survey.Subcommands.Add(figureCommand);
        return survey;
    }

    private static (Data.PingjiaDbContext Db, SurveyService Surveys, SurveyResultsService Results) Services()
    {
        var options = PingjiaCli.Options();
        var db = Database.Create(options);
        var audit = new AuditLog(db, TimeProvider.System, PingjiaCli.CliCaller());
        var personal = PersonalData.FromOptions(options);
        var surveys = new SurveyService(db, audit, personal, new Ratings.OutboxSmsGateway(personal, TimeProvider.System), options, TimeProvider.System);
        return (db, surveys, new SurveyResultsService(db, surveys, audit, TimeProvider.System));
    }

    private static async Task<int> ExportAsync(string code, string what, string format, DateTime? from, DateTime? to, FileInfo file, CancellationToken ct)
    {
        if (what is not ("responses" or "results") || format is not ("csv" or "xlsx"))
        {
            await Console.Error.WriteLineAsync("--what is responses or results; --format is csv or xlsx.");
            return 2;
        }

        var (db, _, results) = Services();
        await using (db)
        {
            try
            {
                using var buffer = new MemoryStream();
                var query = new ResultsQuery(from, to);
                if (what == "responses")
                {
                    await results.ExportResponsesAsync(PingjiaCli.CliCaller(), code, format, query, buffer, ct);
                }
                else
                {
                    await results.ExportResultsAsync(PingjiaCli.CliCaller(), code, format, query, buffer, ct);
                }

                await File.WriteAllBytesAsync(file.FullName, buffer.ToArray(), ct);
                Console.WriteLine($"已导出 / exported {what} of {code} to {file.FullName}");
                return 0;
            }
            catch (DomainException e)
            {
                await Console.Error.WriteLineAsync($"{e.Code}: {e.Message}");
                return 1;
            }
        }
    }

    private static async Task<int> FigureAsync(string code, string node, string figure, string? questions, DateTime? from, DateTime? to, string? period, FileInfo file, CancellationToken ct)
    {
        if (figure is not ("satisfaction_index" or "satisfaction_rate"))
        {
            await Console.Error.WriteLineAsync("--figure is satisfaction_index or satisfaction_rate.");
            return 2;
        }

        var (db, _, results) = Services();
        await using (db)
        {
            try
            {
                var view = await results.FiguresAsync(code, from, to, questions?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), "index", ct);
                var names = await db.SurveyUnits.AsNoTracking().Where(u => db.Surveys.Any(s => s.Id == u.SurveyId && s.Code == code))
                    .ToDictionaryAsync(u => u.Code, u => u.Name, ct);
                var units = new List<UnitInput>();
                foreach (var f in view.Units)
                {
                    if (f.ValueOf(figure) is not { } value)
                    {
                        // No answers: no input at all, so the scheme's missing-data policy decides (never a silent zero).
                        await Console.Error.WriteLineAsync($"{names[f.Unit]} ({f.Unit}): no answers in the period; left out.");
                        continue;
                    }

                    var source = string.Create(CultureInfo.InvariantCulture,
                        $"survey {code} {from:yyyy-MM-dd}..{to:yyyy-MM-dd} {figure} n={f.Answers} min n per question={f.MinAnswersPerQuestion}{(f.BelowMinN ? " (below the minimum n)" : "")}{(f.Weighted ? " weighted" : "")}");
                    units.Add(new UnitInput(names[f.Unit], new Dictionary<string, LeafInput> { [node] = new(Value: value, Source: source) }));
                }

                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(new RoundInput(period, units), AssessCommand.Json), ct);
                Console.WriteLine($"已写出 {units.Count} 个单位 / wrote {units.Count} units to {file.FullName}");
                return 0;
            }
            catch (DomainException e)
            {
                await Console.Error.WriteLineAsync($"{e.Code}: {e.Message}");
                return 1;
            }
        }
    }
}
