using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.WebEncoders;

namespace Pingjia.Server.Pages;

/// <summary>
/// The web pages (Razor Pages, server-rendered): the rater's page, the hall device, the console and the public pages.
/// Chinese by default; English with <c>?lang=en</c> (remembered in a cookie) or the browser's Accept-Language.
/// </summary>
public static class WebSetup
{
    public const string LanguageCookie = "pingjia_lang";

    /// <summary>Zh first: Chinese is the default and the fallback for anything not asked for in English.</summary>
    public static readonly CultureInfo[] Cultures = [new("zh-CN"), new("en")];

    public static IServiceCollection AddWeb(this IServiceCollection services)
    {
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/Console");
            o.Conventions.AllowAnonymousToPage("/Console/SignIn");
            o.Conventions.ConfigureFilter(new DomainExceptionPageFilter());
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "pingjia_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.FormFieldName = "__csrf";
            o.HeaderName = null;
        });
        // Chinese text goes out as UTF-8, not as &#x...; entities (a third of the bytes); <, >, &, quotes are still encoded.
        services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddSingleton<Texts>();
        services.AddScoped<Rate.RatingLinkFlow>();
        services.AddScoped<StatsReader>();
        services.Configure<RequestLocalizationOptions>(o =>
        {
            o.DefaultRequestCulture = new RequestCulture(Cultures[0]);
            o.SupportedCultures = Cultures;
            o.SupportedUICultures = Cultures;
            o.FallBackToParentCultures = true;
            o.FallBackToParentUICultures = true;
            o.RequestCultureProviders =
            [
                new CustomRequestCultureProvider(ctx => Task.FromResult(Chosen(ctx))),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return services;
    }

    /// <summary>Language, security headers and friendly status pages for everything that is not the JSON API.</summary>
    public static void UseWeb(this WebApplication app)
    {
        app.UseWhen(IsPage, web =>
        {
            web.Use(async (ctx, next) =>
            {
                if (ctx.Request.Query.TryGetValue("lang", out var lang) && lang.ToString() is "en" or "zh")
                {
                    ctx.Response.Cookies.Append(LanguageCookie, lang.ToString(), new CookieOptions
                    {
                        HttpOnly = true,
                        SameSite = SameSiteMode.Lax,
                        MaxAge = TimeSpan.FromDays(365),
                        IsEssential = true,
                    });
                }

                var headers = ctx.Response.Headers;
                // Pages load nothing from elsewhere and run only our one small script file; inline script never runs.
                headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                    + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                await next();
            });
            web.UseRequestLocalization();
            web.UseStatusCodePagesWithReExecute("/status/{0}");
        });
    }

    public static void MapWeb(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapAssets();
    }

    /// <summary>Pages are everything but the API, the OpenAPI document and the health probes.</summary>
    public static bool IsPage(HttpContext ctx) =>
        !ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/openapi")
        && !ctx.Request.Path.StartsWithSegments("/healthz") && !ctx.Request.Path.StartsWithSegments("/readyz");

    private static ProviderCultureResult? Chosen(HttpContext ctx)
    {
        var lang = ctx.Request.Query.TryGetValue("lang", out var q) ? q.ToString() : ctx.Request.Cookies[LanguageCookie];
        return lang switch
        {
            "en" => new ProviderCultureResult("en"),
            "zh" => new ProviderCultureResult("zh-CN"),
            _ => null,
        };
    }
}
