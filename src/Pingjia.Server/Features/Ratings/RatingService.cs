using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.Ratings;

/// <summary>A rating to make: the case's own, plus (for a theme) optional ratings of related item cases.</summary>
public sealed record Submission(Case Case, string Step, RatingInput Input, RatingChannel Channel, string? RaterIndex, IReadOnlyList<(Case Case, RatingInput Input)> Related);

/// <summary>The rating and, for batches and themes, the other ratings made by the same submission.</summary>
public sealed record SubmissionResult(Rating Rating, bool Created, IReadOnlyList<Rating> AlsoRated);

/// <summary>
/// Makes ratings: window check, rule check, one rating per (case, step) even under concurrency, counters and
/// audit in the same transaction. The same path serves the API, rating links and the default-rating job.
/// </summary>
public sealed class RatingService(PingjiaDbContext db, AuditLog audit, RatingConfigCache configs, WorkOrders.WorkOrderService workOrders, RatingWriter writer, TimeProvider time)
{
    public const string MainStep = "main";

    public async Task<SubmissionResult> SubmitAsync(Submission s, CancellationToken ct)
    {
        // Only a case marked rated or defaulted can already hold a rating, so the usual first rating skips this
        // lookup; the writer checks again inside its transaction, which is what makes a repeat harmless.
        if (s.Case.HasActiveRating || s.Case.DefaultedAt is not null || s.Case.BatchNo is not null)
        {
            var existing = await FindAsync(s.Case.Id, s.Step, ct);
            if (existing is not null)
            {
                return new SubmissionResult(existing, false, []);
            }
        }

        var now = time.UtcNow();
        EnsureOpen(s.Case, now);
        var (version, config) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        Check(s.Case, s.Input, config);
        foreach (var (related, input) in s.Related)
        {
            if (related.ThemeCaseNo != s.Case.CaseNo)
            {
                throw DomainException.Invalid("not_a_related_case", $"Case {related.CaseNo} is not a related item of theme case {s.Case.CaseNo}.", "related");
            }

            EnsureOpen(related, now);
            Check(related, input, config);
        }

        if (s.Case.BatchNo is null && s.Related.Count == 0)
        {
            return await writer.WriteAsync(new PendingRating(s, audit.Actor, version, now));
        }

        // A batch (批量业务) is rated once: the same rating applies to every open, unrated case of the batch.
        var batch = new List<Case>();
        if (s.Case.BatchNo is { } batchNo)
        {
            batch = await db.Cases.Where(c => c.BatchNo == batchNo && c.Id != s.Case.Id && c.ItemId == s.Case.ItemId).ToListAsync(ct);
            var rated = await db.Ratings.Where(r => r.Step == s.Step && db.Cases.Any(c => c.Id == r.CaseId && c.BatchNo == batchNo)).Select(r => r.CaseId).ToListAsync(ct);
            batch = [.. batch.Where(c => !rated.Contains(c.Id) && c.RatingOpensAt <= now && now < c.RatingClosesAt)];
        }

        var made = new List<Rating>();
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var counters = new CounterBatch();
            var main = await AddAsync(s.Case, s.Step, s.Input, s.Channel, false, s.RaterIndex, version, now, counters, ct);
            foreach (var c in batch)
            {
                made.Add(await AddAsync(c, s.Step, s.Input, s.Channel, false, s.RaterIndex, version, now, counters, ct));
            }

            foreach (var (c, input) in s.Related)
            {
                if (await FindAsync(c.Id, MainStep, ct) is null)
                {
                    made.Add(await AddAsync(c, MainStep, input, s.Channel, false, s.RaterIndex, version, now, counters, ct));
                }
            }

            await SaveAsync([], counters, head: null, commitWithWrites: false, ct);
            await tx.CommitAsync(ct);
            return new SubmissionResult(main, true, made);
        }
        catch (DbUpdateException e) when (ProblemExceptionHandler.IsUniqueViolation(e))
        {
            // Someone else rated the same case step at the same moment: theirs stands, and is what we return.
            db.ChangeTracker.Clear();
            var winner = await FindAsync(s.Case.Id, s.Step, ct) ?? throw new InvalidOperationException("Unique violation without a rating.", e);
            return new SubmissionResult(winner, false, []);
        }
    }

    /// <summary>Records the default rating (基本满意) of a case whose window closed unrated; false when it needs none.</summary>
    public async Task<bool> RecordDefaultAsync(Guid caseId, DateTime now, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The conditional update is the guard: a rating or another job run that got here first makes it touch nothing.
        // It updates the case's rating state, the row the rating writer claims, so the two wait for each other.
        var claimed = await db.Cases
            .Where(c => c.Id == caseId && !c.HasActiveRating && c.DefaultedAt == null && c.RatingClosesAt <= now)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.DefaultedAt, now), ct);
        if (claimed == 0)
        {
            return false;
        }

        // The claim locked only the state row, and judged the close by the case row as it was: this update locks the case
        // row, waits for an intake update in flight and checks the close again on what it committed. A window that moved
        // meanwhile gets no default now; the rollback undoes the claim and the job comes back at the new close.
        if (await db.Cases.Where(c => c.Id == caseId && c.RatingClosesAt <= now)
                .ExecuteUpdateAsync(u => u.SetProperty(c => c.JobStage, RatingJobStage.Done), ct) == 0)
        {
            return false;
        }

        var c = await db.Cases.AsNoTracking().SingleAsync(x => x.Id == caseId, ct);
        if (await FindAsync(c.Id, MainStep, ct) is not null)
        {
            // Its main step holds a rating already: no default, and nothing left for the jobs to do.
            await db.Cases.Where(x => x.Id == caseId).ExecuteUpdateAsync(u => u.SetProperty(x => x.DefaultedAt, (DateTime?)null), ct);
            await tx.CommitAsync(ct);
            return false;
        }

        var (version, _) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        // The default is dated at the close of the window, whenever the job gets to it.
        audit.ActorOverride = "system:rating-window";
        var counters = new CounterBatch();
        await AddAsync(c, MainStep, new RatingInput(RatingLevels.DefaultLevel, new Dictionary<string, int>(), [], null), RatingChannel.Default, true, null, version, c.RatingClosesAt!.Value, counters, ct);
        await SaveAsync([], counters, head: null, commitWithWrites: false, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<Rating> FollowUpAsync(Rating rating, Case c, string? text, CancellationToken ct)
    {
        new Validation().Required(text, "text", RatingRules.MaxTextLength).ThrowIfInvalid();
        if (rating.IsDefault)
        {
            throw DomainException.Conflict("default_rating", "A default rating has no rater to follow it up.");
        }

        if (rating.FollowUp is not null)
        {
            throw DomainException.Conflict("follow_up_exists", "This rating already has its follow-up comment.");
        }

        var now = time.UtcNow();
        if (now >= c.RatingClosesAt)
        {
            throw DomainException.Conflict("window_closed", "The rating window has closed; no follow-up comment can be added.");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var changed = await db.Ratings.Where(r => r.Id == rating.Id && r.FollowUp == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.FollowUp, text!.Trim()).SetProperty(r => r.FollowUpAt, now), ct);
        if (changed == 0)
        {
            throw DomainException.Conflict("follow_up_exists", "This rating already has its follow-up comment.");
        }

        await using (var statements = new StatementBatch(db))
        {
            await Counters.AddAsync(statements, KeyOf(rating), new CounterDelta(FollowUps: 1), ct);
            audit.Record("rating.follow_up", "rating", rating.Id.ToString(), new { rating.CaseNo, rating.Step, length = text!.Trim().Length });
            await audit.SaveAsync(statements, ct);
        }

        await tx.CommitAsync(ct);
        await db.Entry(rating).ReloadAsync(ct);
        return rating;
    }

    /// <summary>Takes a rating out of every figure, keeping it visible with the reason (appeals upheld, data corrections).</summary>
    public async Task<Rating> ExcludeAsync(Rating rating, string? reason, CancellationToken ct)
    {
        new Validation().Required(reason, "reason", 500).ThrowIfInvalid();
        if (rating.Excluded)
        {
            throw DomainException.Conflict("already_excluded", "This rating is already excluded from statistics.");
        }

        var now = time.UtcNow();
        // An appeal decision calls this inside its own transaction; otherwise this is the transaction.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        var changed = await db.Ratings.Where(r => r.Id == rating.Id && !r.Excluded)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Excluded, true).SetProperty(r => r.ExcludedReason, reason!.Trim()).SetProperty(r => r.ExcludedAt, now), ct);
        if (changed == 0)
        {
            throw DomainException.Conflict("already_excluded", "This rating is already excluded from statistics.");
        }

        // Its work order (a bad rating's) leaves the handling figures with it; the save below moves the counters.
        var order = await db.WorkOrders.FirstOrDefaultAsync(o => o.RatingId == rating.Id, ct);
        order?.RatingExcluded = true;
        await using (var statements = new StatementBatch(db))
        {
            await Counters.AddAsync(statements, KeyOf(rating), CounterDelta.ForExclusion(rating.Level, rating.IsDefault), ct);
            audit.Record("rating.excluded", "rating", rating.Id.ToString(), new { rating.CaseNo, rating.Step, reason = reason!.Trim() });
            await audit.SaveAsync(statements, ct);
        }

        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }

        await db.Entry(rating).ReloadAsync(ct);
        return rating;
    }

    public Task<Rating?> FindAsync(Guid caseId, string step, CancellationToken ct) =>
        db.Ratings.FirstOrDefaultAsync(r => r.CaseId == caseId && r.Step == step, ct);

    internal static CounterKey KeyOf(Rating r) => new(r.Day, r.AgencyId, r.ItemId, r.StaffId ?? Guid.Empty, Counters.ChannelKey(r.Channel));

    /// <summary>Refuses a case whose rating entry is not open now, with a code that says why.</summary>
    public static void EnsureOpen(Case c, DateTime now)
    {
        var entry = CasesApi.EntryOf(c, now);
        switch (entry.State)
        {
            case "open":
                return;
            case "closed":
                throw DomainException.Conflict("window_closed", $"The rating window of case {c.CaseNo} closed at {c.RatingClosesAt:yyyy-MM-dd HH:mm:ss} UTC.");
            case "rated":
                throw DomainException.Conflict("already_rated", $"Case {c.CaseNo} has been rated.");
        }

        throw entry.Reason switch
        {
            "receipt_failed" => DomainException.Conflict("receipt_failed_no_rating", "A failed receipt (收件失败) has no rating entry."),
            "withdrawn" => DomainException.Conflict("withdrawn_no_rating", "A withdrawn case has no rating entry."),
            _ => DomainException.Conflict("rating_not_open", $"Rating of case {c.CaseNo} is not open ({entry.Reason})."),
        };
    }

    private static void Check(Case c, RatingInput input, RatingConfigDocument config)
    {
        var online = RatingLevels.IsOnline(c.ServiceChannel);
        RatingRules.Check(input, c.RatingScope, online, config.TagPolicy, config.IndicatorsFor(c.RatingScope, online), config.TagsByCode);
    }

    /// <summary>
    /// Writes queued simple submissions (no batch, no theme) in one transaction; see <see cref="RatingWriter"/>.
    /// Results are in the order of the queue; a (case, step) that appears twice in the queue is rated once, and the
    /// repeat gets that rating. A (case, step) rated by an earlier transaction (a repeat whose request read the case
    /// before that commit) fails the insert on the unique key: the writer then writes the batch one by one, and the
    /// repeat is answered with the stored rating. That race is rare, so the usual batch does not pay for a lookup.
    /// </summary>
    internal async Task<SubmissionResult[]> WriteBatchAsync(IReadOnlyList<PendingRating> batch, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionHereAsync(ct);
        var made = new Dictionary<(Guid CaseId, string Step), Rating>();
        var cases = new Dictionary<Guid, Case>();
        var counters = new CounterBatch();
        var results = new SubmissionResult[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var (p, s) = (batch[i], batch[i].Submission);
            if (made.TryGetValue((s.Case.Id, s.Step), out var twin))
            {
                results[i] = new SubmissionResult(twin, false, []);
                continue;
            }

            audit.ActorOverride = p.Actor;
            var rating = NewRating(s.Case, s.Step, s.Input, s.Channel, false, s.RaterIndex, p.ConfigVersion, p.At);
            made.Add((s.Case.Id, s.Step), rating);
            cases.TryAdd(s.Case.Id, s.Case);
            counters.Add(KeyOf(rating), CounterDelta.ForRating(rating.Level, false));
            await RecordAsync(rating, s.Case, ct);
            results[i] = new SubmissionResult(rating, true, []);
        }

        // A case counts as rated once: only the cases this statement flips are counted. The audit chain's head is taken
        // with it, in the order the writer always took them (cases, then the head): on PostgreSQL one round trip for
        // both, as the writer there waits on round trips more than on work.
        var (claimed, head) = await db.QueryBothAsync(CaseClaims.Statement(db, cases.Keys), audit.TakeHead(), ct);
        foreach (var id in claimed)
        {
            CountRated(cases[id], counters);
        }

        // Written directly, not tracked: SaveChanges would cost more per rating than the database does. On PostgreSQL
        // the commit goes with the writes when nothing tracked is left to save.
        if (!await SaveAsync([.. made.Values], counters, head.Single(), commitWithWrites: true, ct))
        {
            await tx.CommitHereAsync(ct);
        }

        return results;
    }

    /// <summary>
    /// The end of every rating transaction: <paramref name="newRatings"/> written directly (untracked), the counters,
    /// then the audit entries and tracked changes. The ratings go first, as the work orders saved with the audit
    /// entries refer to them; on PostgreSQL all of it goes in one round trip, with the commit when
    /// <paramref name="commitWithWrites"/> and nothing tracked remains. True when the transaction was committed.
    /// </summary>
    private async Task<bool> SaveAsync(IReadOnlyList<Rating> newRatings, CounterBatch counters, AuditChainHead? head, bool commitWithWrites, CancellationToken ct)
    {
        await using var statements = new StatementBatch(db) { CommitWithFlush = commitWithWrites };
        await statements.AddRowsAsync(newRatings, ct);
        await counters.AddToAsync(statements, ct);
        await audit.SaveAsync(statements, head, ct);
        return statements.Committed;
    }

    private async Task<Rating> AddAsync(Case c, string step, RatingInput input, RatingChannel channel, bool isDefault, string? rater, int version, DateTime at, CounterBatch counters, CancellationToken ct)
    {
        var rating = NewRating(c, step, input, channel, isDefault, rater, version, at);
        db.Ratings.Add(rating);
        counters.Add(KeyOf(rating), CounterDelta.ForRating(rating.Level, isDefault));
        if (!isDefault && (await db.ClaimUnratedAsync([c.Id], ct)).Count == 1)
        {
            CountRated(c, counters);
        }

        await RecordAsync(rating, c, ct);
        return rating;
    }

    /// <summary>A finished case counts as rated once, on the day its rating opened, whatever the number of its rated steps.</summary>
    private static void CountRated(Case c, CounterBatch counters)
    {
        if (c.RatingOpensAt is { } opens)
        {
            counters.Add(new CounterKey(RatingWindow.DayOf(opens), c.AgencyId, c.ItemId, c.StaffId ?? Guid.Empty, ""), new CounterDelta(FinishedRated: 1));
        }
    }

    private Rating NewRating(Case c, string step, RatingInput input, RatingChannel channel, bool isDefault, string? rater, int version, DateTime at) => new()
    {
        Id = time.NewId(),
        CaseId = c.Id,
        CaseNo = c.CaseNo,
        Step = step,
        Level = input.Level,
        Indicators = JsonSerializer.Serialize(input.Indicators),
        Tags = string.Join(',', input.Tags),
        Text = string.IsNullOrWhiteSpace(input.Text) ? null : input.Text.Trim(),
        Channel = channel,
        IsDefault = isDefault,
        BatchNo = c.BatchNo,
        RaterIndex = rater,
        AgencyId = c.AgencyId,
        ItemId = c.ItemId,
        StaffId = c.StaffId,
        Day = RatingWindow.DayOf(at),
        ConfigVersion = version,
        CreatedAt = at,
    };

    /// <summary>The audit entry of a rating and, for a bad one, its work order: both in the rating's transaction.</summary>
    private async Task RecordAsync(Rating rating, Case c, CancellationToken ct)
    {
        audit.Record(rating.IsDefault ? "rating.defaulted" : "rating.created", "rating", rating.Id.ToString(),
            new { rating.CaseNo, rating.Step, rating.Level, rating.Tags, channel = Counters.ChannelKey(rating.Channel), rating.ConfigVersion, hasText = rating.Text is not null });
        if (!rating.IsDefault && RatingLevels.PolarityOf(rating.Level) == Polarity.Bad)
        {
            // Every bad rating becomes a work order in the same transaction: neither exists without the other.
            await workOrders.CreateForRatingAsync(rating, c, ct);
        }
    }
}
