using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CaseRatingStates : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ratings_cases_CaseId",
                table: "ratings");

            migrationBuilder.DropForeignKey(
                name: "FK_window_current_cases_cases_CaseId",
                table: "window_current_cases");

            migrationBuilder.CreateTable(
                name: "case_rating_states",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    HasActiveRating = table.Column<bool>(type: "INTEGER", nullable: false),
                    DefaultedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ReminderSentAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_rating_states", x => x.Id);
                    table.ForeignKey(
                        name: "FK_case_rating_states_cases_Id",
                        column: x => x.Id,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            // Every case gets its row, with the values it had: rated, defaulted and reminded cases stay so.
            migrationBuilder.Sql("""
                INSERT INTO case_rating_states ("Id", "HasActiveRating", "DefaultedAt", "ReminderSentAt")
                SELECT "Id", "HasActiveRating", "DefaultedAt", "ReminderSentAt" FROM cases
                """);

            migrationBuilder.DropColumn(
                name: "DefaultedAt",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "HasActiveRating",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "ReminderSentAt",
                table: "cases");

            migrationBuilder.AddForeignKey(
                name: "FK_ratings_case_rating_states_CaseId",
                table: "ratings",
                column: "CaseId",
                principalTable: "case_rating_states",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_window_current_cases_case_rating_states_CaseId",
                table: "window_current_cases",
                column: "CaseId",
                principalTable: "case_rating_states",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ratings_case_rating_states_CaseId",
                table: "ratings");

            migrationBuilder.DropForeignKey(
                name: "FK_window_current_cases_case_rating_states_CaseId",
                table: "window_current_cases");


            migrationBuilder.AddColumn<DateTime>(
                name: "DefaultedAt",
                table: "cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "HasActiveRating",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTime>(
                name: "ReminderSentAt",
                table: "cases",
                type: "TEXT",
                nullable: true);


            migrationBuilder.Sql("""
                UPDATE cases SET "HasActiveRating" = s."HasActiveRating", "DefaultedAt" = s."DefaultedAt", "ReminderSentAt" = s."ReminderSentAt"
                FROM case_rating_states AS s WHERE s."Id" = cases."Id"
                """);

            // SQLite rebuilds ratings and window_current_cases (their foreign keys) only at the end of the migration, so
            // they still refer to this table here: without this, dropping it would first delete it row by row, which
            // their foreign keys refuse (ratings) or follow (window_current_cases). The rebuild turns the checks back on.
            migrationBuilder.Sql("PRAGMA foreign_keys = 0;", suppressTransaction: true);
            migrationBuilder.DropTable(
                name: "case_rating_states");

            migrationBuilder.AddForeignKey(
                name: "FK_ratings_cases_CaseId",
                table: "ratings",
                column: "CaseId",
                principalTable: "cases",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_window_current_cases_cases_CaseId",
                table: "window_current_cases",
                column: "CaseId",
                principalTable: "cases",
                principalColumn: "Id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
