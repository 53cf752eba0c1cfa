using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RatingJobStage : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_RatingClosesAt",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_ReminderSentAt_RatingClosesAt",
                table: "cases");

            migrationBuilder.AddColumn<int>(
                name: "JobStage",
                table: "cases",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            // The stage of the cases already stored: what the jobs still have to do for each.
            migrationBuilder.Sql("""UPDATE cases SET "JobStage" = 2 WHERE "HasActiveRating" OR "DefaultedAt" IS NOT NULL;""");
            migrationBuilder.Sql("""UPDATE cases SET "JobStage" = 1 WHERE "JobStage" = 0 AND "ReminderSentAt" IS NOT NULL;""");

            migrationBuilder.CreateIndex(
                name: "IX_cases_JobStage_RatingClosesAt",
                table: "cases",
                columns: new[] { "JobStage", "RatingClosesAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_JobStage_RatingOpensAt",
                table: "cases",
                columns: new[] { "JobStage", "RatingOpensAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_JobStage_RatingClosesAt",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_JobStage_RatingOpensAt",
                table: "cases");

            migrationBuilder.DropColumn(
                name: "JobStage",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_RatingClosesAt",
                table: "cases",
                columns: new[] { "HasActiveRating", "DefaultedAt", "RatingClosesAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_ReminderSentAt_RatingClosesAt",
                table: "cases",
                columns: new[] { "HasActiveRating", "DefaultedAt", "ReminderSentAt", "RatingClosesAt" });
        }
    }
}
