namespace Pingjia.Domain;

/// <summary>
/// Collects field errors of one input and throws them together, so a client learns every problem at once.
/// </summary>
public sealed class Validation
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsValid => _errors.Count == 0;

    public Validation Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    /// <summary>Adds an error unless <paramref name="ok"/> holds.</summary>
    public Validation Check(bool ok, string field, string message) => ok ? this : Add(field, message);

    /// <summary>Requires a non-blank string of at most <paramref name="maxLength"/> characters.</summary>
    public Validation Required(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, $"{field} is required.");
        }

        return Check(value.Length <= maxLength, field, $"{field} must be at most {maxLength} characters.");
    }

    /// <summary>An optional string: when present, at most <paramref name="maxLength"/> characters.</summary>
    public Validation Optional(string? value, string field, int maxLength) =>
        Check(value is null || value.Length <= maxLength, field, $"{field} must be at most {maxLength} characters.");

    public IReadOnlyDictionary<string, string[]> Errors =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    /// <summary>Throws a <c>validation_failed</c> error listing every field error, if there are any.</summary>
    public void ThrowIfInvalid(string code = "validation_failed")
    {
        if (!IsValid)
        {
            throw new DomainException(ErrorKind.Validation, code, "One or more fields are invalid.", Errors);
        }
    }
}
