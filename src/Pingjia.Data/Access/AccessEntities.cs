using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Pingjia.Domain.Access;

namespace Pingjia.Data.Access;

/// <summary>A person who signs in to the console.</summary>
public sealed class UserAccount
{
    public Guid Id { get; set; }

    public required string UserName { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>PBKDF2-SHA256 in the self-describing form <c>pbkdf2-sha256$iterations$salt$hash</c>.</summary>
    public required string PasswordHash { get; set; }

    public Role Role { get; set; }

    public Guid? ScopeRegionId { get; set; }

    public Guid? ScopeAgencyId { get; set; }

    public bool IsActive { get; set; } = true;

    public int FailedSignIns { get; set; }

    public DateTime? LockedUntil { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }
}

/// <summary>A key for business systems. Only a hash of the secret is kept; the key is shown once.</summary>
public sealed class ApiKey
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The public first part of the key, used to find the row without scanning.</summary>
    public required string Prefix { get; set; }

    public required string SecretHash { get; set; }

    public Role Role { get; set; }

    public Guid? ScopeRegionId { get; set; }

    public Guid? ScopeAgencyId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }
}

internal sealed class UserAccountConfiguration : IEntityTypeConfiguration<UserAccount>
{
    public void Configure(EntityTypeBuilder<UserAccount> b)
    {
        b.ToTable("users");
        b.HasKey(x => x.Id);
        b.Property(x => x.UserName).HasMaxLength(64);
        b.HasIndex(x => x.UserName).IsUnique();
        b.Property(x => x.DisplayName).HasMaxLength(100);
        b.Property(x => x.PasswordHash).HasMaxLength(200);
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(32);
    }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("api_keys");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(100);
        b.Property(x => x.Prefix).HasMaxLength(16);
        b.HasIndex(x => x.Prefix).IsUnique();
        b.Property(x => x.SecretHash).HasMaxLength(64);
        b.Property(x => x.Role).HasConversion<string>().HasMaxLength(32);
    }
}
