using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Surveys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "surveys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Description = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    OwnerRegionId = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerRegionPath = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UnitKind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Strata = table.Column<string>(type: "character varying(8000)", maxLength: 8000, nullable: false),
                    QuotaMode = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Anonymous = table.Column<bool>(type: "boolean", nullable: false),
                    PublicToken = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    OpensAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClosesAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    MinN = table.Column<int>(type: "integer", nullable: false),
                    CurrentVersion = table.Column<int>(type: "integer", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_surveys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_surveys_regions_OwnerRegionId",
                        column: x => x.OwnerRegionId,
                        principalTable: "regions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_links",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StratumCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    MobileEnc = table.Column<string>(type: "text", nullable: true),
                    RespondentIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UsedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ResponseId = table.Column<Guid>(type: "uuid", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_links", x => x.Id);
                    table.ForeignKey(
                        name: "FK_survey_links_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_paper_batches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    BatchNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Forms = table.Column<int>(type: "integer", nullable: false),
                    EnteredBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_paper_batches", x => x.Id);
                    table.ForeignKey(
                        name: "FK_survey_paper_batches_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_quotas",
                columns: table => new
                {
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    UnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StratumCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Target = table.Column<int>(type: "integer", nullable: true),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_quotas", x => new { x.SurveyId, x.UnitCode, x.StratumCode });
                    table.ForeignKey(
                        name: "FK_survey_quotas_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_responses",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    UnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StratumCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Answers = table.Column<string>(type: "text", nullable: false),
                    Missing = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    EnteredBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    LinkId = table.Column<Guid>(type: "uuid", nullable: true),
                    PaperBatchId = table.Column<Guid>(type: "uuid", nullable: true),
                    FormNo = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    SessionId = table.Column<Guid>(type: "uuid", nullable: true),
                    RespondentIndex = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    DuplicateGuard = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_responses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_survey_responses_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_review_flags",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Fingerprint = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Responses = table.Column<string>(type: "text", nullable: false),
                    Interviewer = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ReviewNote = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ReviewedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    ReviewedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_review_flags", x => x.Id);
                    table.ForeignKey(
                        name: "FK_survey_review_flags_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_sessions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    UnitCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    StratumCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Votes = table.Column<int>(type: "integer", nullable: false),
                    OpenedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    OpenedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ClosedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_sessions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_survey_sessions_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_units",
                columns: table => new
                {
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RefId = table.Column<Guid>(type: "uuid", nullable: false),
                    PeerGroup = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_units", x => new { x.SurveyId, x.Code });
                    table.ForeignKey(
                        name: "FK_survey_units_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_versions",
                columns: table => new
                {
                    SurveyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    Document = table.Column<string>(type: "text", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_versions", x => new { x.SurveyId, x.Version });
                    table.ForeignKey(
                        name: "FK_survey_versions_surveys_SurveyId",
                        column: x => x.SurveyId,
                        principalTable: "surveys",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "survey_session_tallies",
                columns: table => new
                {
                    SessionId = table.Column<Guid>(type: "uuid", nullable: false),
                    QuestionCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Value = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_survey_session_tallies", x => new { x.SessionId, x.QuestionCode, x.Value });
                    table.ForeignKey(
                        name: "FK_survey_session_tallies_survey_sessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "survey_sessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_survey_links_ResponseId",
                table: "survey_links",
                column: "ResponseId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_links_SurveyId",
                table: "survey_links",
                column: "SurveyId");

            migrationBuilder.CreateIndex(
                name: "IX_survey_links_TokenHash",
                table: "survey_links",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_paper_batches_SurveyId_BatchNo",
                table: "survey_paper_batches",
                columns: new[] { "SurveyId", "BatchNo" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_responses_SessionId",
                table: "survey_responses",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_survey_responses_SurveyId_DuplicateGuard",
                table: "survey_responses",
                columns: new[] { "SurveyId", "DuplicateGuard" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_responses_SurveyId_FormNo",
                table: "survey_responses",
                columns: new[] { "SurveyId", "FormNo" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_responses_SurveyId_SubmittedAt",
                table: "survey_responses",
                columns: new[] { "SurveyId", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_survey_review_flags_SurveyId_Fingerprint",
                table: "survey_review_flags",
                columns: new[] { "SurveyId", "Fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_sessions_SurveyId",
                table: "survey_sessions",
                column: "SurveyId");

            migrationBuilder.CreateIndex(
                name: "IX_survey_sessions_TokenHash",
                table: "survey_sessions",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_survey_units_RefId",
                table: "survey_units",
                column: "RefId");

            migrationBuilder.CreateIndex(
                name: "IX_surveys_Code",
                table: "surveys",
                column: "Code",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_surveys_OwnerRegionId",
                table: "surveys",
                column: "OwnerRegionId");

            migrationBuilder.CreateIndex(
                name: "IX_surveys_OwnerRegionPath",
                table: "surveys",
                column: "OwnerRegionPath");

            migrationBuilder.CreateIndex(
                name: "IX_surveys_PublicToken",
                table: "surveys",
                column: "PublicToken",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "survey_links");

            migrationBuilder.DropTable(
                name: "survey_paper_batches");

            migrationBuilder.DropTable(
                name: "survey_quotas");

            migrationBuilder.DropTable(
                name: "survey_responses");

            migrationBuilder.DropTable(
                name: "survey_review_flags");

            migrationBuilder.DropTable(
                name: "survey_session_tallies");

            migrationBuilder.DropTable(
                name: "survey_units");

            migrationBuilder.DropTable(
                name: "survey_versions");

            migrationBuilder.DropTable(
                name: "survey_sessions");

            migrationBuilder.DropTable(
                name: "surveys");
        }
    }
}
