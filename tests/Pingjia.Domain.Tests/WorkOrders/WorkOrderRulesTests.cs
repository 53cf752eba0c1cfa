using Pingjia.Domain.WorkOrders;

namespace Pingjia.Domain.Tests.WorkOrders;

public sealed class WorkOrderRulesTests
{
    /// <summary>Every allowed transition, with the state it leads to.</summary>
    public static readonly TheoryData<WorkOrderState, WorkOrderAction, WorkOrderState> Allowed = new()
    {
        { WorkOrderState.Created, WorkOrderAction.Dispatch, WorkOrderState.Dispatched },
        { WorkOrderState.Dispatched, WorkOrderAction.Contact, WorkOrderState.Contacted },
        { WorkOrderState.Contacted, WorkOrderAction.Contact, WorkOrderState.Contacted },
        { WorkOrderState.Verified, WorkOrderAction.Contact, WorkOrderState.Verified },
        { WorkOrderState.Contacted, WorkOrderAction.Verify, WorkOrderState.Verified },
        { WorkOrderState.Verified, WorkOrderAction.Rectify, WorkOrderState.Rectified },
        { WorkOrderState.Verified, WorkOrderAction.Explain, WorkOrderState.Explained },
        { WorkOrderState.Rectified, WorkOrderAction.Approve, WorkOrderState.Closed },
        { WorkOrderState.Explained, WorkOrderAction.Approve, WorkOrderState.Closed },
        { WorkOrderState.Rectified, WorkOrderAction.SendBack, WorkOrderState.Verified },
        { WorkOrderState.Explained, WorkOrderAction.SendBack, WorkOrderState.Verified },
        { WorkOrderState.Closed, WorkOrderAction.RecordSatisfaction, WorkOrderState.Closed },
        { WorkOrderState.Dispatched, WorkOrderAction.RequestReroute, WorkOrderState.Dispatched },
        { WorkOrderState.Contacted, WorkOrderAction.RequestExtension, WorkOrderState.Contacted },
        { WorkOrderState.Verified, WorkOrderAction.RequestReroute, WorkOrderState.Verified },
    };

    [Theory]
    [MemberData(nameof(Allowed))]
    public void Next_AllowedTransition_GivesItsState(WorkOrderState from, WorkOrderAction action, WorkOrderState to) =>
        Assert.Equal(to, WorkOrderRules.Next(from, action, 1, Verification.Founded, HandlingSatisfaction.Satisfied));

    public static IEnumerable<object[]> Forbidden() =>
        from state in Enum.GetValues<WorkOrderState>()
        from action in Enum.GetValues<WorkOrderAction>()
        where !Allowed.Any(a => (WorkOrderState)a[0] == state && (WorkOrderAction)a[1] == action)
              && !(action is WorkOrderAction.DecideReroute or WorkOrderAction.DecideExtension && state != WorkOrderState.Closed)
              && !(action is WorkOrderAction.RequestReroute or WorkOrderAction.RequestExtension && state is WorkOrderState.Dispatched or WorkOrderState.Contacted or WorkOrderState.Verified)
        select new object[] { state, action };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public void Next_ForbiddenTransition_IsIllegal(WorkOrderState from, WorkOrderAction action)
    {
        var ex = Assert.Throws<DomainException>(() => WorkOrderRules.Next(from, action, 1, Verification.Founded, HandlingSatisfaction.Satisfied));
        Assert.Equal("illegal_transition", ex.Code);
        Assert.Equal(ErrorKind.Conflict, ex.Kind);
    }

    [Fact]
    public void Rectify_AfterUnfoundedVerification_IsIllegalButExplainIsAllowed()
    {
        Assert.Equal("illegal_transition", Assert.Throws<DomainException>(() => WorkOrderRules.Next(WorkOrderState.Verified, WorkOrderAction.Rectify, 1, Verification.Unfounded)).Code);
        Assert.Equal(WorkOrderState.Explained, WorkOrderRules.Next(WorkOrderState.Verified, WorkOrderAction.Explain, 1, Verification.Unfounded));
    }

    [Fact]
    public void Dissatisfied_ReopensOnceOnly()
    {
        Assert.Equal(WorkOrderState.Dispatched, WorkOrderRules.Next(WorkOrderState.Closed, WorkOrderAction.RecordSatisfaction, 1, satisfaction: HandlingSatisfaction.Dissatisfied));
        Assert.Equal(WorkOrderState.Closed, WorkOrderRules.Next(WorkOrderState.Closed, WorkOrderAction.RecordSatisfaction, 2, satisfaction: HandlingSatisfaction.Dissatisfied));
    }

    [Fact]
    public void ActorOf_SplitsUnitSupervisorAndRater()
    {
        Assert.Equal(WorkOrderActor.Supervisor, WorkOrderRules.ActorOf(WorkOrderAction.Dispatch));
        Assert.Equal(WorkOrderActor.Unit, WorkOrderRules.ActorOf(WorkOrderAction.Rectify));
        Assert.Equal(WorkOrderActor.Rater, WorkOrderRules.ActorOf(WorkOrderAction.RecordSatisfaction));
    }
}
