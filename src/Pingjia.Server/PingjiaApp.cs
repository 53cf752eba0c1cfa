using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Assessments;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Features.Health;
using Pingjia.Server.Features.Kiosk;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Features.Surveys;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Infrastructure;
using Pingjia.Server.Pages;

namespace Pingjia.Server;

/// <summary>The table of contents: each feature adds its services and maps its endpoints.</summary>
public static class PingjiaApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddPingjiaEnvironmentBeforeCommandLine();
        var options = builder.Configuration.ReadPingjiaOptions();

        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Services.AddSingleton(options);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "评价 Pingjia API";
            document.Info.Description = "Integration API of Pingjia. Authenticate with an API key (Authorization: Bearer pj_…). "
                + "Errors are RFC 9457 problem details with a stable `code` and a `traceId`.";
            return Task.CompletedTask;
        }));

        builder.Services.AddPingjiaData(options);
        // First among hosted services: hosts start them in order, so nothing runs before the database is migrated.
        builder.Services.AddHostedService<StartupTasks>();
        builder.Services.AddSqliteCheckpoints(options);
        builder.Services.AddPingjiaProblems();
        builder.Services.AddAccess();
        builder.Services.AddAudit();
        builder.Services.AddCatalog();
        builder.Services.AddRatings(options);
        builder.Services.AddWorkOrders();
        builder.Services.AddAssessments();
        builder.Services.AddWeb();
        builder.Services.AddSurveys();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Pages' status pages re-execute the request; routing comes after them so that the re-executed path is routed.
        app.UseWeb();
        app.UseRouting();
        app.UseMiddleware<BodySizeLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealth();
        var api = app.MapGroup("").RequireAuthorization();
        api.MapAccess();
        api.MapAudit();
        api.MapCatalog();
        api.MapRatingsFeature();
        api.MapWorkOrdersFeature(options);
        api.MapAssessments();
        api.MapKiosk();
        app.MapWeb();
        api.MapSurveys();
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions json)
    {
        json.Encoder = JavaScriptEncoder.Create(UnicodeRanges.All);
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    /// <summary>
    /// PINGJIA_ variables override appsettings, while explicit command-line settings (and test hosts, which pass
    /// theirs that way) still win over the environment.
    /// </summary>
    private static void AddPingjiaEnvironmentBeforeCommandLine(this ConfigurationManager configuration)
    {
        var sources = configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is CommandLineConfigurationSource);
        sources.Insert(index < 0 ? sources.Count : index, new PingjiaEnvironmentSource());
    }
}

internal static class FeatureRegistration
{
    public static IServiceCollection AddAudit(this IServiceCollection services) => services.AddScoped<AuditLog>();

    public static IServiceCollection AddCatalog(this IServiceCollection services) => services.AddScoped<CatalogService>();

    public static IServiceCollection AddRatings(this IServiceCollection services, PingjiaOptions options)
    {
        services.AddSingleton(_ => PersonalData.FromOptions(options));
        services.AddSingleton<RatingConfigCache>();
        services.AddSingleton<RatingLinks>();
        services.AddSingleton<ISmsGateway, OutboxSmsGateway>();
        services.AddScoped<RatingService>();
        services.AddSingleton<RatingWriter>();
        services.AddSingleton<CaseLookup>();
        services.AddSingleton<RatingJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<RatingJobs>());
        return services;
    }

    public static IServiceCollection AddWorkOrders(this IServiceCollection services)
    {
        services.AddSingleton<CalendarStore>();
        services.AddScoped<WorkOrderService>();
        services.AddSingleton<WorkOrderJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkOrderJobs>());
        return services;
    }

    public static void MapWorkOrdersFeature(this IEndpointRouteBuilder app, PingjiaOptions options)
    {
        app.MapCalendar();
        app.MapWorkOrders();
        app.MapEvidence(options);
        app.MapAppeals();
    }

    public static void MapRatingsFeature(this IEndpointRouteBuilder app)
    {
        app.MapCases();
        app.MapRatings();
        app.MapRatingConfig();
        app.MapOutbox();
        app.MapStats();
    }

    public static void MapCatalog(this IEndpointRouteBuilder app)
    {
        app.MapRegions();
        app.MapAgencies();
        app.MapStaff();
        app.MapItems();
    }
}
