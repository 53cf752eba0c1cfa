namespace Pingjia.Domain;

/// <summary>What kind of failure a <see cref="DomainException"/> is, so the server can pick an HTTP status.</summary>
public enum ErrorKind
{
    Validation,
    NotFound,
    Conflict,
    Forbidden,
    Unauthorized,
    Gone,
}

/// <summary>
/// A rule was broken. Carries a stable machine-readable <see cref="Code"/> (snake_case) and a readable message;
/// validation failures also carry field-level errors.
/// </summary>
public sealed class DomainException : Exception
{
    public DomainException(ErrorKind kind, string code, string message, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(message)
    {
        Kind = kind;
        Code = code;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public ErrorKind Kind { get; }

    public string Code { get; }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public static DomainException NotFound(string what) =>
        new(ErrorKind.NotFound, "not_found", $"{what} was not found.");

    public static DomainException Conflict(string code, string message) =>
        new(ErrorKind.Conflict, code, message);

    public static DomainException Invalid(string code, string message, string? field = null) =>
        new(ErrorKind.Validation, code, message,
            field is null ? null : new Dictionary<string, string[]> { [field] = [message] });
}
