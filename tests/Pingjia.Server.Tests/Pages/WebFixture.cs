using System.Net;
using System.Net.Http.Json;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Pages;

/// <summary>
/// One real server (Kestrel on a free loopback port, on the provider under test) and one Debian chromium shared by every
/// browser test: starting either is the slow part, and the machine has two cores. Each test makes its own data and its
/// own browser context (cookies and storage are per context).
/// </summary>
public sealed class WebFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    /// <summary>The limit for page loads and full-page screenshots; actions keep 15 s.</summary>
    private const int PageLoadTimeoutMs = 45_000;

    private readonly List<IBrowserContext> _contexts = [];
    private IPlaywright? _playwright;

    public PingjiaFactory Factory { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>PINGJIA_SCREENSHOTS</c> (test.sh points it into the results folder), else beside the tests.</summary>
    public static string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("PINGJIA_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(AppContext.BaseDirectory, "screenshots", PingjiaFactory.IsPostgres ? "postgres" : "sqlite");

    public async Task InitializeAsync()
    {
        Factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        var addresses = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseUrl = new Uri(addresses.First());
        Directory.CreateDirectory(ScreenshotFolder);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Factory.DisposeAsync();
    }

    /// <summary>An API client on the real port, with the admin key unless told otherwise.</summary>
    public HttpClient Api(string? key = PingjiaFactory.AdminKey)
    {
        var client = new HttpClient { BaseAddress = BaseUrl };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>A fresh browser context: a phone (360 × 740, touch) or a desktop window, in Chinese unless told.</summary>
    public async Task<IPage> NewPageAsync(bool phone = false, string locale = "zh-CN")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(),
            Locale = locale,
            ViewportSize = phone ? new ViewportSize { Width = 360, Height = 740 } : new ViewportSize { Width = 1280, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            DeviceScaleFactor = 1,
            ExtraHTTPHeaders = new Dictionary<string, string> { ["Accept-Language"] = locale },
        });
        context.SetDefaultTimeout(15_000);
        // Page loads get longer: on two cores, while another collection builds its 100,000-case data set, a load after
        // sign-in once took over 15 s (PostgreSQL run, 2026-12-06); actions keep the shorter limit.
        context.SetDefaultNavigationTimeout(PageLoadTimeoutMs);
        lock (_contexts)
        {
            _contexts.Add(context);
        }

        return await context.NewPageAsync();
    }

    /// <summary>
    /// Closes every context opened since the last call. Each browser test calls it when it ends: pages left open keep
    /// their scripts and memory in the one shared chromium for the rest of the run (on CI, 2026-12-07, a full-page
    /// screenshot late in a run outran its 15 s).
    /// </summary>
    public async Task CloseContextsAsync()
    {
        IBrowserContext[] open;
        lock (_contexts)
        {
            open = [.. _contexts];
            _contexts.Clear();
        }

        foreach (var context in open)
        {
            await context.CloseAsync();
        }
    }

    /// <summary>Creates a console user and returns its password.</summary>
    public async Task<string> UserAsync(string userName, string role, string? region = null, string? agency = null)
    {
        const string password = "Passw0rd-123456";
        var response = await Api().PostAsJsonAsync("/api/v1/users",
            new { userName, displayName = userName, password, role, regionCode = region, agencyCreditCode = agency });
        await PingjiaFactory.EnsureCreated(response);
        return password;
    }

    public static async Task SignInAsync(IPage page, string userName, string password)
    {
        await page.GotoAsync("/console/sign-in");
        await page.GetByLabel("用户名").Or(page.GetByLabel("User name")).FillAsync(userName);
        await page.GetByLabel("密码").Or(page.GetByLabel("Password")).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "登录" }).Or(page.GetByRole(AriaRole.Button, new() { Name = "Sign in" })).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/sign-in", StringComparison.Ordinal));
    }

    /// <summary>
    /// Saves a screenshot. A full page is rendered again at its whole height, which on two busy cores can take longer than
    /// an action, so it gets the page-load limit.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = fullPage, Timeout = PageLoadTimeoutMs });

    /// <summary>Runs axe-core in the page and fails on any serious or critical violation, naming the rule and the elements.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        AxeResult result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(bad.Count == 0, $"{page.Url}: " + string.Join("\n", bad.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => n.Target?.ToString()))}")));
    }
}

[CollectionDefinition(Name)]
public sealed class WebCollection : ICollectionFixture<WebFixture>
{
    public const string Name = "web";
}
