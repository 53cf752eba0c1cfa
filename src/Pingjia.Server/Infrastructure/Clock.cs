namespace Pingjia.Server.Infrastructure;

/// <summary>Time and identity as the application makes them.</summary>
public static class Clock
{
    /// <summary>
    /// Now in UTC, cut to whole microseconds: PostgreSQL keeps microseconds, so a value that is hashed
    /// (audit) or compared after a round trip must not carry finer ticks.
    /// </summary>
    public static DateTime UtcNow(this TimeProvider time)
    {
        var ticks = time.GetUtcNow().UtcTicks;
        return new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
    }

    /// <summary>A UUIDv7 made by the application, time-ordered so inserts stay at the end of the index.</summary>
    public static Guid NewId(this TimeProvider time) => Guid.CreateVersion7(time.GetUtcNow());
}
