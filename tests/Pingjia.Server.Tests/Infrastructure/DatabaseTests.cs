using Npgsql;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Tests.Infrastructure;

public sealed class DatabaseTests
{
    [Fact]
    public void WithAutoPrepare_NoSetting_PreparesAutomatically()
    {
        var built = new NpgsqlConnectionStringBuilder(Database.WithAutoPrepare("Host=127.0.0.1;Port=5432;Database=p;Username=u"));
        Assert.Equal(64, built.MaxAutoPrepare);
        Assert.Equal("p", built.Database);
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0")]
    [InlineData("Host=h;MaxAutoPrepare=0")]
    public void WithAutoPrepare_ExplicitSetting_Wins(string connectionString) =>
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(Database.WithAutoPrepare(connectionString)).MaxAutoPrepare);
}
