using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Pingjia.Server.Features.Access;

namespace Pingjia.Server.Pages.Console;

/// <summary>Signing out is a POST with the antiforgery token (a link could be triggered by another site).</summary>
public sealed class SignOutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/console");

    public async Task<IActionResult> OnPostAsync()
    {
        await SignInService.SignOutAsync(HttpContext);
        return Redirect("/console/sign-in");
    }
}
