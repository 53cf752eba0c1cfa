using System.Text.Json;
using Pingjia.Data.Surveys;
using Pingjia.Domain.Surveys;

namespace Pingjia.Server.Features.Surveys;

public sealed record ChoiceOptionRequest(string? Code, string? Label);

public sealed record ShowIfRequest(string? QuestionCode, List<string>? AnyOf);

/// <summary>A question. Likert: <c>scalePreset</c> (<c>four_level</c>, <c>five_level</c>) or <c>scaleLabels</c> from the lowest point up, and <c>satisfiedFrom</c>.</summary>
public sealed record QuestionRequest(
    string? Code, string? Text, QuestionType? Type, bool? Required, string? ScalePreset, List<string>? ScaleLabels, int? SatisfiedFrom,
    List<ChoiceOptionRequest>? Options, decimal? Min, decimal? Max, int? MaxLength, int? MaxChoices, ShowIfRequest? ShowIf);

public sealed record SectionRequest(string? Code, string? Title, List<QuestionRequest>? Questions);

public sealed record QuestionnaireRequest(List<SectionRequest>? Sections);

public sealed record SurveyUnitRequest(string? Code, string? PeerGroup);

public sealed record StratumRequest(string? Code, string? Name, string? Kind, double? PopulationShare);

public sealed record QuotaRequest(string? Unit, string? Stratum, int? Target);

/// <summary>A new survey. <c>unitKind</c> is <c>agency</c> (units by credit code) or <c>region</c> (by region code).</summary>
public sealed record SurveyRequest(
    string? Code, string? Title, string? Description, string? RegionCode, string? UnitKind, List<SurveyUnitRequest>? Units, List<StratumRequest>? Strata,
    QuotaMode? QuotaMode, List<QuotaRequest>? Quotas, bool? Anonymous, DateTime? OpensAt, DateTime? ClosesAt, int? MinN, List<SectionRequest>? Sections);

public sealed record PlanRequest(QuotaMode? QuotaMode, List<QuotaRequest>? Quotas);

public sealed record ScheduleRequest(DateTime? OpensAt, DateTime? ClosesAt);

public sealed record SurveyUnitView(string Code, string Name, string? PeerGroup);

public sealed record QuotaView(string Unit, string Stratum, int? Target, int Count, bool Full);

/// <summary>A survey as its managers see it: plan progress, schedule, current questionnaire.</summary>
public sealed record SurveyView(
    string Code, string Title, string? Description, string RegionCode, string UnitKind, IReadOnlyList<SurveyUnitView> Units, IReadOnlyList<StratumDefinition> Strata,
    QuotaMode QuotaMode, IReadOnlyList<QuotaView> Quotas, bool Anonymous, string? PublicToken, string? PublicUrl, DateTime OpensAt, DateTime ClosesAt, string State, int MinN,
    int Version, IReadOnlyList<Section> Sections, long Responses, long PartialResponses, IReadOnlyDictionary<string, long> ResponsesByChannel, DateTime CreatedAt, DateTime UpdatedAt);

public sealed record SurveySummary(string Code, string Title, string RegionCode, string State, DateTime OpensAt, DateTime ClosesAt, bool Anonymous, int Version, long Responses);

/// <summary>What a respondent sees: the questionnaire, and the units and strata to pick from when the link does not fix them.</summary>
public sealed record RespondentView(
    string Survey, string Title, string? Description, int Version, IReadOnlyList<Section> Sections, IReadOnlyList<SurveyUnitView> Units,
    IReadOnlyList<StratumDefinition> Strata, string? FixedUnit, string? FixedStratum, DateTime ClosesAt);

/// <summary>An answer set as sent: question code → number (scale value, number), text (option code, text) or list (option codes).</summary>
public sealed record PublicResponseRequest(string? Token, string? Unit, string? Stratum, string? Guard, Dictionary<string, JsonElement>? Answers);

public sealed record LinkResponseRequest(string? Token, Dictionary<string, JsonElement>? Answers);

public sealed record VoteRequest(string? Token, string? Guard, Dictionary<string, JsonElement>? Answers);

/// <summary>A phone interview entered by the interviewer; <c>respondentPhone</c> (not for anonymous surveys) is kept only as a blind index.</summary>
public sealed record InterviewRequest(string? Unit, string? Stratum, string? RespondentPhone, Dictionary<string, JsonElement>? Answers);

public sealed record PaperFormRequest(string? FormNo, string? Unit, string? Stratum, Dictionary<string, JsonElement>? Answers);

public sealed record PaperBatchRequest(string? BatchNo, List<PaperFormRequest>? Forms);

/// <summary>Links for a unit and stratum: <c>count</c> anonymous ones, or one per mobile; <c>send</c> queues an SMS invitation to each mobile.</summary>
public sealed record LinksRequest(string? Unit, string? Stratum, int? Count, List<string>? Mobiles, DateTime? ExpiresAt, bool? Send = null);

public sealed record SessionRequest(string? Title, string? Unit, string? Stratum);

/// <summary>A stored response's receipt: its channel, whether complete, and any quota warning.</summary>
public sealed record ResponseReceipt(Guid Id, string Survey, SurveyChannel Channel, SurveyResponseStatus Status, IReadOnlyList<string> Missing, string? QuotaWarning);

public sealed record PaperBatchReceipt(Guid Id, string BatchNo, int Forms, IReadOnlyList<ResponseReceipt> Responses);

public sealed record IssuedLink(string Token, string Url, DateTime ExpiresAt, string? Mobile);

public sealed record IssuedLinks(string Survey, string Unit, string Stratum, IReadOnlyList<IssuedLink> Links);

public sealed record SessionView(Guid Id, string Survey, string Title, string Unit, string Stratum, string? Token, string? Url, int Votes, DateTime OpenedAt, DateTime? ClosedAt);

/// <summary>One question of a live tally: votes per value, and for scale questions the figures of those votes.</summary>
public sealed record TallyQuestion(string Code, string Text, QuestionType Type, long Answers, IReadOnlyDictionary<string, long> Counts, CellStats? Figures);

public sealed record SessionTally(Guid Session, string Survey, int Votes, bool Closed, IReadOnlyList<TallyQuestion> Questions);

/// <summary>A response as listed to managers: no personal data, only whether a respondent key exists.</summary>
public sealed record ResponseView(
    Guid Id, int Version, string Unit, string Stratum, SurveyChannel Channel, SurveyResponseStatus Status, IReadOnlyDictionary<string, JsonElement> Answers,
    IReadOnlyList<string> Missing, string? EnteredBy, string? FormNo, Guid? SessionId, bool HasRespondentKey, DateTime SubmittedAt);

public sealed record FlagView(Guid Id, string Kind, IReadOnlyList<Guid> Responses, string? Interviewer, string Detail, string Status, string? ReviewNote, string? ReviewedBy, DateTime? ReviewedAt, DateTime CreatedAt);

public sealed record ScanResult(int Found, int New, IReadOnlyList<FlagView> Flags);

public sealed record ReviewRequest(string? Decision, string? Note);

/// <summary>Thresholds of an integrity scan; each is optional (defaults: 5 items, 20 responses, p &lt; 0.001, 5 index points).</summary>
public sealed record IntegrityScanRequest(int? StraightLiningMinItems, int? InterviewerMinN, double? InterviewerAlpha, double? InterviewerMinPoints);

/// <summary>Analysis results with the period and filters they cover.</summary>
public sealed record ResultsView(string Survey, DateTime? From, DateTime? To, bool IncludesPartial, SurveyResults Results);

public sealed record ComparisonView(string Survey, string Question, string By, IReadOnlyList<UnitComparison>? Units, IReadOnlyList<PeriodChange>? Periods);

public sealed record FigureView(string Survey, DateTime? From, DateTime? To, string Basis, IReadOnlyList<string> Questions, IReadOnlyList<SurveyUnitFigure> Units);
