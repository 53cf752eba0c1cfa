using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class CasesFillFactor70 : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Pages written from now on keep 30 % free for heap-only claims (see PingjiaDbContext); pages already
            // full change only when the table is rewritten (VACUUM FULL, or pg_repack online), which is left to the operator.
            migrationBuilder.AlterTable(
                name: "cases")
                .Annotation("Npgsql:StorageParameter:fillfactor", 70)
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 85);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "cases")
                .Annotation("Npgsql:StorageParameter:fillfactor", 85)
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 70);
        }
    }
}
