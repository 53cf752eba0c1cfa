using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Pingjia.Server.Infrastructure;

/// <summary>
/// Personal data at rest: SM4-GCM encryption (GB/T 32907) with a random nonce per value, and keyed SM3 blind
/// indexes for lookups. Separate keys for encryption, indexes and link signatures are derived from the one data key.
/// </summary>
public sealed class PersonalData
{
    private const string Prefix = "sm4gcm1:";
    private readonly byte[] _encryptionKey;
    private readonly byte[] _indexKey;
    private readonly byte[] _signingKey;

    public PersonalData(byte[] dataKey)
    {
        if (dataKey.Length != 16)
        {
            throw new ArgumentException("An SM4 key has 16 bytes.", nameof(dataKey));
        }

        _encryptionKey = Sm3.Hmac(dataKey, "pingjia/encrypt"u8)[..16];
        _indexKey = Sm3.Hmac(dataKey, "pingjia/blind-index"u8);
        _signingKey = Sm3.Hmac(dataKey, "pingjia/rating-link"u8);
    }

    /// <summary>The configured key, or in development a generated one kept in a file so data stays readable across restarts.</summary>
    public static PersonalData FromOptions(PingjiaOptions options)
    {
        if (options.DataKey is { } hex)
        {
            return new PersonalData(Convert.FromHexString(hex));
        }

        var path = Path.GetFullPath(options.DataKeyFile);
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (text.Length != 32 || !text.All(Uri.IsHexDigit))
            {
                throw new ConfigurationProblemException($"The development data key in {path} is not 32 hexadecimal digits.");
            }

            return new PersonalData(Convert.FromHexString(text));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = RandomNumberGenerator.GetBytes(16);
        File.WriteAllText(path, Convert.ToHexString(key));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new PersonalData(key);
    }

    public string? Encrypt(string? clear)
    {
        if (string.IsNullOrEmpty(clear))
        {
            return null;
        }

        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new GcmBlockCipher(new SM4Engine());
        cipher.Init(true, new AeadParameters(new KeyParameter(_encryptionKey), 128, nonce));
        var input = Encoding.UTF8.GetBytes(clear);
        var output = new byte[cipher.GetOutputSize(input.Length)];
        var length = cipher.ProcessBytes(input, 0, input.Length, output, 0);
        length += cipher.DoFinal(output, length);
        return Prefix + Convert.ToBase64String([.. nonce, .. output.AsSpan(0, length)]);
    }

    public string? Decrypt(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }

        if (!stored.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new CryptographicException("Unknown personal-data format.");
        }

        var bytes = Convert.FromBase64String(stored[Prefix.Length..]);
        var cipher = new GcmBlockCipher(new SM4Engine());
        cipher.Init(false, new AeadParameters(new KeyParameter(_encryptionKey), 128, bytes[..12]));
        var output = new byte[cipher.GetOutputSize(bytes.Length - 12)];
        var length = cipher.ProcessBytes(bytes, 12, bytes.Length - 12, output, 0);
        length += cipher.DoFinal(output, length);
        return Encoding.UTF8.GetString(output, 0, length);
    }

    /// <summary>A keyed hash of a normalised value, the same for the same value, useless without the key.</summary>
    public string? BlindIndex(string kind, string? value) =>
        string.IsNullOrEmpty(value)
            ? null
            : Convert.ToHexStringLower(Sm3.Hmac(_indexKey, Encoding.UTF8.GetBytes(kind + ":" + value.Trim().ToUpperInvariant())));

    public byte[] Sign(ReadOnlySpan<byte> payload) => Sm3.Hmac(_signingKey, payload);
}
