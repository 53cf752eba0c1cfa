using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pingjia.Domain.Ratings;

namespace Pingjia.Data.Ratings;

/// <summary>A service case (办件), created and updated by business systems by case number.</summary>
public sealed class Case
{
    public Guid Id { get; set; }

    public required string CaseNo { get; set; }

    public Guid ItemId { get; set; }

    public Guid AgencyId { get; set; }

    public Guid? StaffId { get; set; }

    public ServiceChannel ServiceChannel { get; set; }

    public CaseStatus Status { get; set; }

    public bool CertificateNeeded { get; set; }

    public string? BatchNo { get; set; }

    public string? ThemeCode { get; set; }

    /// <summary>For a related item of a theme service: the theme's case.</summary>
    public string? ThemeCaseNo { get; set; }

    /// <summary>National applicant type (userProp): 1 natural person, 2 enterprise …</summary>
    public required string ApplicantType { get; set; }

    /// <summary>SM4-encrypted; never stored or logged in clear.</summary>
    public string? ApplicantNameEnc { get; set; }

    public string? IdType { get; set; }

    public string? IdNumberEnc { get; set; }

    /// <summary>Keyed SM3 (HMAC) of the ID number, for lookups without decrypting.</summary>
    public string? IdNumberIndex { get; set; }

    public string? MobileEnc { get; set; }

    public string? MobileIndex { get; set; }

    public DateTime? AcceptedAt { get; set; }

    public DateTime? DecidedAt { get; set; }

    public DateTime? CertificateSignedAt { get; set; }

    public DateTime? ReceiptAt { get; set; }

    public DateTime? EndedAt { get; set; }

    /// <summary>Source time of the newest event applied; older events only fill gaps (events may arrive out of order).</summary>
    public DateTime LastEventAt { get; set; }

    public DateTime? RatingOpensAt { get; set; }

    public DateTime? RatingClosesAt { get; set; }

    public RatingScope RatingScope { get; set; }

    /// <summary>Why rating is (not) open, as a stable code from the opening rule.</summary>
    public required string EntryReason { get; set; }

    /// <summary>The configuration version whose window length fixed <see cref="RatingClosesAt"/>.</summary>
    public int ConfigVersion { get; set; }

    /// <summary>
    /// Set by the rating writer when the case gets its first active rating. Stored with <see cref="DefaultedAt"/> and
    /// <see cref="ReminderSentAt"/> in a narrow table of their own (<c>case_rating_states</c>), see <c>CaseConfiguration</c>.
    /// </summary>
    public bool HasActiveRating { get; set; }

    /// <summary>When the window closed unrated and the default rating (基本满意) was recorded.</summary>
    public DateTime? DefaultedAt { get; set; }

    /// <summary>When the one SMS invitation to rate was sent.</summary>
    public DateTime? ReminderSentAt { get; set; }

    /// <summary>What the rating jobs still have to do for this case; only the jobs and intake change it.</summary>
    public RatingJobStage JobStage { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// What the rating jobs (<c>RatingJobs</c>) still have to do for a case. It only narrows their search: before acting
/// they check the case itself (rated, defaulted, reminded), so a stage that lags behind costs a look, never a wrong act.
/// </summary>
public enum RatingJobStage
{
    /// <summary>The reminder is still to come (or to be skipped), then the close.</summary>
    Remind = 0,

    /// <summary>Reminded or not to be reminded; the close (and its default rating, if unrated) is still to come.</summary>
    Close = 1,

    /// <summary>Rated or defaulted, and seen so by a job: nothing left to do.</summary>
    Done = 2,
}

/// <summary>One rating of one service step of one case; (case, step) is unique.</summary>
public sealed class Rating
{
    public Guid Id { get; set; }

    public Guid CaseId { get; set; }

    public required string CaseNo { get; set; }

    public required string Step { get; set; }

    public int Level { get; set; }

    /// <summary>Per-indicator levels as JSON: {"服务效率":5,…}.</summary>
    public required string Indicators { get; set; }

    /// <summary>Evaluation-content codes, comma-separated (national evalDetail form).</summary>
    public required string Tags { get; set; }

    public string? Text { get; set; }

    public string? FollowUp { get; set; }

    public DateTime? FollowUpAt { get; set; }

    public RatingChannel Channel { get; set; }

    public bool IsDefault { get; set; }

    public string? BatchNo { get; set; }

    /// <summary>Blind index of who rated (the applicant's mobile or ID), never the clear value.</summary>
    public string? RaterIndex { get; set; }

    public bool Excluded { get; set; }

    public string? ExcludedReason { get; set; }

    public DateTime? ExcludedAt { get; set; }

    public Guid AgencyId { get; set; }

    public Guid ItemId { get; set; }

    public Guid? StaffId { get; set; }

    /// <summary>Local (Asia/Shanghai) day of the rating, yyyymmdd.</summary>
    public int Day { get; set; }

    public int ConfigVersion { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>The counted quantities shared by the day and month counter rows. Level counts are net of exclusions; excluded ratings are counted apart.</summary>
public abstract class RatingCounterColumns
{
    public Guid AgencyId { get; set; }

    public Guid ItemId { get; set; }

    /// <summary><see cref="Guid.Empty"/> when the case names no staff.</summary>
    public Guid StaffId { get; set; }

    public required string Channel { get; set; }

    public long Finished { get; set; }

    public long FinishedRated { get; set; }

    public long Active { get; set; }

    public long A1 { get; set; }

    public long A2 { get; set; }

    public long A3 { get; set; }

    public long A4 { get; set; }

    public long A5 { get; set; }

    public long Defaults { get; set; }

    public long Excluded { get; set; }

    public long FollowUps { get; set; }
}

/// <summary>
/// Counts per day, agency, item, staff and rating channel, updated in the same transaction as each change, so
/// figures never scan ratings. Case-level counts (finished, finished-and-rated) use channel "" on the day rating opened.
/// </summary>
public sealed class RatingCounter : RatingCounterColumns
{
    /// <summary>Local (Asia/Shanghai) day, yyyymmdd.</summary>
    public int Day { get; set; }
}

/// <summary>
/// The same counts per month (yyyymm), kept beside the day rows in the same transaction, so that a year of a
/// district reads a few thousand rows instead of hundreds of thousands. Days are only read at a period's edges.
/// </summary>
public sealed class RatingCounterMonth : RatingCounterColumns
{
    public int Month { get; set; }
}

/// <summary>
/// Handling figures of the work orders of bad ratings per local day the rating was made, current agency and item:
/// each work-order change adds the difference it makes (<c>HandlingCounters</c> in the server), so the statistics
/// never read work orders. Orders of excluded ratings count nowhere.
/// </summary>
public sealed class HandlingCounter
{
    public int Day { get; set; }

    public Guid AgencyId { get; set; }

    public Guid ItemId { get; set; }

    public long BadRatings { get; set; }

    public long Replied { get; set; }

    public long Founded { get; set; }

    public long Rectified { get; set; }

    public long Answered { get; set; }

    public long Satisfied { get; set; }

    public long Closed { get; set; }

    public long ClosedOnTime { get; set; }

    public long Overdue { get; set; }
}

/// <summary>A version of the rating configuration (window, reminder, tag policy, indicator sets, tags) as JSON.</summary>
public sealed class RatingConfigVersion
{
    public int Version { get; set; }

    public required string Document { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>An SMS waiting for (or handed to) the gateway. The built-in gateway only writes here.</summary>
public sealed class SmsMessage
{
    public Guid Id { get; set; }

    public Guid? CaseId { get; set; }

    public required string Kind { get; set; }

    public required string MobileEnc { get; set; }

    public required string Body { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.ToTable("cases");
        // Whether the case is rated, defaulted or reminded lives in a narrow row of its own: the rating writer marks
        // every rated case, and rewriting the wide cases row (~540 bytes, eleven indexes when the update is not
        // heap-only) cost PostgreSQL ~30–45 µs per rating against ~8–10 µs for this row (bench/README, ninth
        // session). The rating writer, the default job and the reminder job all change these columns with one
        // conditional update each, so they exclude one another on this row as they did on the case's.
        b.SplitToTable("case_rating_states", t =>
        {
            t.Property(x => x.HasActiveRating);
            t.Property(x => x.DefaultedAt);
            t.Property(x => x.ReminderSentAt);
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.CaseNo).HasMaxLength(64);
        b.HasIndex(x => x.CaseNo).IsUnique();
        b.Property(x => x.ServiceChannel).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(24);
        b.Property(x => x.RatingScope).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.BatchNo).HasMaxLength(64);
        b.HasIndex(x => x.BatchNo);
        b.Property(x => x.ThemeCode).HasMaxLength(64);
        b.Property(x => x.ThemeCaseNo).HasMaxLength(64);
        b.HasIndex(x => x.ThemeCaseNo);
        b.Property(x => x.ApplicantType).HasMaxLength(2);
        b.Property(x => x.IdType).HasMaxLength(3);
        b.Property(x => x.IdNumberIndex).HasMaxLength(64);
        b.HasIndex(x => x.IdNumberIndex);
        b.Property(x => x.MobileIndex).HasMaxLength(64);
        b.HasIndex(x => x.MobileIndex);
        b.Property(x => x.EntryReason).HasMaxLength(40);
        // The jobs look for windows whose reminder or close time has come, among the cases they are not done with.
        b.HasIndex(x => new { x.JobStage, x.RatingOpensAt });
        b.HasIndex(x => new { x.JobStage, x.RatingClosesAt });
        b.HasOne<Catalog.ServiceItem>().WithMany().HasForeignKey(x => x.ItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Catalog.Agency>().WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Catalog.Staff>().WithMany().HasForeignKey(x => x.StaffId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RatingConfiguration : IEntityTypeConfiguration<Rating>
{
    public void Configure(EntityTypeBuilder<Rating> b)
    {
        b.ToTable("ratings");
        b.HasKey(x => x.Id);
        b.Property(x => x.CaseNo).HasMaxLength(64);
        b.Property(x => x.Step).HasMaxLength(32);
        b.HasIndex(x => new { x.CaseId, x.Step }).IsUnique();
        b.Property(x => x.Indicators).HasMaxLength(1000);
        b.Property(x => x.Tags).HasMaxLength(400);
        b.Property(x => x.Text).HasMaxLength(1000);
        b.Property(x => x.FollowUp).HasMaxLength(1000);
        b.Property(x => x.Channel).HasConversion<string>().HasMaxLength(24);
        b.Property(x => x.BatchNo).HasMaxLength(64);
        b.Property(x => x.RaterIndex).HasMaxLength(64);
        b.Property(x => x.ExcludedReason).HasMaxLength(500);
        b.HasIndex(x => new { x.AgencyId, x.Day });
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class RatingCounterConfiguration : IEntityTypeConfiguration<RatingCounter>
{
    public void Configure(EntityTypeBuilder<RatingCounter> b)
    {
        b.ToTable("rating_counters");
        b.HasKey(x => new { x.AgencyId, x.Day, x.ItemId, x.StaffId, x.Channel });
        b.Property(x => x.Channel).HasMaxLength(24);
        b.HasIndex(x => new { x.Day, x.AgencyId });
    }
}

internal sealed class RatingCounterMonthConfiguration : IEntityTypeConfiguration<RatingCounterMonth>
{
    public void Configure(EntityTypeBuilder<RatingCounterMonth> b)
    {
        b.ToTable("rating_counters_monthly");
        b.HasKey(x => new { x.AgencyId, x.Month, x.ItemId, x.StaffId, x.Channel });
        b.Property(x => x.Channel).HasMaxLength(24);
    }
}

internal sealed class HandlingCounterConfiguration : IEntityTypeConfiguration<HandlingCounter>
{
    public void Configure(EntityTypeBuilder<HandlingCounter> b)
    {
        b.ToTable("handling_counters");
        b.HasKey(x => new { x.AgencyId, x.Day, x.ItemId });
    }
}

internal sealed class RatingConfigVersionConfiguration : IEntityTypeConfiguration<RatingConfigVersion>
{
    public void Configure(EntityTypeBuilder<RatingConfigVersion> b)
    {
        b.ToTable("rating_config_versions");
        b.HasKey(x => x.Version);
        b.Property(x => x.Version).ValueGeneratedNever();
        b.Property(x => x.CreatedBy).HasMaxLength(100);
    }
}

internal sealed class SmsMessageConfiguration : IEntityTypeConfiguration<SmsMessage>
{
    public void Configure(EntityTypeBuilder<SmsMessage> b)
    {
        b.ToTable("sms_outbox");
        b.HasKey(x => x.Id);
        b.Property(x => x.Kind).HasMaxLength(40);
        b.Property(x => x.Body).HasMaxLength(500);
        b.HasIndex(x => x.CaseId);
    }
}
