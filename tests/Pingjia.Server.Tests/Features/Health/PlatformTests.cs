using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Health;

public sealed class PlatformTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Healthz_Always_ReturnsOk()
    {
        var json = await HttpAssert.Json(await factory.Client(null).GetAsync("/healthz"), 200);
        Assert.Equal("ok", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_MigratedDatabase_ReturnsOk()
    {
        var json = await HttpAssert.Json(await factory.Client(null).GetAsync("/readyz"), 200);
        Assert.Equal("ok", json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        await HttpAssert.Problem(await factory.Client().GetAsync("/api/v1/no-such-thing"), 404, "not_found");
    }

    [Fact]
    public async Task WrongMethod_Returns405Problem()
    {
        await HttpAssert.Problem(await factory.Client().DeleteAsync("/api/v1/regions"), 405, "method_not_allowed");
    }

    [Fact]
    public async Task UnexpectedException_Returns500WithoutStackTrace()
    {
        using var failing = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new ThrowingFilter())));
        var response = await failing.CreateClient().GetAsync("/boom");
        var problem = await HttpAssert.Problem(response, 500, "internal_error");
        var text = problem.ToString();
        Assert.DoesNotContain("InvalidOperationException", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret detail", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", text, StringComparison.Ordinal);
    }

    /// <summary>Adds a middleware behind every endpoint that throws, to exercise the real exception handler.</summary>
    private sealed class ThrowingFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(ctx => ctx.Request.Path == "/boom"
                ? throw new InvalidOperationException("secret detail")
                : Task.CompletedTask);
        };
    }

    [Fact]
    public async Task OpenApi_ServedDocument_MatchesCommittedFile()
    {
        var served = Normalize(await factory.Client(null).GetStringAsync("/openapi/v1.json"));
        var path = Path.Combine(RepoRoot(), "docs", "openapi", "v1.json");
        if (Environment.GetEnvironmentVariable("PINGJIA_UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, served);
        }

        Assert.True(File.Exists(path), "docs/openapi/v1.json is missing; run the tests once with PINGJIA_UPDATE_OPENAPI=1.");
        var committed = Normalize(await File.ReadAllTextAsync(path));
        Assert.True(committed == served,
            "The served OpenAPI document differs from docs/openapi/v1.json; review the API change and regenerate with PINGJIA_UPDATE_OPENAPI=1.");
    }

    /// <summary>Drops the host-dependent server list and fixes the formatting, so only the API itself is compared.</summary>
    private static string Normalize(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("servers");
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pingjia.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Pingjia.slnx).");
    }
}
