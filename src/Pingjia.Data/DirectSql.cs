using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingjia.Data;

/// <summary>
/// Statements that run in every transaction of a hot path (the rating writer's claim and counters, the audit
/// chain's head), sent as plain commands on the context's connection and current transaction. Through EF's raw-SQL
/// API each cost more client CPU than the database spent on it (query-cache keys, a composed query for SqlQuery,
/// diagnostics). Values are still bound with the model's type mappings, so they are stored and compared exactly as
/// EF stores them (a Guid as upper-case text on SQLite, a UTC timestamp on PostgreSQL).
/// Placeholders are <c>@p0</c>, <c>@p1</c> … in the order of the values; every value is a parameter.
/// </summary>
public static class DirectSql
{
    private static readonly ConcurrentDictionary<(IModel, Type), RelationalTypeMapping> Mappings = new();

    /// <summary>The placeholder of the value at <paramref name="index"/>.</summary>
    public static string Placeholder(int index) => index < Names.Length ? Names[index] : "@p" + index;

    private static readonly string[] Names = [.. Enumerable.Range(0, 512).Select(i => "@p" + i)];

    /// <summary>Runs a statement that returns no rows; the number of rows it changed.</summary>
    public static async Task<int> ExecuteAsync(this PingjiaDbContext db, string sql, IReadOnlyList<object> values, CancellationToken ct)
    {
        await db.Database.OpenConnectionHereAsync(ct);
        try
        {
            await using var command = Create(db, sql, values);
            return BlockingIo.Here ? command.ExecuteNonQuery() : await command.ExecuteNonQueryAsync(ct);
        }
        finally
        {
            await db.Database.CloseConnectionHereAsync();
        }
    }

    /// <summary>Runs a statement and reads every row it returns with <paramref name="read"/>.</summary>
    public static async Task<List<T>> QueryAsync<T>(this PingjiaDbContext db, string sql, IReadOnlyList<object> values, Func<DbDataReader, T> read, CancellationToken ct)
    {
        await db.Database.OpenConnectionHereAsync(ct);
        try
        {
            await using var command = Create(db, sql, values);
            var rows = BlockingIo.Here ? command.ExecuteReader() : await command.ExecuteReaderAsync(ct);
            try
            {
                return await ReadAllAsync(rows, read, ct);
            }
            finally
            {
                await rows.DisposeHereAsync();
            }
        }
        finally
        {
            await db.Database.CloseConnectionHereAsync();
        }
    }

    /// <summary>Runs <paramref name="query"/> and reads every row it returns.</summary>
    public static Task<List<T>> QueryAsync<T>(this PingjiaDbContext db, Query<T> query, CancellationToken ct) =>
        db.QueryAsync(query.Sql, query.Values, query.Read, ct);

    /// <summary>
    /// Runs two statements that return rows, in this order and in the current transaction: on PostgreSQL in one round
    /// trip (a batch, each statement keeping its own parameters), elsewhere one after the other.
    /// </summary>
    public static async Task<(List<T1> First, List<T2> Second)> QueryBothAsync<T1, T2>(this PingjiaDbContext db, Query<T1> first, Query<T2> second, CancellationToken ct)
    {
        if (!db.IsPostgres)
        {
            return (await db.QueryAsync(first, ct), await db.QueryAsync(second, ct));
        }

        await db.Database.OpenConnectionHereAsync(ct);
        try
        {
            var connection = db.Database.GetDbConnection();
            await using var batch = connection.CreateBatch();
            await using var factory = connection.CreateCommand();
            batch.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var (sql, values) in (ReadOnlySpan<(string, IReadOnlyList<object>)>)[(first.Sql, first.Values), (second.Sql, second.Values)])
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = sql;
                AddParameters(db, command.Parameters, factory, values);
                batch.BatchCommands.Add(command);
            }

            var rows = BlockingIo.Here ? batch.ExecuteReader() : await batch.ExecuteReaderAsync(ct);
            try
            {
                var a = await ReadAllAsync(rows, first.Read, ct);
                _ = BlockingIo.Here ? rows.NextResult() : await rows.NextResultAsync(ct);
                return (a, await ReadAllAsync(rows, second.Read, ct));
            }
            finally
            {
                await rows.DisposeHereAsync(); // reads the batch's last replies
            }
        }
        finally
        {
            await db.Database.CloseConnectionHereAsync();
        }
    }

    private static async Task<List<T>> ReadAllAsync<T>(DbDataReader rows, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var list = new List<T>();
        while (BlockingIo.Here ? rows.Read() : await rows.ReadAsync(ct))
        {
            list.Add(read(rows));
        }

        return list;
    }

    /// <summary>
    /// Adds <c>@p0</c>, <c>@p1</c> … for <paramref name="values"/> to <paramref name="target"/>, each made by the model's
    /// type mapping for its type through <paramref name="factory"/> (EF's mappings make parameters through a command).
    /// </summary>
    internal static void AddParameters(PingjiaDbContext db, DbParameterCollection target, DbCommand factory, IReadOnlyList<object> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            var mapping = Mappings.GetOrAdd((db.Model, values[i].GetType()), static (key, db) =>
                db.GetService<IRelationalTypeMappingSource>().FindMapping(key.Item2)
                ?? throw new InvalidOperationException($"No type mapping for {key.Item2}."), db);
            target.Add(mapping.CreateParameter(factory, Placeholder(i), values[i], nullable: false));
        }
    }

    private static DbCommand Create(PingjiaDbContext db, string sql, IReadOnlyList<object> values)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        AddParameters(db, command.Parameters, command, values);
        return command;
    }
}

/// <summary>A statement that returns rows: its text (placeholders <c>@p0</c> …), its values, and how to read a row.</summary>
public sealed record Query<T>(string Sql, IReadOnlyList<object> Values, Func<DbDataReader, T> Read);
