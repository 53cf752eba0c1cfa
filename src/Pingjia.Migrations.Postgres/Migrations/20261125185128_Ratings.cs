using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Ratings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cases",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    StaffId = table.Column<Guid>(type: "uuid", nullable: true),
                    ServiceChannel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    CertificateNeeded = table.Column<bool>(type: "boolean", nullable: false),
                    BatchNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ThemeCode = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ThemeCaseNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ApplicantType = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    ApplicantNameEnc = table.Column<string>(type: "text", nullable: true),
                    IdType = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    IdNumberEnc = table.Column<string>(type: "text", nullable: true),
                    IdNumberIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    MobileEnc = table.Column<string>(type: "text", nullable: true),
                    MobileIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AcceptedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DecidedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CertificateSignedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ReceiptAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    EndedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    LastEventAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RatingOpensAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RatingClosesAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    RatingScope = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    EntryReason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ConfigVersion = table.Column<int>(type: "integer", nullable: false),
                    HasActiveRating = table.Column<bool>(type: "boolean", nullable: false),
                    DefaultedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ReminderSentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cases", x => x.Id);
                    table.ForeignKey(
                        name: "FK_cases_agencies_AgencyId",
                        column: x => x.AgencyId,
                        principalTable: "agencies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_cases_service_items_ItemId",
                        column: x => x.ItemId,
                        principalTable: "service_items",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_cases_staff_StaffId",
                        column: x => x.StaffId,
                        principalTable: "staff",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "rating_config_versions",
                columns: table => new
                {
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Document = table.Column<string>(type: "text", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rating_config_versions", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "rating_counters",
                columns: table => new
                {
                    Day = table.Column<int>(type: "integer", nullable: false),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    StaffId = table.Column<Guid>(type: "uuid", nullable: false),
                    Channel = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
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
                    table.PrimaryKey("PK_rating_counters", x => new { x.AgencyId, x.Day, x.ItemId, x.StaffId, x.Channel });
                });

            migrationBuilder.CreateTable(
                name: "sms_outbox",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: true),
                    Kind = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    MobileEnc = table.Column<string>(type: "text", nullable: false),
                    Body = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sms_outbox", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ratings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseId = table.Column<Guid>(type: "uuid", nullable: false),
                    CaseNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Step = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Level = table.Column<int>(type: "integer", nullable: false),
                    Indicators = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Tags = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Text = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    FollowUp = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    FollowUpAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Channel = table.Column<string>(type: "character varying(24)", maxLength: 24, nullable: false),
                    IsDefault = table.Column<bool>(type: "boolean", nullable: false),
                    BatchNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    RaterIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Excluded = table.Column<bool>(type: "boolean", nullable: false),
                    ExcludedReason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    ExcludedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    AgencyId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<Guid>(type: "uuid", nullable: false),
                    StaffId = table.Column<Guid>(type: "uuid", nullable: true),
                    Day = table.Column<int>(type: "integer", nullable: false),
                    ConfigVersion = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ratings", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ratings_cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cases_AgencyId",
                table: "cases",
                column: "AgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_cases_BatchNo",
                table: "cases",
                column: "BatchNo");

            migrationBuilder.CreateIndex(
                name: "IX_cases_CaseNo",
                table: "cases",
                column: "CaseNo",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_cases_HasActiveRating_DefaultedAt_RatingClosesAt",
                table: "cases",
                columns: new[] { "HasActiveRating", "DefaultedAt", "RatingClosesAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_IdNumberIndex",
                table: "cases",
                column: "IdNumberIndex");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ItemId",
                table: "cases",
                column: "ItemId");

            migrationBuilder.CreateIndex(
                name: "IX_cases_MobileIndex",
                table: "cases",
                column: "MobileIndex");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ReminderSentAt_RatingOpensAt",
                table: "cases",
                columns: new[] { "ReminderSentAt", "RatingOpensAt" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_StaffId",
                table: "cases",
                column: "StaffId");

            migrationBuilder.CreateIndex(
                name: "IX_cases_ThemeCaseNo",
                table: "cases",
                column: "ThemeCaseNo");

            migrationBuilder.CreateIndex(
                name: "IX_rating_counters_Day_AgencyId",
                table: "rating_counters",
                columns: new[] { "Day", "AgencyId" });

            migrationBuilder.CreateIndex(
                name: "IX_ratings_AgencyId_Day",
                table: "ratings",
                columns: new[] { "AgencyId", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_ratings_CaseId_Step",
                table: "ratings",
                columns: new[] { "CaseId", "Step" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sms_outbox_CaseId",
                table: "sms_outbox",
                column: "CaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "rating_config_versions");

            migrationBuilder.DropTable(
                name: "rating_counters");

            migrationBuilder.DropTable(
                name: "ratings");

            migrationBuilder.DropTable(
                name: "sms_outbox");

            migrationBuilder.DropTable(
                name: "cases");
        }
    }
}
