using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class HandlingCounters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ItemId",
                table: "work_orders",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<bool>(
                name: "RatingExcluded",
                table: "work_orders",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "handling_counters",
                columns: table => new
                {
                    Day = table.Column<int>(type: "integer", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    BadRatings = table.Column<long>(type: "bigint", nullable: false),
                    Replied = table.Column<long>(type: "bigint", nullable: false),
                    Founded = table.Column<long>(type: "bigint", nullable: false),
                    Rectified = table.Column<long>(type: "bigint", nullable: false),
                    Answered = table.Column<long>(type: "bigint", nullable: false),
                    Satisfied = table.Column<long>(type: "bigint", nullable: false),
                    Closed = table.Column<long>(type: "bigint", nullable: false),
                    ClosedOnTime = table.Column<long>(type: "bigint", nullable: false),
                    Overdue = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_handling_counters", x => new { x.AgencyId, x.Day, x.ItemId });
                });

            migrationBuilder.CreateTable(
                name: "rating_counters_monthly",
                columns: table => new
                {
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    StaffId = table.Column<Guid>(type: "uuid", nullable: false),
                    Channel = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    Month = table.Column<int>(type: "integer", nullable: false),
                    Finished = table.Column<long>(type: "bigint", nullable: false),
                    FinishedRated = table.Column<long>(type: "bigint", nullable: false),
                    Active = table.Column<long>(type: "bigint", nullable: false),
                    A1 = table.Column<long>(type: "bigint", nullable: false),
                    A2 = table.Column<long>(type: "bigint", nullable: false),
                    A3 = table.Column<long>(type: "bigint", nullable: false),
                    A4 = table.Column<long>(type: "bigint", nullable: false),
                    A5 = table.Column<long>(type: "bigint", nullable: false),
                    Defaults = table.Column<long>(type: "bigint", nullable: false),
                    Excluded = table.Column<long>(type: "bigint", nullable: false),
                    FollowUps = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rating_counters_monthly", x => new { x.AgencyId, x.Month, x.ItemId, x.StaffId, x.Channel });
                });

            // Existing data: work orders learn their item and exclusion, and the new counters start equal to a
            // recount (the rule of HandlingCounters.Contribution; days in Asia/Shanghai, UTC+8 all year).
            migrationBuilder.Sql("""
                UPDATE work_orders SET "ItemId" = (SELECT c."ItemId" FROM cases c WHERE c."Id" = work_orders."CaseId"), "RatingExcluded" = (SELECT r."Excluded" FROM ratings r WHERE r."Id" = work_orders."RatingId");
                """);
            migrationBuilder.Sql("""
                INSERT INTO rating_counters_monthly ("AgencyId", "Month", "ItemId", "StaffId", "Channel", "Finished", "FinishedRated", "Active", "A1", "A2", "A3", "A4", "A5", "Defaults", "Excluded", "FollowUps")
                SELECT "AgencyId", "Day" / 100, "ItemId", "StaffId", "Channel", SUM("Finished"), SUM("FinishedRated"), SUM("Active"), SUM("A1"), SUM("A2"), SUM("A3"), SUM("A4"), SUM("A5"), SUM("Defaults"), SUM("Excluded"), SUM("FollowUps")
                FROM rating_counters GROUP BY "AgencyId", "Day" / 100, "ItemId", "StaffId", "Channel";
                """);
            migrationBuilder.Sql("""
                INSERT INTO handling_counters ("AgencyId", "Day", "ItemId", "BadRatings", "Replied", "Founded", "Rectified", "Answered", "Satisfied", "Closed", "ClosedOnTime", "Overdue")
                SELECT "AgencyId", CAST(to_char("CreatedAt" AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') AS integer), "ItemId", COUNT(*),
                  SUM(CASE WHEN "RepliedAt" IS NOT NULL THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "Verification" IN ('Founded', 'PartlyFounded') THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "Verification" IN ('Founded', 'PartlyFounded') AND "Rectified" THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "Satisfaction" IS NOT NULL THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "Satisfaction" IN ('Satisfied', 'BasicallySatisfied') THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "ClosedAt" IS NOT NULL THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "ClosedOnTime" THEN 1 ELSE 0 END),
                  SUM(CASE WHEN "OverdueAt" IS NOT NULL AND "State" <> 'Closed' THEN 1 ELSE 0 END)
                FROM work_orders WHERE NOT "RatingExcluded" GROUP BY "AgencyId", CAST(to_char("CreatedAt" AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') AS integer), "ItemId";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "handling_counters");

            migrationBuilder.DropTable(
                name: "rating_counters_monthly");

            migrationBuilder.DropColumn(
                name: "ItemId",
                table: "work_orders");

            migrationBuilder.DropColumn(
                name: "RatingExcluded",
                table: "work_orders");
        }
    }
}
