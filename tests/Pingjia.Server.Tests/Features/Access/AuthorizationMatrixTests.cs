using System.Net.Http.Json;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Access;

/// <summary>
/// Two districts, A and B, each with an agency, a member of staff and a service item; one key per role, scoped to
/// district A (or its agency). Every role calls every endpoint on A's data and on B's data.
/// </summary>
public sealed class MatrixFixture : IAsyncLifetime
{
    public PingjiaFactory Factory { get; } = new();

    public Dictionary<string, string> Keys { get; } = [];

    public Side A { get; private set; } = null!;

    public Side B { get; private set; } = null!;

    private int _counter;

    public int Next() => Interlocked.Increment(ref _counter);

    public sealed record Side(string City, string District, string Agency, string StaffNo, string Item, string Secret);

    public async Task InitializeAsync()
    {
        var admin = Factory.Client();
        A = await CreateSide(admin);
        B = await CreateSide(admin);
        Keys["system_admin"] = PingjiaFactory.AdminKey;
        foreach (var (role, region, agency) in new[]
        {
            ("bureau_admin", A.District, (string?)null), ("evaluator", A.District, null), ("auditor", A.District, null),
            ("integration", A.District, null), ("agency_manager", null, A.Agency), ("staff", null, A.Agency),
        })
        {
            var key = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/api-keys",
                new { name = role, role, regionCode = region, agencyCreditCode = agency }));
            Keys[role] = key.GetProperty("key").GetString()!;
        }
    }

    private async Task<Side> CreateSide(HttpClient admin)
    {
        var (city, district) = await Factory.NewDistrictAsync(admin);
        // A marker stored in every name of this side: it may only come back to callers who can see the side.
        var secret = $"标记{Next():000}";
        await admin.PutAsJsonAsync($"/api/v1/regions/{district}", new { name = $"区{secret}" });
        var agency = Factory.NextCreditCode(district);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/agencies", new { creditCode = agency, name = $"局{secret}", kind = "department", regionCode = district }));
        var staffNo = $"S{Next():000}";
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = staffNo, name = $"员{secret}" }));
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/halls", new { name = $"厅{secret}" }));
        var item = $"ITEM-{agency[^6..]}";
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/items",
            new { itemCode = item, name = $"事项{secret}", itemType = "20", legalLimitDays = 10, promisedLimitDays = 5, issuesCertificate = false, agencyCreditCode = agency }));
        return new Side(city, district, agency, staffNo, item, secret);
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class AuthorizationMatrixTests(MatrixFixture fx) : IClassFixture<MatrixFixture>
{
    public static readonly string[] AllRoles = ["system_admin", "bureau_admin", "agency_manager", "staff", "evaluator", "auditor", "integration"];

    /// <summary>An endpoint, the roles that may write through it (null: a read open to every role), and the status on success.</summary>
    private sealed record Operation(string Name, string[]? Writers, int Success, Func<MatrixFixture, MatrixFixture.Side, HttpRequestMessage> Build);

    private static readonly Operation[] Operations =
    [
        new("get region", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/regions/{s.District}")),
        new("get agency", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/agencies/{s.Agency}")),
        new("get staff", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/agencies/{s.Agency}/staff/{s.StaffNo}")),
        new("list agency staff", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/agencies/{s.Agency}/staff")),
        new("get item", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/items/{s.Item}")),
        new("list halls", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/agencies/{s.Agency}/halls")),
        new("list regions under", null, 200, (_, s) => new(HttpMethod.Get, $"/api/v1/regions?under={s.District}")),
        new("create region", ["system_admin", "bureau_admin"], 201, (fx, s) => Json(HttpMethod.Post, "/api/v1/regions",
            new { code = $"{s.District[..6]}{fx.Next():000}000", name = "街道", parentCode = s.District })),
        new("create agency", ["system_admin", "bureau_admin"], 201, (fx, s) => Json(HttpMethod.Post, "/api/v1/agencies",
            new { creditCode = fx.Factory.NextCreditCode(s.District), name = "新机构", kind = "department", regionCode = s.District })),
        new("update agency", ["system_admin", "bureau_admin"], 200, (_, s) => Json(HttpMethod.Put, $"/api/v1/agencies/{s.Agency}",
            new { name = $"局{s.Secret}", kind = "department", regionCode = s.District })),
        new("create staff", ["system_admin", "bureau_admin", "agency_manager"], 201, (fx, s) => Json(HttpMethod.Post, $"/api/v1/agencies/{s.Agency}/staff",
            new { employeeNo = $"N{fx.Next():0000}", name = "新人" })),
        new("update staff", ["system_admin", "bureau_admin", "agency_manager"], 200, (_, s) => Json(HttpMethod.Put, $"/api/v1/agencies/{s.Agency}/staff/{s.StaffNo}",
            new { name = $"员{s.Secret}" })),
        new("create hall", ["system_admin", "bureau_admin", "agency_manager"], 201, (fx, s) => Json(HttpMethod.Post, $"/api/v1/agencies/{s.Agency}/halls",
            new { name = $"大厅{fx.Next()}" })),
        new("update item", ["system_admin", "bureau_admin", "integration"], 200, (_, s) => Json(HttpMethod.Put, $"/api/v1/items/{s.Item}",
            new { name = $"事项{s.Secret}", itemType = "20", legalLimitDays = 10, promisedLimitDays = 5, issuesCertificate = false, agencyCreditCode = s.Agency })),
        new("activate item", ["system_admin", "bureau_admin", "integration"], 200, (_, s) => new(HttpMethod.Post, $"/api/v1/items/{s.Item}/activate")),
        new("list users", ["system_admin", "bureau_admin"], 200, (_, _) => new(HttpMethod.Get, "/api/v1/users")),
    ];

    private static HttpRequestMessage Json(HttpMethod method, string url, object body) => new(method, url) { Content = JsonContent.Create(body) };

    public static IEnumerable<object[]> Cases() =>
        from role in AllRoles
        from op in Operations
        from inScope in new[] { true, false }
        where !(op.Name == "list users" && !inScope)
        select new object[] { role, op.Name, inScope };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Endpoint_RoleAndScope_AllowsOnlyInsideScope(string role, string operation, bool inScope)
    {
        var op = Operations.Single(o => o.Name == operation);
        var side = inScope ? fx.A : fx.B;
        var client = fx.Factory.Client(fx.Keys[role]);
        var response = await client.SendAsync(op.Build(fx, side));
        var body = await response.Content.ReadAsStringAsync();

        int expected;
        if (role == "system_admin")
        {
            expected = op.Success;
        }
        else if (op.Writers is not null && !op.Writers.Contains(role))
        {
            expected = 403;
        }
        else
        {
            expected = inScope ? op.Success : 404;
        }

        Assert.True(expected == (int)response.StatusCode, $"{role} {operation} ({(inScope ? "inside" : "outside")} scope): expected {expected}, got {(int)response.StatusCode}: {body}");
        if (!inScope && role != "system_admin")
        {
            // Outside the scope nothing stored for B may come back, not even in an error message.
            Assert.DoesNotContain(fx.B.Secret, body, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("bureau_admin")]
    [InlineData("agency_manager")]
    [InlineData("staff")]
    [InlineData("evaluator")]
    [InlineData("auditor")]
    [InlineData("integration")]
    public async Task Lists_ScopedRole_NeverIncludeOtherDistrict(string role)
    {
        var client = fx.Factory.Client(fx.Keys[role]);
        foreach (var url in new[] { "/api/v1/regions?pageSize=500", "/api/v1/agencies?pageSize=500", "/api/v1/staff?pageSize=500", "/api/v1/items?pageSize=500" })
        {
            var body = await (await client.GetAsync(url)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(fx.B.Secret, body, StringComparison.Ordinal);
            Assert.DoesNotContain(fx.B.District, body, StringComparison.Ordinal);
            Assert.DoesNotContain(fx.B.Agency, body, StringComparison.Ordinal);
            Assert.DoesNotContain(fx.B.Item, body, StringComparison.Ordinal);
            Assert.Contains(fx.A.Secret, body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lists_UnderOtherDistrict_Returns404ForScopedRole()
    {
        var client = fx.Factory.Client(fx.Keys["bureau_admin"]);
        await HttpAssert.Problem(await client.GetAsync($"/api/v1/agencies?under={fx.B.District}"), 404, "not_found");
    }

    [Fact]
    public async Task GrantRole_BureauAdmin_CannotMintSystemAdminOrOutsideScope()
    {
        var client = fx.Factory.Client(fx.Keys["bureau_admin"]);
        await HttpAssert.Problem(await client.PostAsJsonAsync("/api/v1/api-keys", new { name = "x", role = "system_admin" }), 403, "role_not_grantable");
        await HttpAssert.Problem(await client.PostAsJsonAsync("/api/v1/api-keys", new { name = "x", role = "evaluator", regionCode = fx.B.District }), 404, "region_not_found");
        var ok = await PingjiaFactory.EnsureCreated(await client.PostAsJsonAsync("/api/v1/api-keys", new { name = "x", role = "evaluator", regionCode = fx.A.District }));
        Assert.StartsWith("pj_", ok.GetProperty("key").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Anonymous_EveryApiEndpoint_Returns401()
    {
        var client = fx.Factory.Client(apiKey: null);
        foreach (var op in Operations)
        {
            await HttpAssert.Problem(await client.SendAsync(op.Build(fx, fx.A)), 401, "unauthorized");
        }
    }
}
