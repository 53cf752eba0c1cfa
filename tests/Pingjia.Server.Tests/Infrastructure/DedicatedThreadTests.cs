using Microsoft.Extensions.Logging.Abstractions;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Tests.Infrastructure;

/// <summary>The rating writer's thread: its work and every continuation stay on it, and it belongs to no request.</summary>
public sealed class DedicatedThreadTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task Post_WorkThatAwaits_EveryPartRunsOnTheNamedThread()
    {
        using var thread = new DedicatedThread("test-dedicated", NullLogger.Instance);
        var names = new List<string?>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        thread.Post(_ => _ = RunAsync(), null);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["test-dedicated", "test-dedicated", "test-dedicated"], names);

        async Task RunAsync()
        {
            names.Add(Thread.CurrentThread.Name);
            await Task.Delay(1);
            names.Add(Thread.CurrentThread.Name);
            await Task.Yield();
            names.Add(Thread.CurrentThread.Name);
            done.SetResult();
        }
    }

    [Fact]
    public async Task Post_CreatedInsideARequestsContext_WorkDoesNotSeeThatContext()
    {
        Ambient.Value = "request 1";
        using var thread = new DedicatedThread("test-dedicated", NullLogger.Instance);
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);

        thread.Post(_ => seen.SetResult(Ambient.Value), null);

        Assert.Null(await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Post_AfterWorkThatThrew_ThreadStillRuns()
    {
        using var thread = new DedicatedThread("test-dedicated", NullLogger.Instance);
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        thread.Post(_ => throw new InvalidOperationException("boom"), null);
        thread.Post(_ => ran.SetResult(), null);

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Post_AfterDispose_IsDroppedWithoutError()
    {
        var thread = new DedicatedThread("test-dedicated", NullLogger.Instance);
        thread.Dispose();
        var ran = false;

        thread.Post(_ => ran = true, null);

        Assert.False(ran);
        Assert.Throws<NotSupportedException>(() => thread.Send(_ => { }, null));
    }
}
