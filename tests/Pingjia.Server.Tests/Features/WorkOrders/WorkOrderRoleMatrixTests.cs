using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Pingjia.Domain.WorkOrders;
using Pingjia.Server.Features.WorkOrders;
using Pingjia.Server.Tests.Features.Ratings;
using Pingjia.Server.Tests.Infrastructure;

namespace Pingjia.Server.Tests.Features.WorkOrders;

/// <summary>One district with its agency's order; keys for every role there, and a bureau admin of another district.</summary>
public sealed class WorkOrderMatrixFixture : IAsyncLifetime
{
    public PingjiaFactory Factory { get; } = new();

    public RatingScenario Scenario { get; private set; } = null!;

    public Dictionary<string, HttpClient> Clients { get; } = [];

    public async Task InitializeAsync()
    {
        Scenario = await RatingScenario.CreateAsync(Factory);
        var other = await RatingScenario.CreateAsync(Factory);
        var s = Scenario;
        Clients["system_admin"] = s.Admin;
        foreach (var (name, body) in new (string, object)[]
        {
            ("bureau_admin", new { name = "b", role = "bureau_admin", regionCode = s.District }),
            ("agency_manager", new { name = "m", role = "agency_manager", agencyCreditCode = s.Agency }),
            ("staff", new { name = "s", role = "staff", agencyCreditCode = s.Agency }),
            ("integration", new { name = "i", role = "integration", regionCode = s.District }),
            ("evaluator", new { name = "e", role = "evaluator", regionCode = s.District }),
            ("outsider", new { name = "o", role = "bureau_admin", regionCode = other.District }),
        })
        {
            Clients[name] = Factory.Client((await PingjiaFactory.EnsureCreated(await s.Admin.PostAsJsonAsync("/api/v1/api-keys", body))).GetProperty("key").GetString());
        }
    }

    /// <summary>A fresh order in state Created (each case of the matrix gets its own, so no case depends on another).</summary>
    public async Task<string> NewOrderAsync()
    {
        var caseNo = await Scenario.FinishedCaseAsync();
        await HttpAssert.Json(await Scenario.RateAsync(RatingScenario.Rating(caseNo, 1, text: "很差")), 201);
        using var db = Factory.Db();
        return (await db.WorkOrders.SingleAsync(o => o.CaseNo == caseNo)).No;
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

public sealed class WorkOrderRoleMatrixTests(WorkOrderMatrixFixture fx) : IClassFixture<WorkOrderMatrixFixture>
{
    public static IEnumerable<object[]> Cases() =>
        from role in new[] { "system_admin", "bureau_admin", "agency_manager", "staff", "integration", "evaluator", "outsider" }
        from action in Enum.GetValues<WorkOrderAction>()
        select new object[] { role, action };

    /// <summary>
    /// On a new order: outside the scope 404; a role that is not the unit (for unit steps) or the supervisor (for supervisor
    /// steps) 403; the right role gets 200 when the step is legal in state Created (only dispatch is) and 409 otherwise.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Action_ByRoleAndScope_IsAllowedOnlyToTheRightSide(string role, WorkOrderAction action)
    {
        var no = await fx.NewOrderAsync();
        var body = new { method = "phone", summary = "s", outcome = "founded", measures = "m", explanation = "e", reason = "r", satisfaction = "satisfied", approve = true, workingDays = 2, targetAgencyCreditCode = fx.Scenario.Agency };
        var response = await fx.Clients[role].PostAsJsonAsync($"/api/v1/work-orders/{no}/{WorkOrderService.ToWire(action).Replace('_', '-')}", body);
        var side = WorkOrderRules.ActorOf(action) == WorkOrderActor.Unit ? new[] { "agency_manager", "system_admin" } : ["bureau_admin", "system_admin"];
        var expected = role == "outsider" ? 404 : !side.Contains(role) ? 403 : action == WorkOrderAction.Dispatch ? 200 : 409;
        Assert.True(expected == (int)response.StatusCode, $"{role} {action}: expected {expected}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
}
