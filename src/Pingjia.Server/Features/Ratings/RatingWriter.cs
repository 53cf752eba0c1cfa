using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

/// <summary>A checked submission waiting to be written, with who made it and under which configuration.</summary>
internal sealed class PendingRating(Submission submission, string actor, int configVersion, DateTime at)
{
    public Submission Submission { get; } = submission;

    public string Actor { get; } = actor;

    public int ConfigVersion { get; } = configVersion;

    public DateTime At { get; } = at;

    public TaskCompletionSource<SubmissionResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Group commit for rating submissions. Every write of a rating serialises on the audit chain's head row (and,
/// on SQLite, on the one write lock), so a transaction per request caps throughput at one commit round trip per
/// rating. Here concurrent submissions queue, and one writer takes everything queued into a single transaction:
/// one case claim with the audit head taken beside it, one upsert per distinct counter row, the row inserts (on
/// PostgreSQL three round trips in all: claim and head, the writes, the commit). Each
/// submitter still gets its own answer, and only after the commit that contains its rating.
/// If a batch fails (a unique violation from another server instance, a lost row lock), its submissions are
/// written again one by one, so one failure never fails a neighbour.
/// The writer runs on a thread of its own, named <see cref="ThreadName"/> (see <see cref="DedicatedThread"/>).
/// </summary>
public sealed class RatingWriter(IServiceScopeFactory scopes, ILogger<RatingWriter> log) : IDisposable
{
    /// <summary>The name of the writer's thread, as <c>top -H</c> and the benchmark show it.</summary>
    public const string ThreadName = "rating-writer";

    private const int MaxBatch = 256;
    private readonly ConcurrentQueue<PendingRating> _queue = new();
    private readonly DedicatedThread _thread = new(ThreadName, log);
    private int _writing;

    internal Task<SubmissionResult> WriteAsync(PendingRating pending)
    {
        _queue.Enqueue(pending);
        StartWriterIfIdle();
        return pending.Done.Task;
    }

    private void StartWriterIfIdle()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            return;
        }

        // The writer belongs to no request: posted work runs in the thread's own (empty) execution context, never in
        // the first submitter's, with its HttpContext.
        _thread.Post(static writer => _ = ((RatingWriter)writer!).DrainAsync(), this);
    }

    public void Dispose() => _thread.Dispose();

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<PendingRating>();
            while (batch.Count < MaxBatch && _queue.TryDequeue(out var p))
            {
                batch.Add(p);
            }

            if (batch.Count == 0)
            {
                // A submission queued between the last look and the flag dropping must not wait for the next one: look
                // again. The flag drops with a full fence (a volatile write would let that look move before it).
                Interlocked.Exchange(ref _writing, 0);
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    return;
                }

                continue;
            }

            await WriteBatchAsync(batch);
        }
    }

    private async Task WriteBatchAsync(List<PendingRating> batch)
    {
        try
        {
            var results = await InScopeAsync(service => service.WriteBatchAsync(batch, CancellationToken.None));
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i]);
            }
        }
        catch (Exception e) when (batch.Count > 1)
        {
            log.LogInformation("A batch of {Count} ratings failed ({Error}); writing them one by one.", batch.Count, e.GetType().Name);
            foreach (var p in batch)
            {
                await WriteOneAsync(p);
            }
        }
        catch (Exception e)
        {
            await FailOrFindWinnerAsync(batch[0], e);
        }
    }

    private async Task WriteOneAsync(PendingRating p)
    {
        try
        {
            var results = await InScopeAsync(service => service.WriteBatchAsync([p], CancellationToken.None));
            p.Done.TrySetResult(results[0]);
        }
        catch (Exception e)
        {
            await FailOrFindWinnerAsync(p, e);
        }
    }

    /// <summary>Lost a race for the same (case, step) to another writer: theirs stands and is the answer.</summary>
    private async Task FailOrFindWinnerAsync(PendingRating p, Exception e)
    {
        if (e is DbUpdateException u && ProblemExceptionHandler.IsUniqueViolation(u))
        {
            try
            {
                var winner = await InScopeAsync(service => service.FindAsync(p.Submission.Case.Id, p.Submission.Step, CancellationToken.None));
                if (winner is not null)
                {
                    p.Done.TrySetResult(new SubmissionResult(winner, false, []));
                    return;
                }
            }
            catch (Exception again)
            {
                p.Done.TrySetException(again);
                return;
            }
        }

        p.Done.TrySetException(e);
    }

    private async Task<T> InScopeAsync<T>(Func<RatingService, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<RatingService>());
    }
}
