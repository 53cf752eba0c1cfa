using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Pingjia.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Assessments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "assessment_schemes",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Json = table.Column<string>(type: "TEXT", nullable: false),
                    Published = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PublishedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    PublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_schemes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "assessment_rounds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SchemeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Period = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RegionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_rounds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_assessment_rounds_assessment_schemes_SchemeId",
                        column: x => x.SchemeId,
                        principalTable: "assessment_schemes",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_assessment_rounds_regions_RegionId",
                        column: x => x.RegionId,
                        principalTable: "regions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "assessment_units",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoundId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AgencyId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Level = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Parent = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Weight = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    Category = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Flags = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SubmittedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ApprovedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    ApprovedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_units", x => x.Id);
                    table.ForeignKey(
                        name: "FK_assessment_units_agencies_AgencyId",
                        column: x => x.AgencyId,
                        principalTable: "agencies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_assessment_units_assessment_rounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "assessment_rounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "assessment_inputs",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UnitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NodeCode = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Json = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    EnteredBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    EnteredAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_inputs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_assessment_inputs_assessment_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "assessment_units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "assessment_results",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoundId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UnitId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Rank = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    Unrounded = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Grade = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Explanation = table.Column<string>(type: "TEXT", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_assessment_results", x => x.Id);
                    table.ForeignKey(
                        name: "FK_assessment_results_assessment_rounds_RoundId",
                        column: x => x.RoundId,
                        principalTable: "assessment_rounds",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_assessment_results_assessment_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "assessment_units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_assessment_inputs_UnitId_NodeCode",
                table: "assessment_inputs",
                columns: new[] { "UnitId", "NodeCode" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_assessment_results_RoundId_Rank",
                table: "assessment_results",
                columns: new[] { "RoundId", "Rank" });

            migrationBuilder.CreateIndex(
                name: "IX_assessment_results_UnitId",
                table: "assessment_results",
                column: "UnitId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_assessment_rounds_RegionId",
                table: "assessment_rounds",
                column: "RegionId");

            migrationBuilder.CreateIndex(
                name: "IX_assessment_rounds_SchemeId",
                table: "assessment_rounds",
                column: "SchemeId");

            migrationBuilder.CreateIndex(
                name: "IX_assessment_schemes_Code_Version",
                table: "assessment_schemes",
                columns: new[] { "Code", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_assessment_units_AgencyId",
                table: "assessment_units",
                column: "AgencyId");

            migrationBuilder.CreateIndex(
                name: "IX_assessment_units_RoundId_Name",
                table: "assessment_units",
                columns: new[] { "RoundId", "Name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "assessment_inputs");

            migrationBuilder.DropTable(
                name: "assessment_results");

            migrationBuilder.DropTable(
                name: "assessment_units");

            migrationBuilder.DropTable(
                name: "assessment_rounds");

            migrationBuilder.DropTable(
                name: "assessment_schemes");
        }
    }
}
