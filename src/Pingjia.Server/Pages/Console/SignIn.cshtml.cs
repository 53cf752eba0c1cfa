using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain;
using Pingjia.Server.Features.Access;

namespace Pingjia.Server.Pages.Console;

/// <summary>Console sign-in: the session cookie of the API, with the same lockout; the form carries an antiforgery token.</summary>
public sealed class SignInModel(SignInService signIns) : WebPageModel
{
    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        try
        {
            await signIns.SignInAsync(HttpContext, UserName, Password, ct);
        }
        catch (DomainException e)
        {
            Problem = e;
            Password = null;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith("/console", StringComparison.Ordinal) ? url : "/console");
    }
}
