using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Pingjia.Bench.Seed;

/// <summary>
/// Creates cases through the server's intake API, the way a business system would: <c>PUT /api/v1/cases/{caseNo}</c>
/// with the same JSON body for every case, case numbers <c>{prefix}{n:D7}</c> for n = first … first + count − 1,
/// several requests in flight at once over kept-alive connections. The API key comes from <c>PINGJIA_BENCH_KEY</c>.
/// Prints the statuses it got; exits 1 unless every answer was 200.
/// <code>pingjia-bench-seed &lt;baseUrl&gt; &lt;bodyFile&gt; &lt;prefix&gt; &lt;first&gt; &lt;count&gt; &lt;concurrency&gt;</code>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 6)
        {
            await Console.Error.WriteLineAsync("usage: pingjia-bench-seed <baseUrl> <bodyFile> <prefix> <first> <count> <concurrency>");
            return 2;
        }

        var baseUrl = new Uri(args[0]);
        var body = await File.ReadAllTextAsync(args[1]);
        var prefix = args[2];
        var first = int.Parse(args[3], CultureInfo.InvariantCulture);
        var count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var concurrency = int.Parse(args[5], CultureInfo.InvariantCulture);
        var key = Environment.GetEnvironmentVariable("PINGJIA_BENCH_KEY");
        if (string.IsNullOrEmpty(key))
        {
            await Console.Error.WriteLineAsync("PINGJIA_BENCH_KEY is not set");
            return 2;
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var statuses = new int[600];
        string? firstError = null;
        var next = first - 1;
        var done = 0;
        var watch = Stopwatch.StartNew();
        using var finished = new CancellationTokenSource();
        var progress = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(10_000, finished.Token);
                    var d = Volatile.Read(ref done);
                    await Console.Error.WriteLineAsync($"  {d:N0}/{count:N0} cases, {d / watch.Elapsed.TotalSeconds:N0}/s");
                }
            }
            catch (OperationCanceledException)
            {
                // All requests answered.
            }
        });

        async Task Worker()
        {
            while (true)
            {
                var n = Interlocked.Increment(ref next);
                if (n >= first + count)
                {
                    return;
                }

                var caseNo = string.Create(CultureInfo.InvariantCulture, $"{prefix}{n:D7}");
                using var content = new StringContent(body, Encoding.UTF8, "application/json");
                using var response = await http.PutAsync(new Uri($"/api/v1/cases/{caseNo}", UriKind.Relative), content);
                Interlocked.Increment(ref statuses[Math.Clamp((int)response.StatusCode, 0, 599)]);
                if (response.StatusCode != System.Net.HttpStatusCode.OK && firstError is null)
                {
                    firstError = $"{caseNo}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                }

                Interlocked.Increment(ref done);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker)));
        watch.Stop();
        await finished.CancelAsync();
        await progress;
        var summary = string.Join(' ', statuses.Select((c, s) => (c, s)).Where(x => x.c > 0).Select(x => $"{x.s}={x.c}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeded {count} cases in {watch.Elapsed.TotalSeconds:F1} s ({count / watch.Elapsed.TotalSeconds:F0}/s); statuses: {summary}"));
        if (firstError is not null)
        {
            await Console.Error.WriteLineAsync($"first error: {firstError}");
        }

        return statuses[200] == count ? 0 : 1;
    }
}
