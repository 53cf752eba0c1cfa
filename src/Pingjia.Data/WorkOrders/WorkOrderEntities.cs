using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pingjia.Domain.WorkOrders;

namespace Pingjia.Data.WorkOrders;

/// <summary>The work order every bad rating produces, addressed to the unit that handled the case (谁办理、谁负责).</summary>
public sealed class WorkOrder
{
    public Guid Id { get; set; }

    public required string No { get; set; }

    public Guid RatingId { get; set; }

    public Guid CaseId { get; set; }

    public required string CaseNo { get; set; }

    public Guid AgencyId { get; set; }

    /// <summary>The rated case's item, for the handling counters.</summary>
    public Guid ItemId { get; set; }

    /// <summary>The rating was excluded from statistics (an upheld appeal): the order counts in no handling figure.</summary>
    public bool RatingExcluded { get; set; }

    public WorkOrderState State { get; set; }

    public int Round { get; set; } = 1;

    public Verification? Verification { get; set; }

    public HandlingSatisfaction? Satisfaction { get; set; }

    public DateTime CreatedAt { get; set; }

    /// <summary>Null when the calendar could not compute it (a year without holiday data); the supervisor is told.</summary>
    public DateTime? ContactDueAt { get; set; }

    public DateTime? ReplyDueAt { get; set; }

    public int ExtendedDays { get; set; }

    public DateTime? ContactedAt { get; set; }

    public DateTime? RepliedAt { get; set; }

    /// <summary>Whether rectification measures were recorded (in any round); the rectification rate counts these.</summary>
    public bool Rectified { get; set; }

    public DateTime? ClosedAt { get; set; }

    public bool? ClosedOnTime { get; set; }

    public Guid? PendingRerouteAgencyId { get; set; }

    public int? PendingExtensionDays { get; set; }

    public DateTime? WarnedAt { get; set; }

    public DateTime? OverdueAt { get; set; }

    public DateTime? EscalatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    /// <summary>Raised by every step; two steps taken at once cannot both win (the second gets 409).</summary>
    public int Version { get; set; }
}

/// <summary>One step of a work order: who did what, when, and what they recorded.</summary>
public sealed class WorkOrderEvent
{
    public Guid Id { get; set; }

    public Guid WorkOrderId { get; set; }

    public required string Action { get; set; }

    public required string Actor { get; set; }

    public DateTime At { get; set; }

    public required string Data { get; set; }
}

/// <summary>A message for a unit or a supervisor's inbox (raters are told by SMS through the outbox).</summary>
public sealed class Notification
{
    public Guid Id { get; set; }

    /// <summary><c>unit</c> (the agency) or <c>supervisor</c> (the bureau above it).</summary>
    public required string Audience { get; set; }

    public Guid AgencyId { get; set; }

    public Guid? WorkOrderId { get; set; }

    public required string Kind { get; set; }

    public required string Message { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>A unit's appeal (申诉) that a rating of its staff is untrue or malicious; the staff-management unit decides.</summary>
public sealed class Appeal
{
    public Guid Id { get; set; }

    public Guid RatingId { get; set; }

    public required string CaseNo { get; set; }

    public Guid AgencyId { get; set; }

    /// <summary><c>untrue</c> or <c>malicious</c>.</summary>
    public required string Grounds { get; set; }

    public required string Reason { get; set; }

    /// <summary>Evidence references as JSON (file names or ids of stored evidence).</summary>
    public required string Evidence { get; set; }

    /// <summary><c>pending</c>, <c>upheld</c> or <c>rejected</c>.</summary>
    public required string State { get; set; }

    public required string FiledBy { get; set; }

    public DateTime FiledAt { get; set; }

    public string? DecidedBy { get; set; }

    public DateTime? DecidedAt { get; set; }

    public string? DecisionNote { get; set; }
}

/// <summary>A file of evidence for a work order (rectification photos, notices). The bytes live in the evidence folder, not in the row.</summary>
public sealed class EvidenceFile
{
    public Guid Id { get; set; }

    public Guid WorkOrderId { get; set; }

    public required string FileName { get; set; }

    public required string ContentType { get; set; }

    public long Size { get; set; }

    /// <summary>SM3 of the bytes, checked when the file is read back.</summary>
    public required string Sm3 { get; set; }

    public required string UploadedBy { get; set; }

    public DateTime UploadedAt { get; set; }
}

/// <summary>A version of one year's holidays and adjusted working days (JSON), with who set it.</summary>
public sealed class CalendarYear
{
    public int Year { get; set; }

    public int Version { get; set; }

    public required string Document { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }
}

internal sealed class WorkOrderConfiguration : IEntityTypeConfiguration<WorkOrder>
{
    public void Configure(EntityTypeBuilder<WorkOrder> b)
    {
        b.ToTable("work_orders");
        b.HasKey(x => x.Id);
        b.Property(x => x.No).HasMaxLength(32);
        b.HasIndex(x => x.No).IsUnique();
        b.HasIndex(x => x.RatingId).IsUnique();
        b.Property(x => x.CaseNo).HasMaxLength(64);
        b.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Verification).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Satisfaction).HasConversion<string>().HasMaxLength(24);
        b.HasIndex(x => new { x.AgencyId, x.State });
        b.HasIndex(x => new { x.State, x.ReplyDueAt });
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasOne<Ratings.Rating>().WithMany().HasForeignKey(x => x.RatingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Catalog.Agency>().WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class WorkOrderEventConfiguration : IEntityTypeConfiguration<WorkOrderEvent>
{
    public void Configure(EntityTypeBuilder<WorkOrderEvent> b)
    {
        b.ToTable("work_order_events");
        b.HasKey(x => x.Id);
        b.Property(x => x.Action).HasMaxLength(32);
        b.Property(x => x.Actor).HasMaxLength(100);
        b.HasIndex(x => x.WorkOrderId);
        b.HasOne<WorkOrder>().WithMany().HasForeignKey(x => x.WorkOrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("notifications");
        b.HasKey(x => x.Id);
        b.Property(x => x.Audience).HasMaxLength(16);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.Property(x => x.Message).HasMaxLength(500);
        b.HasIndex(x => new { x.AgencyId, x.CreatedAt });
        b.HasIndex(x => x.WorkOrderId);
    }
}

internal sealed class AppealConfiguration : IEntityTypeConfiguration<Appeal>
{
    public void Configure(EntityTypeBuilder<Appeal> b)
    {
        b.ToTable("appeals");
        b.HasKey(x => x.Id);
        b.HasIndex(x => x.RatingId).IsUnique(); // one appeal per rating
        b.Property(x => x.CaseNo).HasMaxLength(64);
        b.Property(x => x.Grounds).HasMaxLength(16);
        b.Property(x => x.Reason).HasMaxLength(2000);
        b.Property(x => x.Evidence).HasMaxLength(2000);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.FiledBy).HasMaxLength(100);
        b.Property(x => x.DecidedBy).HasMaxLength(100);
        b.Property(x => x.DecisionNote).HasMaxLength(1000);
        b.HasIndex(x => new { x.AgencyId, x.State });
        b.HasOne<Ratings.Rating>().WithMany().HasForeignKey(x => x.RatingId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class EvidenceFileConfiguration : IEntityTypeConfiguration<EvidenceFile>
{
    public void Configure(EntityTypeBuilder<EvidenceFile> b)
    {
        b.ToTable("evidence_files");
        b.HasKey(x => x.Id);
        b.Property(x => x.FileName).HasMaxLength(200);
        b.Property(x => x.ContentType).HasMaxLength(64);
        b.Property(x => x.Sm3).HasMaxLength(64);
        b.Property(x => x.UploadedBy).HasMaxLength(100);
        b.HasIndex(x => x.WorkOrderId);
        b.HasOne<WorkOrder>().WithMany().HasForeignKey(x => x.WorkOrderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CalendarYearConfiguration : IEntityTypeConfiguration<CalendarYear>
{
    public void Configure(EntityTypeBuilder<CalendarYear> b)
    {
        b.ToTable("calendar_years");
        b.HasKey(x => new { x.Year, x.Version });
        b.Property(x => x.CreatedBy).HasMaxLength(100);
    }
}
