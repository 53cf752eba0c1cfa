using Npgsql;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Tests.Infrastructure;

public sealed class DatabaseTests
{
    [Fact]
    public void WithPostgresDefaults_NoSetting_PreparesAutomaticallyAndKeepsSessions()
    {
        var built = new NpgsqlConnectionStringBuilder(Database.WithPostgresDefaults("Host=127.0.0.1;Port=5432;Database=p;Username=u"));
        Assert.Equal(64, built.MaxAutoPrepare);
        Assert.True(built.NoResetOnClose);
        Assert.Equal("p", built.Database);
    }

    [Theory]
    [InlineData("Host=h;Max Auto Prepare=0")]
    [InlineData("Host=h;MaxAutoPrepare=0")]
    public void WithPostgresDefaults_ExplicitAutoPrepare_Wins(string connectionString) =>
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(Database.WithPostgresDefaults(connectionString)).MaxAutoPrepare);

    [Theory]
    [InlineData("Host=h;No Reset On Close=false")]
    [InlineData("Host=h;NoResetOnClose=false")]
    public void WithPostgresDefaults_ExplicitReset_Wins(string connectionString) =>
        Assert.False(new NpgsqlConnectionStringBuilder(Database.WithPostgresDefaults(connectionString)).NoResetOnClose);
}
