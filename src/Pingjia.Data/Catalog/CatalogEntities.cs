using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pingjia.Domain.Catalog;

namespace Pingjia.Data.Catalog;

/// <summary>A node of the administrative region tree.</summary>
public sealed class Region
{
    public Guid Id { get; set; }

    public required string Code { get; set; }

    public required string Name { get; set; }

    public RegionLevel Level { get; set; }

    public Guid? ParentId { get; set; }

    /// <summary>Codes from the root down to this region, each followed by '/': a subtree is a prefix match.</summary>
    public required string Path { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A government-service agency (政务服务机构), identified by its unified social credit code.</summary>
public sealed class Agency
{
    public Guid Id { get; set; }

    public required string CreditCode { get; set; }

    public required string Name { get; set; }

    public required string Kind { get; set; }

    public Guid RegionId { get; set; }

    public Region Region { get; set; } = null!;

    public Guid? ParentAgencyId { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A service hall (大厅) of an agency.</summary>
public sealed class Hall
{
    public Guid Id { get; set; }

    public Guid AgencyId { get; set; }

    public Agency Agency { get; set; } = null!;

    public required string Name { get; set; }

    public string? Address { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A service window (窗口) in a hall.</summary>
public sealed class ServiceWindow
{
    public Guid Id { get; set; }

    public Guid HallId { get; set; }

    public Guid AgencyId { get; set; }

    public Agency Agency { get; set; } = null!;

    public required string Number { get; set; }

    public required string Name { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A member of staff (工作人员), identified by employee number within an agency.</summary>
public sealed class Staff
{
    public Guid Id { get; set; }

    public Guid AgencyId { get; set; }

    public Agency Agency { get; set; } = null!;

    public required string EmployeeNo { get; set; }

    public required string Name { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A catalog service item (政务服务事项).</summary>
public sealed class ServiceItem
{
    public Guid Id { get; set; }

    public required string ItemCode { get; set; }

    public required string Name { get; set; }

    /// <summary>National item-type code (taskType), e.g. 01 行政许可, 20 公共服务.</summary>
    public required string ItemType { get; set; }

    public int LegalLimitDays { get; set; }

    public int PromisedLimitDays { get; set; }

    public bool IssuesCertificate { get; set; }

    public Guid AgencyId { get; set; }

    public Agency Agency { get; set; } = null!;

    public bool IsActive { get; set; } = true;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

internal sealed class RegionConfiguration : IEntityTypeConfiguration<Region>
{
    public void Configure(EntityTypeBuilder<Region> b)
    {
        b.ToTable("regions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Code).HasMaxLength(12);
        b.HasIndex(x => x.Code).IsUnique();
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Level).HasConversion<string>().HasMaxLength(16);
        b.Property(x => x.Path).HasMaxLength(80);
        b.HasIndex(x => x.Path);
        b.HasOne<Region>().WithMany().HasForeignKey(x => x.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AgencyConfiguration : IEntityTypeConfiguration<Agency>
{
    public void Configure(EntityTypeBuilder<Agency> b)
    {
        b.ToTable("agencies");
        b.HasKey(x => x.Id);
        b.Property(x => x.CreditCode).HasMaxLength(18);
        b.HasIndex(x => x.CreditCode).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Kind).HasMaxLength(32);
        b.HasOne(x => x.Region).WithMany().HasForeignKey(x => x.RegionId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Agency>().WithMany().HasForeignKey(x => x.ParentAgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class HallConfiguration : IEntityTypeConfiguration<Hall>
{
    public void Configure(EntityTypeBuilder<Hall> b)
    {
        b.ToTable("halls");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.Address).HasMaxLength(300);
        b.HasIndex(x => new { x.AgencyId, x.Name }).IsUnique();
        b.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ServiceWindowConfiguration : IEntityTypeConfiguration<ServiceWindow>
{
    public void Configure(EntityTypeBuilder<ServiceWindow> b)
    {
        b.ToTable("windows");
        b.HasKey(x => x.Id);
        b.Property(x => x.Number).HasMaxLength(32);
        b.Property(x => x.Name).HasMaxLength(100);
        b.HasIndex(x => new { x.HallId, x.Number }).IsUnique();
        b.HasOne<Hall>().WithMany().HasForeignKey(x => x.HallId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class StaffConfiguration : IEntityTypeConfiguration<Staff>
{
    public void Configure(EntityTypeBuilder<Staff> b)
    {
        b.ToTable("staff");
        b.HasKey(x => x.Id);
        b.Property(x => x.EmployeeNo).HasMaxLength(32);
        b.Property(x => x.Name).HasMaxLength(50);
        b.HasIndex(x => new { x.AgencyId, x.EmployeeNo }).IsUnique();
        b.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ServiceItemConfiguration : IEntityTypeConfiguration<ServiceItem>
{
    public void Configure(EntityTypeBuilder<ServiceItem> b)
    {
        b.ToTable("service_items");
        b.HasKey(x => x.Id);
        b.Property(x => x.ItemCode).HasMaxLength(40);
        b.HasIndex(x => x.ItemCode).IsUnique();
        b.Property(x => x.Name).HasMaxLength(200);
        b.Property(x => x.ItemType).HasMaxLength(2);
        b.HasIndex(x => x.AgencyId);
        b.HasOne(x => x.Agency).WithMany().HasForeignKey(x => x.AgencyId).OnDelete(DeleteBehavior.Restrict);
    }
}
