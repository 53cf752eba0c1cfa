using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class JobIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_ReminderSentAt_RatingOpensAt",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_ReminderSentAt_RatingClosesAt",
                table: "cases",
                columns: new[] { "HasActiveRating", "DefaultedAt", "ReminderSentAt", "RatingClosesAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_ReminderSentAt_RatingClosesAt",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReminderSentAt_RatingOpensAt",
                table: "cases",
                columns: new[] { "ReminderSentAt", "RatingOpensAt" });
        }
    }
}
