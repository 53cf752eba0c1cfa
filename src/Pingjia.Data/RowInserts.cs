using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Pingjia.Data;

/// <summary>
/// Inserts new rows of one entity type with <c>INSERT … VALUES</c> statements (one row each on SQLite, many rows each
/// elsewhere, see <c>RowsPerStatement</c>), or in a PostgreSQL batch with one statement of arrays (<see cref="AddTo"/>),
/// without change tracking. For hot append-only paths (ratings and audit entries written by the rating group commit), where
/// <c>SaveChanges</c> spends more time generating SQL and tracking entities than the database spends writing.
/// Columns, names and value conversions come from the EF model and its type mappings, so rows are stored exactly
/// as <c>SaveChanges</c> would store them, on every provider. Runs inside the context's current transaction.
/// </summary>
public static class RowInserts
{
    // SQLite allows 32,766 parameters per statement and PostgreSQL 65,535; smaller statements keep prepare cheap.
    private const int MaxParameters = 4000;

    private static readonly ConcurrentDictionary<(IModel, Type), InsertPlan> Plans = new();

    public static async Task InsertRowsAsync<T>(this PingjiaDbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var plan = Plans.GetOrAdd((db.Model, typeof(T)), static (key, db) => InsertPlan.Create(db, key.Item2), db);
        var perStatement = plan.RowsPerStatement;
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            DbCommand? command = null;
            try
            {
                for (var start = 0; start < rows.Count; start += perStatement)
                {
                    var count = Math.Min(perStatement, rows.Count - start);
                    var text = plan.Sql(count);
                    if (command?.CommandText != text)
                    {
                        // The same text keeps the same prepared statement; only its parameters change.
                        await (command?.DisposeAsync() ?? ValueTask.CompletedTask);
                        command = db.Database.GetDbConnection().CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = text;
                    }

                    command.Parameters.Clear();
                    plan.AddParameters(command.Parameters, command, rows, start, count);

                    try
                    {
                        await command.ExecuteNonQueryAsync(ct);
                    }
                    catch (DbException e)
                    {
                        // As SaveChanges reports it, so callers handle a unique violation the same way on both paths.
                        throw new DbUpdateException($"Inserting {typeof(T).Name} rows failed: {e.Message}", e);
                    }
                }
            }
            finally
            {
                await (command?.DisposeAsync() ?? ValueTask.CompletedTask);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// The same rows as <see cref="InsertRowsAsync"/>, added to a PostgreSQL batch instead of run: one statement that
    /// takes each column as one array (<c>INSERT … SELECT * FROM unnest(@c0, @c1, …)</c>). Its text is the same
    /// whatever the number of rows, so Npgsql keeps it prepared and PostgreSQL plans it once; a <c>VALUES</c> list has a
    /// text per row count, and planning those cost the writer's backend about a quarter of its time (2026-12-06).
    /// </summary>
    internal static void AddTo<T>(PingjiaDbContext db, IReadOnlyList<T> rows, Func<string, DbBatchCommand> newCommand)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var plan = Plans.GetOrAdd((db.Model, typeof(T)), static (key, db) => InsertPlan.Create(db, key.Item2), db);
        plan.AddArrays(newCommand(plan.UnnestSql).Parameters, rows);
    }

    private sealed record Column(RelationalTypeMapping Mapping, Func<object, object?> Get, bool Nullable)
    {
        /// <summary>The type of the column's values as the database driver takes them (after the model's conversion).</summary>
        public Type ProviderType { get; } = Mapping.Converter?.ProviderClrType ?? Mapping.ClrType;

        /// <summary>The element type of the column's array: nullable for a value type that may be null.</summary>
        public Type ElementType => ProviderType.IsValueType && Nullable && System.Nullable.GetUnderlyingType(ProviderType) is null
            ? typeof(Nullable<>).MakeGenericType(ProviderType)
            : ProviderType;
    }

    private sealed class InsertPlan
    {
        private readonly string _head;
        private readonly string[][] _names;
        private readonly ConcurrentDictionary<int, string> _sql = new();

        private InsertPlan(string head, Column[] columns, int rowsPerStatement, ISqlGenerationHelper sql)
        {
            _head = head;
            _arrayNames = [.. Enumerable.Range(0, columns.Length).Select(c => sql.GenerateParameterNamePlaceholder($"c{c}"))];
            UnnestSql = $"{head[..^" VALUES".Length]} SELECT * FROM unnest({string.Join(", ", _arrayNames)})";
            Columns = columns;
            RowsPerStatement = rowsPerStatement;
            // The placeholder itself (@p3_7) names the parameter: Microsoft.Data.Sqlite then finds it at the first try
            // instead of trying each prefix with a new string, and Npgsql accepts the prefix too.
            _names = [.. Enumerable.Range(0, rowsPerStatement).Select(r =>
                Enumerable.Range(0, columns.Length).Select(c => sql.GenerateParameterNamePlaceholder($"p{r}_{c}")).ToArray())];
        }

        private readonly string[] _arrayNames;

        public Column[] Columns { get; }

        /// <summary>The insert of any number of rows from one array per column (PostgreSQL).</summary>
        public string UnnestSql { get; }

        /// <summary>The parameters of <see cref="UnnestSql"/>: per column, the values of every row as one typed array.</summary>
        public void AddArrays<T>(DbParameterCollection target, IReadOnlyList<T> rows)
            where T : class
        {
            for (var c = 0; c < Columns.Length; c++)
            {
                var column = Columns[c];
                var values = Array.CreateInstance(column.ElementType, rows.Count);
                for (var r = 0; r < rows.Count; r++)
                {
                    var value = column.Get(rows[r]);
                    values.SetValue(column.Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value, r);
                }

                // The array's type is named, not inferred: a DateTime array could otherwise go as timestamps without zone.
                target.Add(new Npgsql.NpgsqlParameter { ParameterName = _arrayNames[c], Value = values, DataTypeName = column.Mapping.StoreTypeNameBase + "[]" });
            }
        }

        /// <summary>
        /// SQLite binds parameters by name with a linear search per name, so a statement of many rows costs the square
        /// of its parameters: one row per statement, prepared once and rebound per row, is cheapest there (and costs
        /// no round trips). Elsewhere many rows per statement save round trips.
        /// </summary>
        public int RowsPerStatement { get; }

        /// <summary>The parameters of rows <paramref name="start"/> … for one statement of <paramref name="count"/> rows.</summary>
        public void AddParameters<T>(DbParameterCollection target, DbCommand factory, IReadOnlyList<T> rows, int start, int count)
            where T : class
        {
            for (var r = 0; r < count; r++)
            {
                var row = rows[start + r];
                for (var c = 0; c < Columns.Length; c++)
                {
                    var column = Columns[c];
                    target.Add(column.Mapping.CreateParameter(factory, _names[r][c], column.Get(row), column.Nullable));
                }
            }
        }

        public string Sql(int rows) => _sql.GetOrAdd(rows, static (n, plan) =>
        {
            var text = new StringBuilder(plan._head);
            for (var r = 0; r < n; r++)
            {
                text.Append(r == 0 ? "\n(" : ",\n(").AppendJoin(", ", plan._names[r]).Append(')');
            }

            return text.Append(';').ToString();
        }, this);

        public static InsertPlan Create(DbContext db, Type type)
        {
            var entity = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not in the model.");
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            var sql = db.GetService<ISqlGenerationHelper>();
            var columns = new List<Column>();
            var names = new List<string>();
            foreach (var p in entity.GetProperties())
            {
                // Values made by the store (defaults, computed columns, row versions) would need reading back: not supported.
                if (p.PropertyInfo is null || p.GetDefaultValueSql() is not null || p.GetComputedColumnSql() is not null || p.IsConcurrencyToken)
                {
                    throw new InvalidOperationException($"{type.Name}.{p.Name}: only plain properties with values set by the application can be inserted this way.");
                }

                names.Add(sql.DelimitIdentifier(p.GetColumnName(table)!));
                columns.Add(new Column(p.GetRelationalTypeMapping(), Getter(type, p.PropertyInfo), p.IsNullable));
            }

            var head = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", names)}) VALUES";
            var rowsPerStatement = db.Database.IsSqlite() ? 1 : Math.Max(1, MaxParameters / columns.Count);
            return new InsertPlan(head, [.. columns], rowsPerStatement, sql);
        }

        private static Func<object, object?> Getter(Type type, System.Reflection.PropertyInfo property)
        {
            var entity = Expression.Parameter(typeof(object));
            var body = Expression.Convert(Expression.Property(Expression.Convert(entity, type), property), typeof(object));
            return Expression.Lambda<Func<object, object?>>(body, entity).Compile();
        }
    }
}
