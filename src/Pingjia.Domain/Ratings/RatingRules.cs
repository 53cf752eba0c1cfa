namespace Pingjia.Domain.Ratings;

/// <summary>Which tags a rating of a given level may carry.</summary>
public enum TagPolicy
{
    /// <summary>A tag is valid only for ratings of its own level (the national default).</summary>
    OwnLevel,

    /// <summary>A tag is valid for any level of the same polarity (good 4–5, neutral 3, bad 1–2).</summary>
    SamePolarity,
}

/// <summary>A tag of the dictionary: national evaluation-content code or a deployment's own.</summary>
public sealed record TagDefinition(string Code, string Name, int Level, string ChannelKind = "any", bool Retired = false);

/// <summary>What a submitted rating says, before it is checked.</summary>
public sealed record RatingInput(int Level, IReadOnlyDictionary<string, int> Indicators, IReadOnlyList<string> Tags, string? Text);

/// <summary>The rules a rating must satisfy, given the configuration it is made under. Pure: no storage, no clock.</summary>
public static class RatingRules
{
    public const int MaxTextLength = 500;
    public const int MaxTags = 10;

    public static bool TagAllowed(TagPolicy policy, int tagLevel, int ratingLevel) => policy switch
    {
        TagPolicy.OwnLevel => tagLevel == ratingLevel,
        _ => RatingLevels.PolarityOf(tagLevel) == RatingLevels.PolarityOf(ratingLevel),
    };

    /// <summary>
    /// Checks a rating and throws the first broken rule as a problem with its own code: level_out_of_range,
    /// indicator_not_allowed, indicator_level_out_of_range, unknown_tag, tag_retired, tag_level_mismatch,
    /// tag_channel_mismatch, too_many_tags, text_too_long, bad_rating_needs_reason.
    /// </summary>
    public static void Check(
        RatingInput input, RatingScope scope, bool online, TagPolicy policy,
        IReadOnlyList<string> allowedIndicators, IReadOnlyDictionary<string, TagDefinition> tags)
    {
        if (!RatingLevels.IsValid(input.Level))
        {
            throw DomainException.Invalid("level_out_of_range", "level must be from 1 (非常不满意) to 5 (非常满意).", "level");
        }

        foreach (var (name, level) in input.Indicators)
        {
            if (!allowedIndicators.Contains(name))
            {
                var why = scope == RatingScope.ServiceOnly
                    ? "a receipt-only case (收件办结) may rate only the receiving window's service"
                    : $"the indicators of this {(online ? "online" : "offline")} service are {string.Join("、", allowedIndicators)}";
                throw DomainException.Invalid("indicator_not_allowed", $"Indicator '{name}' cannot be rated here: {why}.", "indicators");
            }

            if (!RatingLevels.IsValid(level))
            {
                throw DomainException.Invalid("indicator_level_out_of_range", $"Indicator '{name}' must have a level from 1 to 5.", "indicators");
            }
        }

        if (input.Tags.Count > MaxTags)
        {
            throw DomainException.Invalid("too_many_tags", $"At most {MaxTags} tags.", "tags");
        }

        foreach (var code in input.Tags)
        {
            if (!tags.TryGetValue(code, out var tag))
            {
                throw DomainException.Invalid("unknown_tag", $"Tag '{code}' is not in the tag dictionary.", "tags");
            }

            if (tag.Retired)
            {
                throw DomainException.Invalid("tag_retired", $"Tag '{code}' is retired and kept only for old ratings.", "tags");
            }

            if (!TagAllowed(policy, tag.Level, input.Level))
            {
                throw DomainException.Invalid("tag_level_mismatch",
                    $"Tag '{code}' ({tag.Name}) belongs to level {tag.Level} and cannot describe a level-{input.Level} rating.", "tags");
            }

            if (tag.ChannelKind != "any" && tag.ChannelKind != (online ? "online" : "offline"))
            {
                throw DomainException.Invalid("tag_channel_mismatch", $"Tag '{code}' is for {tag.ChannelKind} services only.", "tags");
            }
        }

        if (input.Text is { Length: > MaxTextLength })
        {
            throw DomainException.Invalid("text_too_long", $"The comment may have at most {MaxTextLength} characters.", "text");
        }

        if (RatingLevels.PolarityOf(input.Level) == Polarity.Bad && input.Tags.Count == 0 && string.IsNullOrWhiteSpace(input.Text))
        {
            throw DomainException.Invalid("bad_rating_needs_reason", "A bad rating needs at least one tag or a comment saying what went wrong.", "tags");
        }
    }
}
