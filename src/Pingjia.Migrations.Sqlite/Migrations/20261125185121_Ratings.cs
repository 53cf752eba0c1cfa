using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Sqlite.Migrations
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
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ServiceChannel = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    CertificateNeeded = table.Column<bool>(type: "INTEGER", nullable: false),
                    BatchNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ThemeCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ThemeCaseNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ApplicantType = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    ApplicantNameEnc = table.Column<string>(type: "TEXT", nullable: true),
                    IdType = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    IdNumberEnc = table.Column<string>(type: "TEXT", nullable: true),
                    IdNumberIndex = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    MobileEnc = table.Column<string>(type: "TEXT", nullable: true),
                    MobileIndex = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AcceptedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CertificateSignedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ReceiptAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LastEventAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    RatingOpensAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RatingClosesAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    RatingScope = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    EntryReason = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ConfigVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    HasActiveRating = table.Column<bool>(type: "INTEGER", nullable: false),
                    DefaultedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ReminderSentAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Document = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rating_config_versions", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "rating_counters",
                columns: table => new
                {
                    Day = table.Column<int>(type: "INTEGER", nullable: false),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Finished = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedRated = table.Column<long>(type: "INTEGER", nullable: false),
                    Active = table.Column<long>(type: "INTEGER", nullable: false),
                    A1 = table.Column<long>(type: "INTEGER", nullable: false),
                    A2 = table.Column<long>(type: "INTEGER", nullable: false),
                    A3 = table.Column<long>(type: "INTEGER", nullable: false),
                    A4 = table.Column<long>(type: "INTEGER", nullable: false),
                    A5 = table.Column<long>(type: "INTEGER", nullable: false),
                    Defaults = table.Column<long>(type: "INTEGER", nullable: false),
                    Excluded = table.Column<long>(type: "INTEGER", nullable: false),
                    FollowUps = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rating_counters", x => new { x.AgencyId, x.Day, x.ItemId, x.StaffId, x.Channel });
                });

            migrationBuilder.CreateTable(
                name: "sms_outbox",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    MobileEnc = table.Column<string>(type: "TEXT", nullable: false),
                    Body = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sms_outbox", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ratings",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CaseNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Step = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    Indicators = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Tags = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    FollowUp = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    FollowUpAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Channel = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    IsDefault = table.Column<bool>(type: "INTEGER", nullable: false),
                    BatchNo = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    RaterIndex = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Excluded = table.Column<bool>(type: "INTEGER", nullable: false),
                    ExcludedReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ExcludedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StaffId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Day = table.Column<int>(type: "INTEGER", nullable: false),
                    ConfigVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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
