using Pingjia.Data;
using Pingjia.Server.Features.Access;

namespace Pingjia.Server.Infrastructure;

/// <summary>Before the server takes requests: migrate the database, then make sure an administrator exists.</summary>
internal sealed class StartupTasks(IServiceProvider services, PingjiaOptions options, TimeProvider time) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PingjiaDbContext>();
        await Database.MigrateAsync(db, cancellationToken);
        await Features.Ratings.RatingConfigApi.SeedAsync(db, time, cancellationToken);
        await Features.WorkOrders.CalendarStore.SeedAsync(db, time, cancellationToken);
        await Bootstrap.EnsureAdminAsync(db, options, time, Console.Out, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
