using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingjia.Data;

/// <summary>
/// Whether database calls on the current thread wait for the database by blocking instead of awaiting. A thread that
/// exists only for one serial loop (the rating writer's) loses nothing by blocking, and on PostgreSQL saves wake-ups:
/// an awaited reply wakes the sockets' event thread, then a pool thread that runs Npgsql's and EF's continuations,
/// then the loop's own thread, and on a busy machine each wake-up waits for a core; a blocking read is woken by the
/// kernel directly. Request threads never block. (Microsoft.Data.Sqlite runs synchronously either way.)
/// </summary>
public static class BlockingIo
{
    [ThreadStatic]
    private static bool t_allowed;

    /// <summary>True on a thread that called <see cref="AllowOnThisThread"/>.</summary>
    public static bool Here => t_allowed;

    /// <summary>Marks the calling thread as one that may block on database I/O; call it only on a thread of one's own.</summary>
    public static void AllowOnThisThread() => t_allowed = true;

    /// <summary>
    /// Disposes, blocking where <see cref="Here"/>. A data reader's disposal reads the rest of its replies (on
    /// PostgreSQL at least the ready-for-query message), so an awaited disposal is one more wait for the socket.
    /// </summary>
    public static ValueTask DisposeHereAsync<T>(this T resource)
        where T : IDisposable, IAsyncDisposable
    {
        if (!Here)
        {
            return resource.DisposeAsync();
        }

        resource.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Opens the context's connection (or counts one more use of it), blocking where <see cref="Here"/>.</summary>
    public static async Task OpenConnectionHereAsync(this DatabaseFacade database, CancellationToken ct)
    {
        if (Here)
        {
            database.OpenConnection();
        }
        else
        {
            await database.OpenConnectionAsync(ct);
        }
    }

    /// <summary>Closes the context's connection (or counts one use less), blocking where <see cref="Here"/>.</summary>
    public static async Task CloseConnectionHereAsync(this DatabaseFacade database)
    {
        if (Here)
        {
            database.CloseConnection();
        }
        else
        {
            await database.CloseConnectionAsync();
        }
    }

    /// <summary>Begins a transaction, blocking where <see cref="Here"/>.</summary>
    public static async Task<IDbContextTransaction> BeginTransactionHereAsync(this DatabaseFacade database, CancellationToken ct) =>
        Here ? database.BeginTransaction() : await database.BeginTransactionAsync(ct);

    /// <summary>Commits, blocking where <see cref="Here"/>.</summary>
    public static async Task CommitHereAsync(this IDbContextTransaction transaction, CancellationToken ct)
    {
        if (Here)
        {
            transaction.Commit();
        }
        else
        {
            await transaction.CommitAsync(ct);
        }
    }
}
