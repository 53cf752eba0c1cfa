using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pingjia.Domain.Surveys;

namespace Pingjia.Data.Surveys;

/// <summary>How a response reached the survey.</summary>
public enum SurveyChannel
{
    /// <summary>Anonymous (无记名) public link; no personal data at all.</summary>
    PublicLink,

    /// <summary>Single-use personal link.</summary>
    PersonalLink,

    /// <summary>Phone interview entered by an interviewer account.</summary>
    Phone,

    /// <summary>Paper form entered by staff in a batch, with its form number.</summary>
    Paper,

    /// <summary>Vote in an on-site session (现场测评).</summary>
    OnSite,
}

public enum SurveyResponseStatus
{
    Complete,

    /// <summary>Some shown required questions were left unanswered; kept and counted as partial.</summary>
    Partial,
}

/// <summary>A satisfaction survey (群众满意度测评): units, strata, sampling plan, schedule; the questionnaire is versioned apart.</summary>
public sealed class Survey
{
    public Guid Id { get; set; }

    public required string Code { get; set; }

    public required string Title { get; set; }

    public string? Description { get; set; }

    /// <summary>The region that runs the survey; callers see it by their region scope.</summary>
    public Guid OwnerRegionId { get; set; }

    public required string OwnerRegionPath { get; set; }

    /// <summary><c>agency</c> or <c>region</c>: what the target units are.</summary>
    public required string UnitKind { get; set; }

    /// <summary>Strata as JSON: [{code, name, kind, populationShare}].</summary>
    public required string Strata { get; set; }

    public QuotaMode QuotaMode { get; set; }

    /// <summary>Whether the anonymous public link is open.</summary>
    public bool Anonymous { get; set; }

    /// <summary>The anonymous public link's token: public by design (printed on posters and QR codes), so kept in clear.</summary>
    public string? PublicToken { get; set; }

    public DateTime OpensAt { get; set; }

    public DateTime ClosesAt { get; set; }

    public int MinN { get; set; }

    public int CurrentVersion { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>One version of a survey's questionnaire, as JSON; responses name the version they answered.</summary>
public sealed class SurveyVersion
{
    public Guid SurveyId { get; set; }

    public int Version { get; set; }

    public required string Document { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A target unit of a survey: an agency (by credit code) or a region (by code), with an optional peer group (同类).</summary>
public sealed class SurveyUnit
{
    public Guid SurveyId { get; set; }

    public required string Code { get; set; }

    public required string Name { get; set; }

    public Guid RefId { get; set; }

    public string? PeerGroup { get; set; }
}

/// <summary>
/// A cell of the sampling plan (unit × stratum): its target (null: none) and the count of accepted responses, raised by a
/// conditional update in the same transaction as each response, so a full quota holds under concurrency.
/// </summary>
public sealed class SurveyQuota
{
    public Guid SurveyId { get; set; }

    public required string UnitCode { get; set; }

    public required string StratumCode { get; set; }

    public int? Target { get; set; }

    public int Count { get; set; }
}

/// <summary>A single-use personal link. Only the SM3 hash of its token is stored.</summary>
public sealed class SurveyLink
{
    public Guid Id { get; set; }

    public Guid SurveyId { get; set; }

    public required string TokenHash { get; set; }

    public required string UnitCode { get; set; }

    public required string StratumCode { get; set; }

    /// <summary>SM4-encrypted mobile of the invitee, when the link is sent by SMS; never in clear.</summary>
    public string? MobileEnc { get; set; }

    /// <summary>Blind index of the invitee's mobile, for duplicate checks.</summary>
    public string? RespondentIndex { get; set; }

    public DateTime ExpiresAt { get; set; }

    public DateTime? UsedAt { get; set; }

    public Guid? ResponseId { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A batch of paper forms entered by staff (all its forms or none).</summary>
public sealed class SurveyPaperBatch
{
    public Guid Id { get; set; }

    public Guid SurveyId { get; set; }

    public required string BatchNo { get; set; }

    public int Forms { get; set; }

    public required string EnteredBy { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>An on-site session (现场测评): anonymous votes through its token, tallied live.</summary>
public sealed class SurveySession
{
    public Guid Id { get; set; }

    public Guid SurveyId { get; set; }

    public required string Title { get; set; }

    public required string UnitCode { get; set; }

    public required string StratumCode { get; set; }

    public required string TokenHash { get; set; }

    public int Votes { get; set; }

    public required string OpenedBy { get; set; }

    public DateTime OpenedAt { get; set; }

    public DateTime? ClosedAt { get; set; }
}

/// <summary>The live tally of a session: votes per question and answer value, raised in the same transaction as each vote.</summary>
public sealed class SurveySessionTally
{
    public Guid SessionId { get; set; }

    public required string QuestionCode { get; set; }

    public required string Value { get; set; }

    public int Count { get; set; }
}

/// <summary>
/// One response. Personal data never sits here in clear: a respondent is at most a blind index (phone interviews,
/// personal links), and anonymous responses carry only a keyed hash of a device guard that identifies nobody.
/// </summary>
public sealed class SurveyResponse
{
    public Guid Id { get; set; }

    public Guid SurveyId { get; set; }

    public int Version { get; set; }

    public required string UnitCode { get; set; }

    public required string StratumCode { get; set; }

    public SurveyChannel Channel { get; set; }

    public SurveyResponseStatus Status { get; set; }

    /// <summary>Checked answers as JSON: {"q1":4,"q3":"a","q4":["web"],"q2":12.5,"q5":"…"}.</summary>
    public required string Answers { get; set; }

    /// <summary>Codes of shown required questions left unanswered (comma-separated).</summary>
    public string? Missing { get; set; }

    /// <summary>The interviewer (phone) or clerk (paper) account, as the audit log names it.</summary>
    public string? EnteredBy { get; set; }

    public Guid? LinkId { get; set; }

    public Guid? PaperBatchId { get; set; }

    public string? FormNo { get; set; }

    public Guid? SessionId { get; set; }

    public string? RespondentIndex { get; set; }

    /// <summary>Keyed hash of (survey, device guard) for anonymous channels: stops a second submission from the same device.</summary>
    public string? DuplicateGuard { get; set; }

    public DateTime SubmittedAt { get; set; }
}

/// <summary>An integrity finding for review (duplicate respondent, straight-lining, interviewer effect); nothing is deleted.</summary>
public sealed class SurveyReviewFlag
{
    public Guid Id { get; set; }

    public Guid SurveyId { get; set; }

    public required string Kind { get; set; }

    /// <summary>Kind and the sorted response ids (or interviewer), so a second scan does not repeat a flag.</summary>
    public required string Fingerprint { get; set; }

    public required string Responses { get; set; }

    public string? Interviewer { get; set; }

    public required string Detail { get; set; }

    /// <summary><c>open</c>, <c>confirmed</c> or <c>dismissed</c>.</summary>
    public required string Status { get; set; }

    public string? ReviewNote { get; set; }

    public string? ReviewedBy { get; set; }

    public DateTime? ReviewedAt { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class SurveyConfiguration : IEntityTypeConfiguration<Survey>
{
    public void Configure(EntityTypeBuilder<Survey> b)
    {
        b.ToTable("surveys");
        b.HasKey(x => x.Id);
        b.Property(x => x.Code).HasMaxLength(32);
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.Description).HasMaxLength(2000);
        b.Property(x => x.OwnerRegionPath).HasMaxLength(200);
        b.HasIndex(x => x.OwnerRegionPath);
        b.Property(x => x.UnitKind).HasMaxLength(16);
        b.Property(x => x.Strata).HasMaxLength(8000);
        b.Property(x => x.QuotaMode).HasConversion<string>().HasMaxLength(8);
        b.Property(x => x.PublicToken).HasMaxLength(64);
        b.HasIndex(x => x.PublicToken).IsUnique();
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasOne<Catalog.Region>().WithMany().HasForeignKey(x => x.OwnerRegionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyVersionConfiguration : IEntityTypeConfiguration<SurveyVersion>
{
    public void Configure(EntityTypeBuilder<SurveyVersion> b)
    {
        b.ToTable("survey_versions");
        b.HasKey(x => new { x.SurveyId, x.Version });
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyUnitConfiguration : IEntityTypeConfiguration<SurveyUnit>
{
    public void Configure(EntityTypeBuilder<SurveyUnit> b)
    {
        b.ToTable("survey_units");
        b.HasKey(x => new { x.SurveyId, x.Code });
        b.Property(x => x.Code).HasMaxLength(32);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.PeerGroup).HasMaxLength(64);
        b.HasIndex(x => x.RefId);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyQuotaConfiguration : IEntityTypeConfiguration<SurveyQuota>
{
    public void Configure(EntityTypeBuilder<SurveyQuota> b)
    {
        b.ToTable("survey_quotas");
        b.HasKey(x => new { x.SurveyId, x.UnitCode, x.StratumCode });
        b.Property(x => x.UnitCode).HasMaxLength(32);
        b.Property(x => x.StratumCode).HasMaxLength(32);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyLinkConfiguration : IEntityTypeConfiguration<SurveyLink>
{
    public void Configure(EntityTypeBuilder<SurveyLink> b)
    {
        b.ToTable("survey_links");
        b.HasKey(x => x.Id);
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.Property(x => x.UnitCode).HasMaxLength(32);
        b.Property(x => x.StratumCode).HasMaxLength(32);
        b.Property(x => x.RespondentIndex).HasMaxLength(64);
        b.HasIndex(x => x.ResponseId).IsUnique();
        b.HasIndex(x => x.SurveyId);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyPaperBatchConfiguration : IEntityTypeConfiguration<SurveyPaperBatch>
{
    public void Configure(EntityTypeBuilder<SurveyPaperBatch> b)
    {
        b.ToTable("survey_paper_batches");
        b.HasKey(x => x.Id);
        b.Property(x => x.BatchNo).HasMaxLength(64);
        b.HasIndex(x => new { x.SurveyId, x.BatchNo }).IsUnique();
        b.Property(x => x.EnteredBy).HasMaxLength(100);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveySessionConfiguration : IEntityTypeConfiguration<SurveySession>
{
    public void Configure(EntityTypeBuilder<SurveySession> b)
    {
        b.ToTable("survey_sessions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Title).HasMaxLength(200);
        b.Property(x => x.UnitCode).HasMaxLength(32);
        b.Property(x => x.StratumCode).HasMaxLength(32);
        b.Property(x => x.TokenHash).HasMaxLength(64);
        b.HasIndex(x => x.TokenHash).IsUnique();
        b.Property(x => x.OpenedBy).HasMaxLength(100);
        b.HasIndex(x => x.SurveyId);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveySessionTallyConfiguration : IEntityTypeConfiguration<SurveySessionTally>
{
    public void Configure(EntityTypeBuilder<SurveySessionTally> b)
    {
        b.ToTable("survey_session_tallies");
        b.HasKey(x => new { x.SessionId, x.QuestionCode, x.Value });
        b.Property(x => x.QuestionCode).HasMaxLength(32);
        b.Property(x => x.Value).HasMaxLength(32);
        b.HasOne<SurveySession>().WithMany().HasForeignKey(x => x.SessionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyResponseConfiguration : IEntityTypeConfiguration<SurveyResponse>
{
    public void Configure(EntityTypeBuilder<SurveyResponse> b)
    {
        b.ToTable("survey_responses");
        b.HasKey(x => x.Id);
        b.Property(x => x.UnitCode).HasMaxLength(32);
        b.Property(x => x.StratumCode).HasMaxLength(32);
        b.Property(x => x.Channel).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Missing).HasMaxLength(2000);
        b.Property(x => x.EnteredBy).HasMaxLength(100);
        b.Property(x => x.FormNo).HasMaxLength(64);
        b.HasIndex(x => new { x.SurveyId, x.FormNo }).IsUnique();
        b.Property(x => x.RespondentIndex).HasMaxLength(64);
        b.Property(x => x.DuplicateGuard).HasMaxLength(64);
        b.HasIndex(x => new { x.SurveyId, x.DuplicateGuard }).IsUnique();
        b.HasIndex(x => new { x.SurveyId, x.SubmittedAt });
        b.HasIndex(x => x.SessionId);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class SurveyReviewFlagConfiguration : IEntityTypeConfiguration<SurveyReviewFlag>
{
    public void Configure(EntityTypeBuilder<SurveyReviewFlag> b)
    {
        b.ToTable("survey_review_flags");
        b.HasKey(x => x.Id);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.Fingerprint).HasMaxLength(64);
        b.HasIndex(x => new { x.SurveyId, x.Fingerprint }).IsUnique();
        b.Property(x => x.Interviewer).HasMaxLength(100);
        b.Property(x => x.Detail).HasMaxLength(1000);
        b.Property(x => x.Status).HasMaxLength(16);
        b.Property(x => x.ReviewNote).HasMaxLength(1000);
        b.Property(x => x.ReviewedBy).HasMaxLength(100);
        b.HasOne<Survey>().WithMany().HasForeignKey(x => x.SurveyId).OnDelete(DeleteBehavior.Restrict);
    }
}
