using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Pingjia.Data;

/// <summary>
/// Inserts new rows of one entity type without change tracking, for hot append-only paths (ratings and audit entries
/// written by the rating group commit), where <c>SaveChanges</c> spends more time generating SQL and tracking entities
/// than the database spends writing. On SQLite one row per <c>INSERT … VALUES</c> statement, prepared once and rebound
/// per row: SQLite binds parameters by name with a linear search per name, so a statement of many rows costs the
/// square of its parameters, and there are no round trips to save. On PostgreSQL one statement for any number of rows
/// that takes each column as one array (<c>INSERT … SELECT * FROM unnest(@c0, @c1, …)</c>): its text is the same
/// whatever the number of rows, so Npgsql keeps it prepared and PostgreSQL plans it once (a <c>VALUES</c> list has a
/// text per row count, and planning those cost the writer's backend about a quarter of its time, 2026-12-06).
/// Columns, names and value conversions come from the EF model and its type mappings, so rows are stored exactly
/// as <c>SaveChanges</c> would store them, on every provider. Runs inside the context's current transaction.
/// </summary>
public static class RowInserts
{
    private static readonly ConcurrentDictionary<(IModel, Type), InsertPlan> Plans = new();

    public static async Task InsertRowsAsync<T>(this PingjiaDbContext db, IReadOnlyList<T> rows, CancellationToken ct)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var plan = PlanFor<T>(db);
        await db.Database.OpenConnectionHereAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            if (db.IsPostgres)
            {
                command.CommandText = plan.UnnestSql;
                plan.AddArrays(command.Parameters, rows);
                await ExecuteAsync<T>(command, ct);
                return;
            }

            // The same text keeps the same prepared statement, and the same parameters are rebound with each row's values.
            command.CommandText = plan.RowSql;
            plan.AddParameters(command.Parameters, command, rows[0]);
            await ExecuteAsync<T>(command, ct);
            for (var r = 1; r < rows.Count; r++)
            {
                plan.SetValues(command.Parameters, rows[r]);
                await ExecuteAsync<T>(command, ct);
            }
        }
        finally
        {
            await db.Database.CloseConnectionHereAsync();
        }
    }

    /// <summary>The same rows as <see cref="InsertRowsAsync"/> on PostgreSQL, added to a batch instead of run.</summary>
    internal static void AddTo<T>(PingjiaDbContext db, IReadOnlyList<T> rows, Func<string, DbBatchCommand> newCommand)
        where T : class
    {
        if (rows.Count == 0)
        {
            return;
        }

        var plan = PlanFor<T>(db);
        plan.AddArrays(newCommand(plan.UnnestSql).Parameters, rows);
    }

    private static InsertPlan PlanFor<T>(PingjiaDbContext db) =>
        Plans.GetOrAdd((db.Model, typeof(T)), static (key, db) => InsertPlan.Create(db, key.Item2), db);

    private static async Task ExecuteAsync<T>(DbCommand command, CancellationToken ct)
    {
        try
        {
            _ = BlockingIo.Here ? command.ExecuteNonQuery() : await command.ExecuteNonQueryAsync(ct);
        }
        catch (DbException e)
        {
            // As SaveChanges reports it, so callers handle a unique violation the same way on both paths.
            throw new DbUpdateException($"Inserting {typeof(T).Name} rows failed: {e.Message}", e);
        }
    }

    private sealed record Column(RelationalTypeMapping Mapping, Func<object, object?> Get, bool Nullable)
    {
        private readonly ValueConverter? _converter = Mapping.Converter;

        /// <summary>The column's value in <paramref name="row"/> as the driver takes it: through the model's conversion, if any.</summary>
        public object? ProviderValue(object row)
        {
            var value = Get(row);
            return value is not null && _converter is not null ? _converter.ConvertToProvider(value) : value;
        }

        /// <summary>The type of the column's values as the database driver takes them (after the model's conversion).</summary>
        public Type ProviderType { get; } = Mapping.Converter?.ProviderClrType ?? Mapping.ClrType;

        /// <summary>The element type of the column's array: nullable for a value type that may be null.</summary>
        public Type ElementType => ProviderType.IsValueType && Nullable && System.Nullable.GetUnderlyingType(ProviderType) is null
            ? typeof(Nullable<>).MakeGenericType(ProviderType)
            : ProviderType;
    }

    private sealed class InsertPlan
    {
        private readonly string[] _names;
        private readonly string[] _arrayNames;

        private InsertPlan(string table, string columnList, Column[] columns, ISqlGenerationHelper sql)
        {
            Columns = columns;
            // The placeholder itself (@p7) names the parameter: Microsoft.Data.Sqlite then finds it at the first try
            // instead of trying each prefix with a new string, and Npgsql accepts the prefix too.
            _names = [.. Enumerable.Range(0, columns.Length).Select(c => sql.GenerateParameterNamePlaceholder($"p{c}"))];
            _arrayNames = [.. Enumerable.Range(0, columns.Length).Select(c => sql.GenerateParameterNamePlaceholder($"c{c}"))];
            RowSql = $"INSERT INTO {table} ({columnList}) VALUES ({string.Join(", ", _names)});";
            UnnestSql = $"INSERT INTO {table} ({columnList}) SELECT * FROM unnest({string.Join(", ", _arrayNames)})";
        }

        public Column[] Columns { get; }

        /// <summary>The insert of one row (SQLite).</summary>
        public string RowSql { get; }

        /// <summary>The insert of any number of rows from one array per column (PostgreSQL).</summary>
        public string UnnestSql { get; }

        /// <summary>The parameters of <see cref="RowSql"/> for <paramref name="row"/>.</summary>
        public void AddParameters<T>(DbParameterCollection target, DbCommand factory, T row)
            where T : class
        {
            for (var c = 0; c < Columns.Length; c++)
            {
                var column = Columns[c];
                target.Add(column.Mapping.CreateParameter(factory, _names[c], column.Get(row), column.Nullable));
            }
        }

        /// <summary>
        /// Sets the values of parameters made by <see cref="AddParameters"/> to those of <paramref name="row"/>: what
        /// the type mapping does for a new parameter (the model's conversion; null as <see cref="DBNull"/>), without
        /// making one. The parameter's type settings depend on its column only, so they stay as they were made.
        /// </summary>
        public void SetValues<T>(DbParameterCollection parameters, T row)
            where T : class
        {
            for (var c = 0; c < Columns.Length; c++)
            {
                parameters[c].Value = Columns[c].ProviderValue(row) ?? DBNull.Value;
            }
        }

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
                    values.SetValue(column.ProviderValue(rows[r]), r);
                }

                // The array's type is named, not inferred: a DateTime array could otherwise go as timestamps without zone.
                target.Add(new Npgsql.NpgsqlParameter { ParameterName = _arrayNames[c], Value = values, DataTypeName = column.Mapping.StoreTypeNameBase + "[]" });
            }
        }

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

            return new InsertPlan(sql.DelimitIdentifier(table.Name, table.Schema), string.Join(", ", names), [.. columns], sql);
        }

        private static Func<object, object?> Getter(Type type, System.Reflection.PropertyInfo property)
        {
            var entity = Expression.Parameter(typeof(object));
            var body = Expression.Convert(Expression.Property(Expression.Convert(entity, type), property), typeof(object));
            return Expression.Lambda<Func<object, object?>>(body, entity).Compile();
        }
    }
}
