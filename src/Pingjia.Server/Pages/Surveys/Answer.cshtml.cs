using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Pingjia.Domain;
using Pingjia.Server.Features.Surveys;

namespace Pingjia.Server.Pages.Surveys;

/// <summary>
/// Answering a survey: <c>/s/public/{token}</c> (anonymous public link), <c>/s/{token}</c> (single-use personal link) and
/// <c>/s/session/{token}</c> (on-site session). Stored through <see cref="SurveyService"/>, which checks answers,
/// conditions, quotas and duplicates; an incomplete answer set is kept as partial and says what is missing.
/// </summary>
public sealed class AnswerModel(SurveyService surveys) : WebPageModel
{
    /// <summary>A random device token in a cookie: the same browser cannot answer a public survey twice; it names no one.</summary>
    public const string GuardCookie = "pingjia_sg";

    [FromRoute]
    public string First { get; set; } = "";

    [FromRoute]
    public string? Second { get; set; }

    [BindProperty]
    public string? Unit { get; set; }

    [BindProperty]
    public string? Stratum { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Missing { get; set; }

    public string Kind => Second is null ? "link" : First;

    public string Token => Second ?? First;

    public RespondentView? View { get; private set; }

    public Dictionary<string, string[]> Entered { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Kind is not ("link" or "public" or "session"))
        {
            return NotFound();
        }

        if (Status is not null)
        {
            // Just answered: a single-use link is now used up, and the page only thanks.
            return Page();
        }

        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        var (answers, entered) = SurveyFormView.Read(View!.Sections, Request.Form);
        Entered = entered;
        var receipt = Kind switch
        {
            "public" => await surveys.SubmitPublicAsync(new PublicResponseRequest(Token, Unit, Stratum, Guard(), answers), ct),
            "session" => await surveys.SubmitVoteAsync(new VoteRequest(Token, Guard(), answers), ct),
            "link" => await surveys.SubmitByLinkAsync(new LinkResponseRequest(Token, answers), ct),
            _ => throw DomainException.NotFound("Survey"),
        };
        var path = Second is null ? $"/s/{Uri.EscapeDataString(First)}" : $"/s/{First}/{Uri.EscapeDataString(Second)}";
        return Redirect($"{path}?status={receipt.Status}{(receipt.Missing.Count > 0 ? "&missing=" + Uri.EscapeDataString(string.Join(",", receipt.Missing)) : "")}");
    }

    public override async Task LoadAsync(CancellationToken ct) =>
        View = Kind switch
        {
            "public" => await surveys.ViewPublicAsync(Token, ct),
            "session" => await surveys.ViewSessionAsync(Token, ct),
            _ => await surveys.ViewLinkAsync(Token, ct),
        };

    private string Guard()
    {
        if (Request.Cookies[GuardCookie] is { Length: >= 16 and <= 128 } known)
        {
            return known;
        }

        var guard = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        Response.Cookies.Append(GuardCookie, guard, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), IsEssential = true });
        return guard;
    }
}
