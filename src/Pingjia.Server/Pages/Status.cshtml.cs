using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Pingjia.Server.Pages;

/// <summary>
/// The friendly page for an error status of any page request. Status-code pages re-execute the original request here,
/// whatever its method; it changes nothing, so it needs no antiforgery token (a refused token is often why we are here).
/// </summary>
[IgnoreAntiforgeryToken]
public sealed class StatusModel : PageModel
{
    public void OnGet()
    {
    }

    public void OnPost()
    {
    }
}
