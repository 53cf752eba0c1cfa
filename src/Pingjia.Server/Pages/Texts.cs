using System.Globalization;
using Pingjia.Domain;
using Pingjia.Domain.Ratings;

namespace Pingjia.Server.Pages;

/// <summary>
/// The pages' words. Pages are written in Chinese; <c>T["中文"]</c> gives the English text when the request asked
/// for English (anything without a translation stays Chinese rather than disappearing).
/// </summary>
public sealed partial class Texts
{
    public static bool IsEnglish => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en";

    public string this[string chinese] => IsEnglish && English.TryGetValue(chinese, out var en) ? en : chinese;

    /// <summary>A text with placeholders: <c>T.F("共 {0} 条", n)</c>.</summary>
    public string F(string chinese, params object?[] args) => string.Format(CultureInfo.InvariantCulture, this[chinese], args);

    public string Lang => IsEnglish ? "en" : "zh-CN";

    public string Level(int level) => this[RatingLevels.NameOf(level)];

    /// <summary>National tags have English names here; a deployment's own tags keep the name it gave them.</summary>
    public string Tag(TagDefinition tag) => IsEnglish && TagNames.TryGetValue(tag.Code, out var en) ? en : tag.Name;

    /// <summary>The message of a broken rule, by its stable code where we have words for it, else the service's own.</summary>
    public string Problem(DomainException e) =>
        ProblemTexts.TryGetValue(e.Code, out var p) ? (IsEnglish ? p.En : p.Zh) : IsEnglish ? e.Message : "操作未完成：" + e.Message;

    private static readonly Dictionary<string, (string Zh, string En)> ProblemTexts = new()
    {
        ["bad_rating_needs_reason"] = ("差评请至少选择一个标签或填写评价内容。", "A bad rating needs at least one tag or a comment."),
        ["level_out_of_range"] = ("请选择满意程度。", "Please choose a level."),
        ["validation_failed"] = ("填写的内容有误，请检查。", "Some fields are not valid; please check them."),
        ["tag_level_mismatch"] = ("所选标签与评价等级不符，请重新选择。", "A chosen tag does not fit the level; please choose again."),
        ["text_too_long"] = ("评价内容过长。", "The comment is too long."),
        ["window_closed"] = ("评价期限已过。", "The rating period has ended."),
        ["already_rated"] = ("该办件已评价。", "This case has already been rated."),
        ["follow_up_exists"] = ("已追加过评价。", "A follow-up comment was already added."),
        ["illegal_transition"] = ("当前状态下不能执行该操作。", "This step is not possible in the order's current state."),
        ["forbidden"] = ("您的角色无权执行该操作。", "Your role may not do this."),
        ["invalid_credentials"] = ("用户名或密码错误。", "User name or password is wrong."),
        ["account_locked"] = ("登录失败次数过多，账号已临时锁定，请稍后再试。", "Too many failed sign-ins; the account is locked for a while."),
        ["no_pending_request"] = ("没有待审批的申请。", "There is no request to decide."),
        ["agency_not_found"] = ("未找到该机构。", "Agency not found."),
        ["not_found"] = ("未找到，或不在您的权限范围内。", "Not found, or outside your scope."),
    };
}
