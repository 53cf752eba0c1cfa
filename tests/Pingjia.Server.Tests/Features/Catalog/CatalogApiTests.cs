using System.Net.Http.Json;
using System.Text;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.Catalog;

public sealed class RegionsApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Create_ValidTree_ReturnsLevelsAndParents()
    {
        var admin = factory.Client();
        var (city, district) = await factory.NewDistrictAsync(admin);
        var street = district[..6] + "001000";
        var created = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/regions", new { code = street, name = "某街道", parentCode = district }));
        Assert.Equal("township", created.GetProperty("level").GetString());
        Assert.Equal(district, created.GetProperty("parentCode").GetString());

        var got = await HttpAssert.Json(await admin.GetAsync($"/api/v1/regions/{district}"), 200);
        Assert.Equal("county", got.GetProperty("level").GetString());
        Assert.Equal(city, got.GetProperty("parentCode").GetString());
    }

    [Fact]
    public async Task List_UnderCity_ReturnsOnlyItsSubtree()
    {
        var admin = factory.Client();
        var (cityA, districtA) = await factory.NewDistrictAsync(admin);
        var (_, districtB) = await factory.NewDistrictAsync(admin);
        var page = await HttpAssert.Json(await admin.GetAsync($"/api/v1/regions?under={cityA}&pageSize=100"), 200);
        var codes = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()).ToList();
        Assert.Contains(cityA, codes);
        Assert.Contains(districtA, codes);
        Assert.DoesNotContain(districtB, codes);
        Assert.Equal(codes.Count, page.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task List_TextFilter_MatchesNameOrCode()
    {
        var admin = factory.Client();
        var (city, district) = await factory.NewDistrictAsync(admin);
        var street = district[..6] + "002000";
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/regions", new { code = street, name = "独一无二街道", parentCode = district }));
        var page = await HttpAssert.Json(await admin.GetAsync($"/api/v1/regions?q={Uri.EscapeDataString("独一无二")}"), 200);
        Assert.Equal(street, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("code").GetString());
        var byCode = await HttpAssert.Json(await admin.GetAsync($"/api/v1/regions?q={city[..4]}&under={city}"), 200);
        Assert.True(byCode.GetProperty("total").GetInt32() >= 3);
    }

    [Fact]
    public async Task List_BadPaging_ReturnsValidationProblem()
    {
        var problem = await HttpAssert.Problem(await factory.Client().GetAsync("/api/v1/regions?pageSize=501"), 400, "validation_failed");
        Assert.Contains("pageSize", HttpAssert.Fields(problem));
        await HttpAssert.Problem(await factory.Client().GetAsync("/api/v1/regions?page=abc"), 400, "malformed_request");
    }

    [Fact]
    public async Task Create_MissingFields_ListsEachField()
    {
        var problem = await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/regions", new { }), 400, "validation_failed");
        Assert.Contains("code", HttpAssert.Fields(problem));
        Assert.Contains("name", HttpAssert.Fields(problem));
    }

    [Theory]
    [InlineData("44030400000")]
    [InlineData("4403040000001")]
    [InlineData("44030A000000")]
    [InlineData("000000000000")]
    [InlineData("440000001000")]
    public async Task Create_MalformedCode_IsRejected(string code)
    {
        var problem = await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/regions", new { code, name = "x", parentCode = "440000000000" }), 400, "validation_failed");
        Assert.Contains("code", HttpAssert.Fields(problem));
    }

    [Fact]
    public async Task Create_Duplicate_Returns409()
    {
        var admin = factory.Client();
        var (city, district) = await factory.NewDistrictAsync(admin);
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/regions", new { code = district, name = "again", parentCode = city }), 409, "duplicate_region");
    }

    [Fact]
    public async Task Create_UnknownParent_Returns404WithField()
    {
        var admin = factory.Client();
        var problem = await HttpAssert.Problem(
            await admin.PostAsJsonAsync("/api/v1/regions", new { code = "991101000000", name = "x", parentCode = "991100000000" }), 404, "parent_not_found");
        Assert.Contains("parentCode", HttpAssert.Fields(problem));
    }

    [Fact]
    public async Task Create_ParentNotAnAncestor_IsRejected()
    {
        var admin = factory.Client();
        var (city, _) = await factory.NewDistrictAsync(admin);
        var otherCity = city[..2] + "98" + "00000000";
        var problem = await HttpAssert.Problem(
            await admin.PostAsJsonAsync("/api/v1/regions", new { code = otherCity[..4] + "01000000", name = "x", parentCode = city }), 400, "validation_failed");
        Assert.Contains("parentCode", HttpAssert.Fields(problem));
    }

    [Fact]
    public async Task Update_Name_ChangesAndIsAudited()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var updated = await HttpAssert.Json(await admin.PutAsJsonAsync($"/api/v1/regions/{district}", new { name = "新名字" }), 200);
        Assert.Equal("新名字", updated.GetProperty("name").GetString());
        var audit = await HttpAssert.Json(await admin.GetAsync($"/api/v1/audit?entityType=region&entityId={district}"), 200);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "region.updated");
    }

    [Fact]
    public async Task Update_Unknown_Returns404()
    {
        await HttpAssert.Problem(await factory.Client().PutAsJsonAsync("/api/v1/regions/981234000000", new { name = "x" }), 404, "not_found");
    }

    [Fact]
    public async Task Deactivate_WithActiveAgency_Returns409ThenSucceedsAfterAgencyDeactivated()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        await HttpAssert.Problem(await admin.PostAsync($"/api/v1/regions/{district}/deactivate", null), 409, "region_in_use");
        await HttpAssert.Json(await admin.PostAsync($"/api/v1/agencies/{agency}/deactivate", null), 200);
        var region = await HttpAssert.Json(await admin.PostAsync($"/api/v1/regions/{district}/deactivate", null), 200);
        Assert.False(region.GetProperty("isActive").GetBoolean());
        var reactivated = await HttpAssert.Json(await admin.PostAsync($"/api/v1/regions/{district}/activate", null), 200);
        Assert.True(reactivated.GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task Create_OversizeBody_Returns413()
    {
        var body = new StringContent("{\"code\":\"" + new string('1', 70_000) + "\"}", Encoding.UTF8, "application/json");
        await HttpAssert.Problem(await factory.Client().PostAsync("/api/v1/regions", body), 413, "payload_too_large");
    }

    [Fact]
    public async Task Create_WrongContentType_Returns415()
    {
        var body = new StringContent("code=1", Encoding.UTF8, "application/x-www-form-urlencoded");
        await HttpAssert.Problem(await factory.Client().PostAsync("/api/v1/regions", body), 415, "unsupported_media_type");
    }

    [Fact]
    public async Task Create_MalformedJson_Returns400()
    {
        var body = new StringContent("{\"code\": ", Encoding.UTF8, "application/json");
        await HttpAssert.Problem(await factory.Client().PostAsync("/api/v1/regions", body), 400, "malformed_json");
        var wrongType = new StringContent("{\"code\": 5, \"name\": []}", Encoding.UTF8, "application/json");
        await HttpAssert.Problem(await factory.Client().PostAsync("/api/v1/regions", wrongType), 400, "malformed_json");
    }
}

public sealed class AgenciesApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Create_Valid_ReturnsAgencyWithRegion()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var code = factory.NextCreditCode(district);
        var created = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/agencies",
            new { creditCode = code, name = "某区政务服务数据管理局", kind = "department", regionCode = district }));
        Assert.Equal(district, created.GetProperty("regionCode").GetString());
        var got = await HttpAssert.Json(await admin.GetAsync($"/api/v1/agencies/{code}"), 200);
        Assert.Equal("某区政务服务数据管理局", got.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Create_BadCheckCharacter_IsRejected()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var code = factory.NextCreditCode(district);
        var wrong = code[..17] + (code[17] == '0' ? '1' : '0');
        var problem = await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/agencies",
            new { creditCode = wrong, name = "x", kind = "department", regionCode = district }), 400, "validation_failed");
        Assert.Contains("creditCode", HttpAssert.Fields(problem));
    }

    [Fact]
    public async Task Create_MissingFields_ListsEachField()
    {
        var problem = await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/agencies", new { name = "" }), 400, "validation_failed");
        var fields = HttpAssert.Fields(problem);
        Assert.Contains("creditCode", fields);
        Assert.Contains("name", fields);
        Assert.Contains("kind", fields);
        Assert.Contains("regionCode", fields);
    }

    [Fact]
    public async Task Create_Duplicate_Returns409()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var code = await factory.NewAgencyAsync(district, admin);
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/agencies", new { creditCode = code, name = "x", kind = "department", regionCode = district }), 409, "duplicate_agency");
    }

    [Fact]
    public async Task Create_UnknownRegionOrParent_Returns404()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/agencies",
            new { creditCode = factory.NextCreditCode(district), name = "x", kind = "department", regionCode = "979797000000" }), 404, "region_not_found");
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/agencies",
            new { creditCode = factory.NextCreditCode(district), name = "x", kind = "department", regionCode = district, parentCreditCode = factory.NextCreditCode(district) }), 404, "parent_not_found");
    }

    [Fact]
    public async Task Update_ParentCycle_IsRejected()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var parent = await factory.NewAgencyAsync(district, admin);
        var child = factory.NextCreditCode(district);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/agencies", new { creditCode = child, name = "child", kind = "service_centre", regionCode = district, parentCreditCode = parent }));
        await HttpAssert.Problem(await admin.PutAsJsonAsync($"/api/v1/agencies/{parent}", new { name = "p", kind = "department", regionCode = district, parentCreditCode = child }), 400, "parent_cycle");
    }

    [Fact]
    public async Task HallsAndWindows_CreateListUpdate_Work()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        var hall = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/halls", new { name = "政务服务大厅", address = "某路1号" }));
        var hallId = hall.GetProperty("id").GetGuid();
        await HttpAssert.Problem(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/halls", new { name = "政务服务大厅" }), 409, "duplicate_hall");
        var window = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/halls/{hallId}/windows", new { number = "A01", name = "综合受理" }));
        await HttpAssert.Problem(await admin.PostAsJsonAsync($"/api/v1/halls/{hallId}/windows", new { number = "A01", name = "again" }), 409, "duplicate_window");
        await HttpAssert.Problem(await admin.PostAsJsonAsync($"/api/v1/halls/{hallId}/windows", new { number = "A 01!", name = "" }), 400, "validation_failed");
        var windowId = window.GetProperty("id").GetGuid();
        var updated = await HttpAssert.Json(await admin.PutAsJsonAsync($"/api/v1/windows/{windowId}", new { number = "A02", name = "综合受理二" }), 200);
        Assert.Equal("A02", updated.GetProperty("number").GetString());
        var list = await HttpAssert.Json(await admin.GetAsync($"/api/v1/halls/{hallId}/windows"), 200);
        Assert.Single(list.EnumerateArray());
        var halls = await HttpAssert.Json(await admin.GetAsync($"/api/v1/agencies/{agency}/halls"), 200);
        Assert.Equal("政务服务大厅", Assert.Single(halls.EnumerateArray()).GetProperty("name").GetString());
        await HttpAssert.Problem(await admin.GetAsync($"/api/v1/windows/{Guid.NewGuid()}"), 404, "not_found");
        await HttpAssert.Json(await admin.PutAsJsonAsync($"/api/v1/halls/{hallId}", new { name = "新大厅" }), 200);
        var offWindow = await HttpAssert.Json(await admin.PostAsync($"/api/v1/windows/{windowId}/deactivate", null), 200);
        Assert.False(offWindow.GetProperty("isActive").GetBoolean());
        var offHall = await HttpAssert.Json(await admin.PostAsync($"/api/v1/halls/{hallId}/deactivate", null), 200);
        Assert.False(offHall.GetProperty("isActive").GetBoolean());
        await HttpAssert.Problem(await admin.PostAsync($"/api/v1/halls/{Guid.NewGuid()}/activate", null), 404, "not_found");
    }

    [Fact]
    public async Task List_FilterByKindAndText_Works()
    {
        var admin = factory.Client();
        var (city, district) = await factory.NewDistrictAsync(admin);
        var code = factory.NextCreditCode(district);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/agencies", new { creditCode = code, name = "罕见名称中心", kind = "service_centre", regionCode = district }));
        var page = await HttpAssert.Json(await admin.GetAsync($"/api/v1/agencies?under={city}&kind=service_centre&q={Uri.EscapeDataString("罕见")}"), 200);
        Assert.Equal(code, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("creditCode").GetString());
    }
}

public sealed class StaffApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    [Fact]
    public async Task Staff_CreateGetUpdateDeactivate_Works()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = "S001", name = "王小明" }));
        await HttpAssert.Problem(await admin.PostAsJsonAsync($"/api/v1/agencies/{agency}/staff", new { employeeNo = "S001", name = "王小明" }), 409, "duplicate_staff");
        var updated = await HttpAssert.Json(await admin.PutAsJsonAsync($"/api/v1/agencies/{agency}/staff/S001", new { name = "王明" }), 200);
        Assert.Equal("王明", updated.GetProperty("name").GetString());
        var off = await HttpAssert.Json(await admin.PostAsync($"/api/v1/agencies/{agency}/staff/S001/deactivate", null), 200);
        Assert.False(off.GetProperty("isActive").GetBoolean());
        var list = await HttpAssert.Json(await admin.GetAsync($"/api/v1/staff?agency={agency}&active=false"), 200);
        Assert.Equal("S001", Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("employeeNo").GetString());
    }

    [Fact]
    public async Task Staff_SameNumberInTwoAgencies_IsAllowed()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var a = await factory.NewAgencyAsync(district, admin);
        var b = await factory.NewAgencyAsync(district, admin);
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{a}/staff", new { employeeNo = "0001", name = "甲" }));
        await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync($"/api/v1/agencies/{b}/staff", new { employeeNo = "0001", name = "乙" }));
    }

    [Fact]
    public async Task Staff_BadInputAndUnknownAgency_AreRejected()
    {
        var admin = factory.Client();
        var problem = await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/agencies/91440300MA5XXXXXXX/staff", new { employeeNo = "bad no", name = "" }), 400, "validation_failed");
        Assert.Contains("employeeNo", HttpAssert.Fields(problem));
        Assert.Contains("name", HttpAssert.Fields(problem));
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/agencies/91440300MA5XXXXXXX/staff", new { employeeNo = "S1", name = "x" }), 404, "not_found");
        await HttpAssert.Problem(await admin.GetAsync("/api/v1/agencies/91440300MA5XXXXXXX/staff/S1"), 404, "not_found");
    }
}

public sealed class ItemsApiTests(PingjiaFactory factory) : IClassFixture<PingjiaFactory>
{
    private static object Item(string code, string agency, int legal = 20, int promised = 5, string type = "01") =>
        new { itemCode = code, name = "企业设立登记", itemType = type, legalLimitDays = legal, promisedLimitDays = promised, issuesCertificate = true, agencyCreditCode = agency };

    [Fact]
    public async Task Item_CreateGetUpdateDeactivate_Works()
    {
        var admin = factory.Client();
        var (city, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        var code = "11440300MB2C" + Guid.NewGuid().ToString("N")[..10];
        var created = await PingjiaFactory.EnsureCreated(await admin.PostAsJsonAsync("/api/v1/items", Item(code, agency)));
        Assert.True(created.GetProperty("issuesCertificate").GetBoolean());
        await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/items", Item(code, agency)), 409, "duplicate_item");
        var updated = await HttpAssert.Json(await admin.PutAsJsonAsync($"/api/v1/items/{code}",
            new { name = "企业变更登记", itemType = "01", legalLimitDays = 15, promisedLimitDays = 3, issuesCertificate = false, agencyCreditCode = agency }), 200);
        Assert.Equal(3, updated.GetProperty("promisedLimitDays").GetInt32());
        var list = await HttpAssert.Json(await admin.GetAsync($"/api/v1/items?under={city}&q={Uri.EscapeDataString("变更")}"), 200);
        Assert.Equal(code, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("itemCode").GetString());
        var off = await HttpAssert.Json(await admin.PostAsync($"/api/v1/items/{code}/deactivate", null), 200);
        Assert.False(off.GetProperty("isActive").GetBoolean());
    }

    [Fact]
    public async Task Item_InvalidFields_AreEachReported()
    {
        var admin = factory.Client();
        var problem = await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/items",
            new { itemCode = "x", name = "", itemType = "42", legalLimitDays = -1, promisedLimitDays = 99999 }), 400, "validation_failed");
        var fields = HttpAssert.Fields(problem);
        foreach (var f in new[] { "itemCode", "name", "itemType", "legalLimitDays", "promisedLimitDays", "issuesCertificate", "agencyCreditCode" })
        {
            Assert.Contains(f, fields);
        }
    }

    [Fact]
    public async Task Item_PromisedOverLegal_IsRejected()
    {
        var admin = factory.Client();
        var (_, district) = await factory.NewDistrictAsync(admin);
        var agency = await factory.NewAgencyAsync(district, admin);
        var problem = await HttpAssert.Problem(await admin.PostAsJsonAsync("/api/v1/items", Item("ITEM-" + Guid.NewGuid().ToString("N")[..8], agency, legal: 5, promised: 10)), 400, "validation_failed");
        Assert.Contains("promisedLimitDays", HttpAssert.Fields(problem));
    }

    [Fact]
    public async Task Item_UnknownAgency_Returns404()
    {
        await HttpAssert.Problem(await factory.Client().PostAsJsonAsync("/api/v1/items", Item("ITEM-UNKNOWN1", "91440300MA5XXXXXXX")), 404, "not_found");
    }
}
