using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Pingjia.Data.Assessments;

/// <summary>A version of an assessment scheme, stored as its JSON file. A published version never changes again.</summary>
public sealed class AssessmentScheme
{
    public Guid Id { get; set; }

    public required string Code { get; set; }

    public int Version { get; set; }

    public required string Name { get; set; }

    /// <summary>The scheme file (JSON) exactly as loaded and validated.</summary>
    public required string Json { get; set; }

    public bool Published { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? PublishedBy { get; set; }

    public DateTime? PublishedAt { get; set; }
}

/// <summary>A round: one published scheme version applied to a period and a set of units, owned by a region's office.</summary>
public sealed class AssessmentRound
{
    public Guid Id { get; set; }

    public Guid SchemeId { get; set; }

    public required string Period { get; set; }

    public required string Name { get; set; }

    public Guid RegionId { get; set; }

    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? ComputedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>A unit of a round: its place (level, parent, weight, category), flagged events, and its approval state.</summary>
public sealed class AssessmentUnit
{
    public Guid Id { get; set; }

    public Guid RoundId { get; set; }

    public required string Name { get; set; }

    /// <summary>The agency the unit is, when it is one: its managers enter self-assessment inputs and see its result.</summary>
    public Guid? AgencyId { get; set; }

    public string? Level { get; set; }

    public string? Parent { get; set; }

    public decimal Weight { get; set; } = 1;

    public string? Category { get; set; }

    /// <summary>JSON array of flagged events (e.g. a concealed major report).</summary>
    public required string Flags { get; set; }

    /// <summary>open → submitted → approved; approval locks the unit's inputs.</summary>
    public required string State { get; set; }

    public string? SubmittedBy { get; set; }

    public DateTime? SubmittedAt { get; set; }

    public string? ApprovedBy { get; set; }

    public DateTime? ApprovedAt { get; set; }

    public int Version { get; set; }
}

/// <summary>The input of one leaf for one unit, with who entered it and when.</summary>
public sealed class AssessmentInput
{
    public Guid Id { get; set; }

    public Guid UnitId { get; set; }

    public required string NodeCode { get; set; }

    /// <summary>The leaf input as JSON (value, counts, passed items, per period, by source …).</summary>
    public required string Json { get; set; }

    public required string EnteredBy { get; set; }

    public DateTime EnteredAt { get; set; }
}

/// <summary>A unit's computed result: rank, grade, totals and the explanation tree as JSON. Replaced by the next computation.</summary>
public sealed class AssessmentResult
{
    public Guid Id { get; set; }

    public Guid RoundId { get; set; }

    public Guid UnitId { get; set; }

    public int Rank { get; set; }

    public decimal Total { get; set; }

    /// <summary>The unrounded total as text: decimal digits beyond the column's precision are kept.</summary>
    public required string Unrounded { get; set; }

    public string? Grade { get; set; }

    public required string Explanation { get; set; }

    public DateTime ComputedAt { get; set; }
}

internal sealed class AssessmentSchemeConfiguration : IEntityTypeConfiguration<AssessmentScheme>
{
    public void Configure(EntityTypeBuilder<AssessmentScheme> b)
    {
        b.ToTable("assessment_schemes");
        b.HasKey(x => x.Id);
        b.Property(x => x.Code).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.Property(x => x.PublishedBy).HasMaxLength(100);
        b.HasIndex(x => new { x.Code, x.Version }).IsUnique();
    }
}

internal sealed class AssessmentRoundConfiguration : IEntityTypeConfiguration<AssessmentRound>
{
    public void Configure(EntityTypeBuilder<AssessmentRound> b)
    {
        b.ToTable("assessment_rounds");
        b.HasKey(x => x.Id);
        b.Property(x => x.Period).HasMaxLength(64);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.CreatedBy).HasMaxLength(100);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => x.RegionId);
        b.HasOne<AssessmentScheme>().WithMany().HasForeignKey(x => x.SchemeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Catalog.Region>().WithMany().HasForeignKey(x => x.RegionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AssessmentUnitConfiguration : IEntityTypeConfiguration<AssessmentUnit>
{
    public void Configure(EntityTypeBuilder<AssessmentUnit> b)
    {
        b.ToTable("assessment_units");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Level).HasMaxLength(64);
        b.Property(x => x.Parent).HasMaxLength(200);
        b.Property(x => x.Category).HasMaxLength(64);
        b.Property(x => x.Flags).HasMaxLength(2000);
        b.Property(x => x.State).HasMaxLength(16);
        b.Property(x => x.SubmittedBy).HasMaxLength(100);
        b.Property(x => x.ApprovedBy).HasMaxLength(100);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.HasIndex(x => new { x.RoundId, x.Name }).IsUnique();
        b.HasIndex(x => x.AgencyId);
        b.HasOne<AssessmentRound>().WithMany().HasForeignKey(x => x.RoundId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Catalog.Agency>().WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AssessmentInputConfiguration : IEntityTypeConfiguration<AssessmentInput>
{
    public void Configure(EntityTypeBuilder<AssessmentInput> b)
    {
        b.ToTable("assessment_inputs");
        b.HasKey(x => x.Id);
        b.Property(x => x.NodeCode).HasMaxLength(64);
        b.Property(x => x.Json).HasMaxLength(20000);
        b.Property(x => x.EnteredBy).HasMaxLength(100);
        b.HasIndex(x => new { x.UnitId, x.NodeCode }).IsUnique();
        b.HasOne<AssessmentUnit>().WithMany().HasForeignKey(x => x.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AssessmentResultConfiguration : IEntityTypeConfiguration<AssessmentResult>
{
    public void Configure(EntityTypeBuilder<AssessmentResult> b)
    {
        b.ToTable("assessment_results");
        b.HasKey(x => x.Id);
        b.Property(x => x.Unrounded).HasMaxLength(64);
        b.Property(x => x.Grade).HasMaxLength(64);
        b.HasIndex(x => x.UnitId).IsUnique();
        b.HasIndex(x => new { x.RoundId, x.Rank });
        b.HasOne<AssessmentRound>().WithMany().HasForeignKey(x => x.RoundId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<AssessmentUnit>().WithMany().HasForeignKey(x => x.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}
