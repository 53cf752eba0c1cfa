namespace Pingjia.Server.Tests.Pages;

/// <summary>
/// A class of browser tests in the shared <see cref="WebFixture"/>: when each of its tests ends, the browser contexts
/// it opened are closed (see <see cref="WebFixture.CloseContextsAsync"/>).
/// </summary>
public abstract class BrowserTests(WebFixture web) : IAsyncLifetime
{
    /// <summary>The shared server and chromium.</summary>
    protected WebFixture Web => web;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => web.CloseContextsAsync();
}
