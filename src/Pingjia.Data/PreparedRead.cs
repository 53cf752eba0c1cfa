using System.Collections.Concurrent;
using System.Linq.Expressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingjia.Data;

/// <summary>
/// One hot single-row read (an entity by a key, plus extra scalar columns) kept prepared on SQLite.
/// Microsoft.Data.Sqlite prepares a statement on every execution and drops it when the connection closes, and for a
/// wide row preparing costs more than running it. Here a few read connections stay open, each with the statement
/// prepared once. In WAL mode every execution reads the latest committed state, as a fresh connection would.
/// Entity columns are read with the model's own type mappings and value converters, so the entity is the one EF Core
/// would materialise (untracked). On other providers <see cref="ReadAsync"/> returns <c>null</c> and the caller
/// uses its EF query (PostgreSQL prepares automatically through Npgsql).
/// </summary>
/// <param name="sql">
/// Makes the query (once, from the first context): its select list starts with <see cref="Columns"/>, it reads
/// <see cref="From"/>, its one parameter is <c>@key</c>, and <paramref name="extraColumns"/> more columns may follow.
/// </param>
/// <param name="extraColumns">How many columns follow the entity's.</param>
public sealed class PreparedRead<T>(Func<DbContext, string> sql, int extraColumns) : IDisposable
    where T : class
{
    private const int MaxIdle = 16;
    private static readonly ConcurrentDictionary<IModel, Reader> Readers = new();
    private readonly ConcurrentBag<(SqliteConnection Connection, SqliteCommand Command)> _idle = [];
    private string? _sql;

    /// <summary>The entity's columns, qualified by the aliases of <see cref="From"/>, in the order they are read.</summary>
    public static string Columns(DbContext db, string alias) =>
        string.Join(", ", ReaderFor(db).Columns.Select(c => $"{TableAlias(alias, c.Table)}.{c.Name}"));

    /// <summary>
    /// The entity's table as <paramref name="alias"/>, joined to the tables it is split into (entity splitting), each as
    /// <paramref name="alias"/> followed by its number.
    /// </summary>
    public static string From(DbContext db, string alias)
    {
        var reader = ReaderFor(db);
        var from = $"{reader.Tables[0]} AS {alias}";
        for (var t = 1; t < reader.Tables.Length; t++)
        {
            var on = string.Join(" AND ", reader.Keys[t].Select((k, i) => $"{alias}{t}.{k} = {alias}.{reader.Keys[0][i]}"));
            from += $" INNER JOIN {reader.Tables[t]} AS {alias}{t} ON {on}";
        }

        return from;
    }

    private static string TableAlias(string alias, int table) => table == 0 ? alias : alias + table;

    /// <summary>The first row as an untracked entity and the extra columns, or <c>(null, …)</c> when no row matched; <c>null</c> when not on SQLite.</summary>
    public async Task<(T? Entity, object?[] Extra)?> ReadAsync(PingjiaDbContext db, string key, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            return null;
        }

        var reader = ReaderFor(db);
        var text = _sql ??= sql(db);
        if (!_idle.TryTake(out var slot))
        {
            var connection = new SqliteConnection(db.Database.GetConnectionString());
            await connection.OpenAsync(ct);
            using (var pragma = connection.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout=30000;";
                await pragma.ExecuteNonQueryAsync(ct);
            }

            var command = connection.CreateCommand();
            command.CommandText = text;
            command.Parameters.Add(new SqliteParameter("@key", SqliteType.Text));
            command.Prepare();
            slot = (connection, command);
        }

        var keep = false;
        try
        {
            slot.Command.Parameters[0].Value = key;
            await using var rows = await slot.Command.ExecuteReaderAsync(ct);
            var extra = new object?[extraColumns];
            T? entity = null;
            if (await rows.ReadAsync(ct))
            {
                entity = reader.Read(rows);
                for (var i = 0; i < extraColumns; i++)
                {
                    var ordinal = reader.Columns.Length + i;
                    extra[i] = rows.IsDBNull(ordinal) ? null : rows.GetValue(ordinal);
                }
            }

            keep = true;
            return (entity, extra);
        }
        finally
        {
            if (keep && _idle.Count < MaxIdle)
            {
                _idle.Add(slot);
            }
            else
            {
                slot.Command.Dispose();
                slot.Connection.Dispose();
            }
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var slot))
        {
            slot.Command.Dispose();
            slot.Connection.Dispose();
        }
    }

    private static Reader ReaderFor(DbContext db) => Readers.GetOrAdd(db.Model, _ => Reader.Create(db));

    private sealed class Reader(
        string[] tables, string[][] keys, (int Table, string Name)[] columns, Func<SqliteDataReader, int, object?>[] reads, Action<object, object?>[] sets, Func<object> create)
    {
        /// <summary>The main table, then the tables the entity is split into (delimited).</summary>
        public string[] Tables { get; } = tables;

        /// <summary>The primary key's columns in each of <see cref="Tables"/> (delimited).</summary>
        public string[][] Keys { get; } = keys;

        /// <summary>Each property's table (an index into <see cref="Tables"/>) and column (delimited), in reading order.</summary>
        public (int Table, string Name)[] Columns { get; } = columns;

        public T Read(SqliteDataReader row)
        {
            var entity = create();
            for (var i = 0; i < reads.Length; i++)
            {
                sets[i](entity, row.IsDBNull(i) ? null : reads[i](row, i));
            }

            return (T)entity;
        }

        public static Reader Create(DbContext db)
        {
            var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model.");
            var sql = db.GetService<ISqlGenerationHelper>();
            StoreObjectIdentifier[] tables =
            [
                StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema()),
                .. entityType.GetMappingFragments(StoreObjectType.Table).Select(f => f.StoreObject),
            ];
            var key = entityType.FindPrimaryKey()!.Properties;
            var names = new List<(int, string)>();
            var reads = new List<Func<SqliteDataReader, int, object?>>();
            var sets = new List<Action<object, object?>>();
            foreach (var p in entityType.GetProperties())
            {
                var property = p.PropertyInfo ?? throw new InvalidOperationException($"{typeof(T).Name}.{p.Name} has no CLR property.");
                var mapping = p.GetRelationalTypeMapping();
                var converter = mapping.Converter;
                var stored = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? mapping.ClrType) ?? converter?.ProviderClrType ?? mapping.ClrType;
                var read = ReadAs(stored);
                // The first table that has the column: the key is read from the main table, every other column has one.
                var t = Array.FindIndex(tables, x => p.GetColumnName(x) is not null);
                names.Add((t, sql.DelimitIdentifier(p.GetColumnName(tables[t])!)));
                reads.Add(converter is null ? read : (row, i) => converter.ConvertFromProvider(read(row, i)));
                sets.Add(Setter(property));
            }

            var create = Expression.Lambda<Func<object>>(Expression.Convert(Expression.New(typeof(T)), typeof(object))).Compile();
            return new Reader(
                [.. tables.Select(t => sql.DelimitIdentifier(t.Name, t.Schema))],
                [.. tables.Select(t => key.Select(k => sql.DelimitIdentifier(k.GetColumnName(t)!)).ToArray())],
                [.. names], [.. reads], [.. sets], create);
        }

        private static Func<SqliteDataReader, int, object?> ReadAs(Type stored) => stored switch
        {
            _ when stored == typeof(string) => (r, i) => r.GetString(i),
            _ when stored == typeof(Guid) => (r, i) => r.GetGuid(i),
            _ when stored == typeof(DateTime) => (r, i) => r.GetDateTime(i),
            _ when stored == typeof(DateTimeOffset) => (r, i) => r.GetDateTimeOffset(i),
            _ when stored == typeof(bool) => (r, i) => r.GetBoolean(i),
            _ when stored == typeof(int) => (r, i) => r.GetInt32(i),
            _ when stored == typeof(long) => (r, i) => r.GetInt64(i),
            _ when stored == typeof(decimal) => (r, i) => r.GetDecimal(i),
            _ when stored == typeof(double) => (r, i) => r.GetDouble(i),
            _ when stored == typeof(byte[]) => (r, i) => r.GetFieldValue<byte[]>(i),
            _ when stored == typeof(DateOnly) => (r, i) => r.GetFieldValue<DateOnly>(i),
            _ => throw new NotSupportedException($"{typeof(T).Name}: columns stored as {stored.Name} are not read by {nameof(PreparedRead<T>)}."),
        };

        private static Action<object, object?> Setter(System.Reflection.PropertyInfo property)
        {
            var entity = Expression.Parameter(typeof(object));
            var value = Expression.Parameter(typeof(object));
            var assign = Expression.Assign(Expression.Property(Expression.Convert(entity, typeof(T)), property), Expression.Convert(value, property.PropertyType));
            return Expression.Lambda<Action<object, object?>>(assign, entity, value).Compile();
        }
    }
}
