using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Pingjia.Domain;

namespace Pingjia.Server.Pages;

/// <summary>
/// Base of the pages that post forms: a broken rule (a <see cref="DomainException"/> from a service) is shown on the
/// page it came from, with what the user entered kept, after <see cref="LoadAsync"/> reloads what the page displays.
/// </summary>
public abstract class WebPageModel : PageModel
{
    /// <summary>The rule a form broke, shown above the form.</summary>
    public DomainException? Problem { get; set; }

    /// <summary>Reloads what the page shows (after a failed post).</summary>
    public virtual Task LoadAsync(CancellationToken ct) => Task.CompletedTask;
}

/// <summary>
/// Turns service exceptions into page results: out of scope is a 404 page (never revealing that it exists),
/// forbidden a 403 page, and a broken rule on a form redisplays the form with the message.
/// </summary>
internal sealed class DomainExceptionPageFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is not DomainException problem || executed.ExceptionHandled)
        {
            return;
        }

        executed.ExceptionHandled = true;
        var page = executed.HandlerInstance as WebPageModel;
        var isPost = !HttpMethods.IsGet(context.HttpContext.Request.Method);
        executed.Result = problem.Kind switch
        {
            ErrorKind.NotFound => new NotFoundResult(),
            ErrorKind.Unauthorized => new ChallengeResult(),
            ErrorKind.Forbidden when page is null || !isPost => new StatusCodeResult(StatusCodes.Status403Forbidden),
            _ when page is not null => await Redisplay(page, problem, context.HttpContext),
            _ => new StatusCodeResult(StatusCodes.Status400BadRequest),
        };
    }

    private static async Task<IActionResult> Redisplay(WebPageModel page, DomainException problem, HttpContext http)
    {
        page.Problem = problem;
        try
        {
            await page.LoadAsync(http.RequestAborted);
        }
        catch (DomainException)
        {
            // The page shows the first problem; what could not be reloaded stays empty.
        }

        http.Response.StatusCode = problem.Kind switch
        {
            ErrorKind.Conflict => StatusCodes.Status409Conflict,
            ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
            ErrorKind.Gone => StatusCodes.Status410Gone,
            _ => StatusCodes.Status400BadRequest,
        };
        return page.Page();
    }
}
