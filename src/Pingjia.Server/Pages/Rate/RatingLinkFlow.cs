using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain;
using Pingjia.Server.Features.Ratings;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Rate;

/// <summary>A rating link that was checked: valid signature, not expired, its case exists and its rater is still the case's.</summary>
public sealed record OpenedLink(RatingLink Link, Case Case);

/// <summary>
/// Opens a rating link for the rater's page with the same checks as <c>/api/v1/ratings/by-link</c>: signature and expiry
/// by <see cref="RatingLinks"/>, then the case and the binding to its rater. Rating itself goes through
/// <see cref="RatingService"/> like every other channel.
/// </summary>
public sealed class RatingLinkFlow(PingjiaDbContext db, RatingLinks links, TimeProvider time)
{
    public async Task<OpenedLink> OpenAsync(string? token, CancellationToken ct)
    {
        var link = links.Read(token, time.UtcNow());
        var c = await db.Cases.FirstOrDefaultAsync(x => x.Id == link.CaseId, ct)
            ?? throw new DomainException(ErrorKind.Forbidden, "forged_token", "This rating link is not valid.");
        RatingsApi.EnsureSameRater(link, c);

        return new OpenedLink(link, c);
    }
}
