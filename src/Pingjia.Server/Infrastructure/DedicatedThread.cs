using System.Collections.Concurrent;
using Pingjia.Data;

namespace Pingjia.Server.Infrastructure;

/// <summary>
/// A thread of its own for one serial loop, and the synchronization context of that thread: work posted to it, and
/// the continuation of every await inside that work, run on this thread, one at a time, in order. A loop that every
/// request waits for (the rating writer) should not queue behind the requests in the thread pool after each of its
/// awaits, nor hold a pool thread for seconds; and on its own named thread its CPU time can be read per thread
/// (<c>top -H</c>, <c>/proc/PID/task</c>), which is how the benchmark reports it. Database calls made here block
/// instead of awaiting (<see cref="BlockingIo"/>): the thread has nothing else to do meanwhile, and a blocking read is
/// woken by the kernel directly rather than through the sockets' event thread and a pool thread.
/// </summary>
public sealed class DedicatedThread : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Work, object? State)> _work = [];
    private readonly ILogger _log;

    public DedicatedThread(string name, ILogger log)
    {
        _log = log;
        // UnsafeStart: the thread must not inherit the execution context (the HttpContext, the Activity) of whoever
        // happened to create it, usually the first request that needed it.
        new Thread(Run) { IsBackground = true, Name = name }.UnsafeStart();
    }

    /// <summary>Queues work (or an await's continuation) to the thread; after <see cref="Dispose"/> it is dropped.</summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            _work.Add((d, state));
        }
        catch (InvalidOperationException)
        {
            // Disposed: the host has stopped, after every request that could wait for this work has ended.
        }
    }

    /// <summary>Nothing waits synchronously for this thread: that could only deadlock it.</summary>
    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("Post work to a dedicated thread; never wait for it synchronously.");

    public override SynchronizationContext CreateCopy() => this;

    public void Dispose() => _work.CompleteAdding();

    private void Run()
    {
        SetSynchronizationContext(this);
        // Nothing else runs here, so database calls may block instead of awaiting (see BlockingIo).
        BlockingIo.AllowOnThisThread();
        foreach (var (work, state) in _work.GetConsumingEnumerable())
        {
            try
            {
                work(state);
            }
            catch (Exception e)
            {
                // Async work keeps its exceptions in its task; only a synchronous throw arrives here, and must not end the thread.
                _log.LogError(e, "Work on thread {Thread} failed.", Thread.CurrentThread.Name);
            }
        }
    }
}
