using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Access;

public sealed class AccessApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private HttpClient CookieClient() => factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true });

    [Fact]
    public async Task ApiKey_CreatedThenRevoked_StopsWorking()
    {
        var admin = factory.Client();
        var created = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/api-keys", new { name = "业务系统", role = "integration", regionCode = (await factory.NewDistrictAsync(admin)).District }));
        var key = created.GetProperty("key").GetString()!;
        var keyClient = factory.Client(key);
        var me = await HttpAssert.Json(await keyClient.GetAsync("/api/v1/auth/me"), 200);
        Assert.Equal("integration", me.GetProperty("role").GetString());

        var list = await (await admin.GetAsync("/api/v1/api-keys?pageSize=500")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(key, list, StringComparison.Ordinal); // the secret is shown once only

        await HttpAssert.Json(await admin.PostAsync($"/api/v1/api-keys/{created.GetProperty("id").GetGuid()}/revoke", null), 200);
        await HttpAssert.Problem(await keyClient.GetAsync("/api/v1/auth/me"), 401, "unauthorized");
    }

    [Fact]
    public async Task ApiKey_MalformedOrUnknown_Returns401()
    {
        await HttpAssert.Problem(await factory.Client("not-a-key").GetAsync("/api/v1/regions"), 401, "unauthorized");
        await HttpAssert.Problem(await factory.Client("pj_abcdefgh_0123456789abcdefghijkmnpqrstuvwxyz23").GetAsync("/api/v1/regions"), 401, "unauthorized");
    }

    [Fact]
    public async Task User_SignInWithPassword_GetsScopedCookieSession()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/users",
            new { userName = "district.admin", displayName = "区管理员", password = "correct horse battery", role = "bureau_admin", regionCode = district }));
        var client = CookieClient();
        var me = await HttpAssert.Json(await client.PostAsJsonAsync("/api/v1/auth/sign-in", new { userName = "district.admin", password = "correct horse battery" }), 200);
        Assert.Equal(district, me.GetProperty("regionCode").GetString());
        await HttpAssert.Json(await client.GetAsync($"/api/v1/regions/{district}"), 200);
        await HttpAssert.Problem(await client.GetAsync("/api/v1/audit"), 403, "forbidden");
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync("/api/v1/auth/sign-out", null)).StatusCode);
        await HttpAssert.Problem(await client.GetAsync($"/api/v1/regions/{district}"), 401, "unauthorized");
    }

    [Fact]
    public async Task User_PasswordStoredWithKdf_NotInClear()
    {
        var admin = factory.Client();
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/users",
            new { userName = "kdf.check", displayName = "x", password = "very secret words", role = "system_admin" }));
        using var db = factory.Db();
        var hash = db.Users.Single(u => u.UserName == "kdf.check").PasswordHash;
        Assert.StartsWith("pbkdf2-sha256$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain("very secret words", hash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_FiveWrongPasswords_LocksAccount()
    {
        var admin = factory.Client();
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/users",
            new { userName = "lock.me", displayName = "x", password = "right password 1", role = "system_admin" }));
        var client = CookieClient();
        for (var i = 0; i < 5; i++)
        {
            await HttpAssert.Problem(await client.PostAsJsonAsync("/api/v1/auth/sign-in", new { userName = "lock.me", password = "wrong" }), 401, "invalid_credentials");
        }

        await HttpAssert.Problem(await client.PostAsJsonAsync("/api/v1/auth/sign-in", new { userName = "lock.me", password = "right password 1" }), 401, "account_locked");
    }

    [Fact]
    public async Task User_BadInput_IsRejectedPerField()
    {
        var problem = await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/users",
            new { userName = "A B", displayName = "", password = "short", role = (string?)null }), 400, "validation_failed");
        foreach (var f in new[] { "userName", "displayName", "password", "role" })
        {
            Assert.Contains(f, HttpAssert.Fields(problem));
        }

        await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/users",
            new { userName = "scope.missing", displayName = "x", password = "long enough pw", role = "bureau_admin" }), 400, "validation_failed");
        await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/users",
            new { userName = "bad.role", displayName = "x", password = "long enough pw", role = "emperor" }), 400, "malformed_json");
    }

    [Fact]
    public async Task User_Duplicate_Returns409()
    {
        var admin = factory.Client();
        var body = new { userName = "dup.user", displayName = "x", password = "long enough pw", role = "system_admin" };
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/users", body));
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/users", body), 409, "duplicate_user");
    }
}
