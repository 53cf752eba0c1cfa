using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Pingjia.Data.Audit;

/// <summary>
/// One change of state. Entries are chained: <see cref="Hash"/> covers the entry and <see cref="PrevHash"/>,
/// so editing or deleting any entry breaks every hash after it.
/// </summary>
public sealed class AuditEntry
{
    /// <summary>Gapless position in the chain, assigned under the head's lock.</summary>
    public long Sequence { get; set; }

    public Guid Id { get; set; }

    public DateTime At { get; set; }

    public required string Actor { get; set; }

    public required string Action { get; set; }

    public required string EntityType { get; set; }

    public required string EntityId { get; set; }

    /// <summary>JSON of what changed; never personal data in clear.</summary>
    public required string Data { get; set; }

    public required string PrevHash { get; set; }

    public required string Hash { get; set; }
}

/// <summary>The single row that serialises appends and remembers the chain's end (so truncation is detectable).</summary>
public sealed class AuditHead
{
    public int Id { get; set; }

    public long Sequence { get; set; }

    public required string Hash { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("audit_entries");
        b.HasKey(x => x.Sequence);
        b.Property(x => x.Sequence).ValueGeneratedNever();
        b.Property(x => x.Actor).HasMaxLength(100);
        b.Property(x => x.Action).HasMaxLength(64);
        b.Property(x => x.EntityType).HasMaxLength(64);
        b.Property(x => x.EntityId).HasMaxLength(64);
        b.Property(x => x.PrevHash).HasMaxLength(64);
        b.Property(x => x.Hash).HasMaxLength(64);
        b.HasIndex(x => new { x.EntityType, x.EntityId });
    }
}

internal sealed class AuditHeadConfiguration : IEntityTypeConfiguration<AuditHead>
{
    public void Configure(EntityTypeBuilder<AuditHead> b)
    {
        b.ToTable("audit_head");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Hash).HasMaxLength(64);
        b.HasData(new AuditHead { Id = 1, Sequence = 0, Hash = AuditGenesis.Hash });
    }
}

/// <summary>The hash before the first entry.</summary>
public static class AuditGenesis
{
    public const string Hash = "0000000000000000000000000000000000000000000000000000000000000000";
}
