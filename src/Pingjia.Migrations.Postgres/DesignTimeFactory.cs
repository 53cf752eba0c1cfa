using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Pingjia.Data;

namespace Pingjia.Migrations.Postgres;

/// <summary>Lets <c>dotnet ef</c> build the model for PostgreSQL without a server.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<PingjiaDbContext>
{
    public PingjiaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PingjiaDbContext>()
            .UseNpgsql("Host=127.0.0.1;Database=pingjia_design", o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
            .Options);
}
