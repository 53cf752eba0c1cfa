using System.Reflection;
using System.Security.Cryptography;

namespace Pingjia.Server.Pages;

/// <summary>
/// The pages' one stylesheet and one small script, embedded in the executable (no static-file folder to deploy, no web
/// fonts, no framework). URLs carry the content hash, so browsers cache them for good and never see a stale one.
/// </summary>
public static class Assets
{
    private sealed record Asset(byte[] Bytes, string ContentType, string Hash);

    private static readonly Dictionary<string, Asset> Files = Load();

    /// <summary>The URL of an asset with its content hash, for pages to link.</summary>
    public static string Url(string name) => $"/assets/{name}?v={Files[name].Hash}";

    public static void MapAssets(this IEndpointRouteBuilder app) =>
        app.MapGet("/assets/{name}", (string name, HttpContext http) =>
        {
            if (!Files.TryGetValue(name, out var asset))
            {
                return Results.NotFound();
            }

            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            http.Response.Headers.ETag = $"\"{asset.Hash}\"";
            return Results.Bytes(asset.Bytes, asset.ContentType);
        }).ExcludeFromDescription().AllowAnonymous();

    private static Dictionary<string, Asset> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var files = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (name, type) in new[] { ("site.css", "text/css; charset=utf-8"), ("site.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("Pingjia.Server.Assets." + name)
                ?? throw new InvalidOperationException($"Asset {name} is not embedded.");
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            var bytes = memory.ToArray();
            files[name] = new Asset(bytes, type, Convert.ToHexStringLower(SHA256.HashData(bytes))[..12]);
        }

        return files;
    }
}
