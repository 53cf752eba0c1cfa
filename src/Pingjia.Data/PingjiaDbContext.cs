using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Pingjia.Data.Access;
using Pingjia.Data.Audit;
using Pingjia.Data.Catalog;

namespace Pingjia.Data;

/// <summary>
/// The one DbContext. Each feature's <see cref="IEntityTypeConfiguration{T}"/> sits beside its entity;
/// the few provider differences live here and nowhere else.
/// </summary>
public sealed class PingjiaDbContext(DbContextOptions<PingjiaDbContext> options) : DbContext(options)
{
    public DbSet<Region> Regions => Set<Region>();

    public DbSet<Agency> Agencies => Set<Agency>();

    public DbSet<Hall> Halls => Set<Hall>();

    public DbSet<ServiceWindow> Windows => Set<ServiceWindow>();

    public DbSet<Staff> Staff => Set<Staff>();

    public DbSet<ServiceItem> Items => Set<ServiceItem>();

    public DbSet<UserAccount> Users => Set<UserAccount>();

    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    public DbSet<Ratings.Case> Cases => Set<Ratings.Case>();

    public DbSet<Ratings.Rating> Ratings => Set<Ratings.Rating>();

    public DbSet<Ratings.RatingCounter> RatingCounters => Set<Ratings.RatingCounter>();

    public DbSet<Ratings.RatingCounterMonth> RatingCountersMonthly => Set<Ratings.RatingCounterMonth>();

    public DbSet<Ratings.HandlingCounter> HandlingCounters => Set<Ratings.HandlingCounter>();

    public DbSet<Ratings.RatingConfigVersion> RatingConfigVersions => Set<Ratings.RatingConfigVersion>();

    public DbSet<Ratings.SmsMessage> SmsOutbox => Set<Ratings.SmsMessage>();

    public DbSet<WorkOrders.WorkOrder> WorkOrders => Set<WorkOrders.WorkOrder>();

    public DbSet<WorkOrders.WorkOrderEvent> WorkOrderEvents => Set<WorkOrders.WorkOrderEvent>();

    public DbSet<WorkOrders.Notification> Notifications => Set<WorkOrders.Notification>();

    public DbSet<WorkOrders.Appeal> Appeals => Set<WorkOrders.Appeal>();

    public DbSet<WorkOrders.EvidenceFile> EvidenceFiles => Set<WorkOrders.EvidenceFile>();

    public DbSet<WorkOrders.CalendarYear> CalendarYears => Set<WorkOrders.CalendarYear>();

    public DbSet<Surveys.Survey> Surveys => Set<Surveys.Survey>();

    public DbSet<Surveys.SurveyVersion> SurveyVersions => Set<Surveys.SurveyVersion>();

    public DbSet<Surveys.SurveyUnit> SurveyUnits => Set<Surveys.SurveyUnit>();

    public DbSet<Surveys.SurveyQuota> SurveyQuotas => Set<Surveys.SurveyQuota>();

    public DbSet<Surveys.SurveyLink> SurveyLinks => Set<Surveys.SurveyLink>();

    public DbSet<Surveys.SurveyPaperBatch> SurveyPaperBatches => Set<Surveys.SurveyPaperBatch>();

    public DbSet<Surveys.SurveySession> SurveySessions => Set<Surveys.SurveySession>();

    public DbSet<Surveys.SurveySessionTally> SurveySessionTallies => Set<Surveys.SurveySessionTally>();

    public DbSet<Surveys.SurveyResponse> SurveyResponses => Set<Surveys.SurveyResponse>();

    public DbSet<Surveys.SurveyReviewFlag> SurveyReviewFlags => Set<Surveys.SurveyReviewFlag>();

    public DbSet<Assessments.AssessmentScheme> AssessmentSchemes => Set<Assessments.AssessmentScheme>();

    public DbSet<Assessments.AssessmentRound> AssessmentRounds => Set<Assessments.AssessmentRound>();

    public DbSet<Assessments.AssessmentUnit> AssessmentUnits => Set<Assessments.AssessmentUnit>();

    public DbSet<Assessments.AssessmentInput> AssessmentInputs => Set<Assessments.AssessmentInput>();

    public DbSet<Assessments.AssessmentResult> AssessmentResults => Set<Assessments.AssessmentResult>();

    public DbSet<Kiosk.WindowCurrentCase> WindowCurrentCases => Set<Kiosk.WindowCurrentCase>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<AuditHead> AuditHeads => Set<AuditHead>();

    // Asked on every hot statement: ProviderName reads an assembly name each time, so the answer is kept (a pooled
    // context keeps its options, and with them its provider).
    private bool? _isPostgres;

    public bool IsPostgres => _isPostgres ??= Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL";

    public bool IsSqlite => !IsPostgres;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(PingjiaDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite forgets the kind, so it is restored on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcConverter>();
        configurationBuilder.Properties<decimal>().HavePrecision(18, 6);
    }

    private sealed class UtcConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
