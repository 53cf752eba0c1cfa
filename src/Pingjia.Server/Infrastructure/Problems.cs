using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Pingjia.Domain;

namespace Pingjia.Server.Infrastructure;

/// <summary>
/// The one place where failures become RFC 9457 problem details. Every problem carries a stable
/// <c>code</c> and the <c>traceId</c>; clients never see stack traces.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title, detail, errors) = Map(exception);
        if (status == StatusCodes.Status500InternalServerError)
        {
            // The exception type and stack go to the log (never request bodies, which may hold personal data).
            // The route pattern, not the raw path: paths can carry link tokens.
            var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no endpoint)";
            logger.LogError(exception, "Unhandled {ExceptionType} on {Method} {Route}", exception.GetType().Name, http.Request.Method, route);
        }

        http.Response.StatusCode = status;
        var problem = errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(errors.ToDictionary(e => e.Key, e => e.Value));
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Extensions["code"] = code;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static (int Status, string Code, string Title, string Detail, IReadOnlyDictionary<string, string[]>? Errors) Map(Exception exception) => exception switch
    {
        DomainException d => (StatusOf(d.Kind), d.Code, TitleOf(d.Kind), d.Message, d.Errors.Count > 0 ? d.Errors : null),
        BadHttpRequestException { StatusCode: 413 } => (413, "payload_too_large", "Payload too large", "The request body is larger than this server accepts.", null),
        BadHttpRequestException { StatusCode: 415 } => (415, "unsupported_media_type", "Unsupported media type", "Send the body as application/json.", null),
        BadHttpRequestException b when b.InnerException is JsonException j =>
            (400, "malformed_json", "Malformed JSON", $"The request body is not valid JSON for this endpoint (at {j.Path ?? "$"}).", null),
        BadHttpRequestException b => (b.StatusCode, "malformed_request", "Malformed request", SafeBadRequestMessage(b), null),
        DbUpdateConcurrencyException => (409, "concurrent_update", "Conflict", "The record was changed by someone else; read it again and retry.", null),
        DbUpdateException u when IsUniqueViolation(u) => (409, "duplicate", "Conflict", "A record with the same identifying values already exists.", null),
        _ => (500, "internal_error", "Internal error", "An unexpected error occurred. Quote the traceId when reporting it.", null),
    };

    private static string SafeBadRequestMessage(BadHttpRequestException b) =>
        // Framework messages name the parameter and the expected type, never the value's meaning; keep them.
        b.Message.Length <= 300 ? b.Message : "The request could not be read.";

    internal static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        SqliteException s => s.SqliteErrorCode == 19 && s.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    private static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => 400,
        ErrorKind.NotFound => 404,
        ErrorKind.Conflict => 409,
        ErrorKind.Forbidden => 403,
        ErrorKind.Unauthorized => 401,
        ErrorKind.Gone => 410,
        _ => 500,
    };

    private static string TitleOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Validation => "Invalid input",
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.Forbidden => "Forbidden",
        ErrorKind.Unauthorized => "Unauthorized",
        ErrorKind.Gone => "Gone",
        _ => "Error",
    };
}

internal static class ProblemSetup
{
    public static IServiceCollection AddPingjiaProblems(this IServiceCollection services)
    {
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            // Problems the framework writes itself (status-code pages) get a code by status.
            if (!ctx.ProblemDetails.Extensions.ContainsKey("code"))
            {
                ctx.ProblemDetails.Extensions["code"] = status switch
                {
                    400 => "bad_request",
                    401 => "unauthorized",
                    403 => "forbidden",
                    404 => "not_found",
                    405 => "method_not_allowed",
                    409 => "conflict",
                    413 => "payload_too_large",
                    415 => "unsupported_media_type",
                    _ => status >= 500 ? "internal_error" : "error",
                };
            }

            ctx.ProblemDetails.Detail ??= status switch
            {
                401 => "Authenticate with an API key (Authorization: Bearer pj_...) or sign in.",
                403 => "Your role does not allow this action.",
                404 => "No such resource, or it is outside your scope.",
                405 => "This method is not allowed on this resource.",
                415 => "Send the body as application/json.",
                _ => null,
            };
            ctx.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier;
        });
        return services;
    }
}

/// <summary>Refuses bodies over the configured size before anything reads them (the test host has no Kestrel limits).</summary>
internal sealed class BodySizeLimitMiddleware(RequestDelegate next, PingjiaOptions options)
{
    public Task InvokeAsync(HttpContext http)
    {
        // An endpoint may allow more (evidence uploads) through the standard request-size metadata.
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? options.MaxBodyBytes;
        if (http.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException("Request body too large.", StatusCodes.Status413PayloadTooLarge);
        }

        var feature = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(http);
    }
}
