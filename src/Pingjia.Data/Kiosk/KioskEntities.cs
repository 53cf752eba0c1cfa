using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pingjia.Data.Catalog;

namespace Pingjia.Data.Kiosk;

/// <summary>The case just finished at a window, which the window's rating device (评价器) offers for rating; one per window.</summary>
public sealed class WindowCurrentCase
{
    public Guid WindowId { get; set; }

    public Guid CaseId { get; set; }

    public DateTime SetAt { get; set; }

    public required string SetBy { get; set; }
}

internal sealed class WindowCurrentCaseConfiguration : IEntityTypeConfiguration<WindowCurrentCase>
{
    public void Configure(EntityTypeBuilder<WindowCurrentCase> b)
    {
        b.ToTable("window_current_cases");
        b.HasKey(x => x.WindowId);
        b.Property(x => x.SetBy).HasMaxLength(100);
        b.HasOne<ServiceWindow>().WithOne().HasForeignKey<WindowCurrentCase>(x => x.WindowId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Ratings.Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
    }
}
