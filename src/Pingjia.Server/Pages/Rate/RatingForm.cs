using Pingjia.Data;
using Pingjia.Data.Ratings;
using Pingjia.Domain.Ratings;
using Pingjia.Server.Features.Ratings;

namespace Pingjia.Server.Pages.Rate;

/// <summary>A group of tags of one level, with the rating levels it may describe under the tag policy.</summary>
public sealed record TagGroup(int Level, int[] ForLevels, IReadOnlyList<TagDefinition> Tags);

/// <summary>What the rating form offers for a case (levels, tags, indicators of its channel kind) and what was entered.</summary>
public sealed record RatingFormView(
    IReadOnlyList<TagGroup> TagGroups, IReadOnlyList<string> IndicatorNames, int? Level, IReadOnlyList<string> Tags, string? Text,
    IReadOnlyDictionary<string, int> Indicators, string? CaseNo = null)
{
    public const string IndicatorField = "ind:";

    public static async Task<(IReadOnlyList<TagGroup> Groups, IReadOnlyList<string> Indicators, RatingConfigDocument Config)> OptionsAsync(
        PingjiaDbContext db, RatingConfigCache configs, Case c, CancellationToken ct)
    {
        var (_, config) = await RatingConfigApi.CurrentAsync(db, configs, ct);
        var online = RatingLevels.IsOnline(c.ServiceChannel);
        var offered = config.Tags.Where(t => !t.Retired && (t.ChannelKind == "any" || t.ChannelKind == (online ? "online" : "offline")));
        var groups = offered.GroupBy(t => t.Level).OrderByDescending(g => g.Key).Select(g => new TagGroup(
            g.Key,
            [.. Enumerable.Range(RatingLevels.Min, RatingLevels.Max).Where(l => RatingRules.TagAllowed(config.TagPolicy, g.Key, l))],
            [.. g.OrderBy(t => t.Code, StringComparer.Ordinal)])).ToList();
        return (groups, config.IndicatorsFor(c.RatingScope, online), config);
    }

    /// <summary>Indicator levels posted as <c>ind:NAME</c> fields (bound by hand: a dictionary would bind any stray number).</summary>
    public static Dictionary<string, int> ReadIndicators(IFormCollection form)
    {
        var result = new Dictionary<string, int>();
        foreach (var (key, value) in form)
        {
            if (key.StartsWith(IndicatorField, StringComparison.Ordinal) && int.TryParse(value, out var level))
            {
                result[key[IndicatorField.Length..]] = level;
            }
        }

        return result;
    }
}
