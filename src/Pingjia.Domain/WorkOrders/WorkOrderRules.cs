namespace Pingjia.Domain.WorkOrders;

/// <summary>Where a bad-rating work order (差评工单) stands.</summary>
public enum WorkOrderState
{
    Created,
    Dispatched,
    Contacted,
    Verified,
    Rectified,
    Explained,
    Closed,
}

/// <summary>What can be done to a work order. Who may do it is decided by the server (role and scope).</summary>
public enum WorkOrderAction
{
    Dispatch,
    Contact,
    Verify,
    Rectify,
    Explain,
    Approve,
    SendBack,
    RecordSatisfaction,
    RequestReroute,
    DecideReroute,
    RequestExtension,
    DecideExtension,
}

/// <summary>The outcome of verification (核实).</summary>
public enum Verification
{
    Founded,
    PartlyFounded,
    Unfounded,
    Malicious,
}

/// <summary>The rater's view of the handling (整改满意度).</summary>
public enum HandlingSatisfaction
{
    Satisfied,
    BasicallySatisfied,
    Dissatisfied,
}

/// <summary>Which side acts: the handling unit (agency) or the supervisor (bureau), or the rater.</summary>
public enum WorkOrderActor
{
    Unit,
    Supervisor,
    Rater,
}

/// <summary>
/// The state machine of DESIGN.md (Closing the loop): created → dispatched → contacted → verified → rectified or explained
/// → reviewed by the supervisor (approve closes, send back returns to verified); after closing the rater's 不满意 reopens
/// the order once for a second round. Requests to re-route or extend do not move the state.
/// </summary>
public static class WorkOrderRules
{
    public const int MaxRounds = 2;

    /// <summary>Who acts for each action.</summary>
    public static WorkOrderActor ActorOf(WorkOrderAction action) => action switch
    {
        WorkOrderAction.Dispatch or WorkOrderAction.Approve or WorkOrderAction.SendBack or WorkOrderAction.DecideReroute or WorkOrderAction.DecideExtension => WorkOrderActor.Supervisor,
        WorkOrderAction.RecordSatisfaction => WorkOrderActor.Rater,
        _ => WorkOrderActor.Unit,
    };

    /// <summary>
    /// The state after <paramref name="action"/>, or a 409 <c>illegal_transition</c> naming what is allowed instead.
    /// <paramref name="verification"/> is the recorded outcome (rectify needs a founded one); <paramref name="satisfaction"/>
    /// the rater's answer for <see cref="WorkOrderAction.RecordSatisfaction"/>.
    /// </summary>
    public static WorkOrderState Next(WorkOrderState state, WorkOrderAction action, int round, Verification? verification = null, HandlingSatisfaction? satisfaction = null)
    {
        var next = Transition(state, action, round, verification, satisfaction);
        if (next is null)
        {
            var why = action == WorkOrderAction.Rectify && state == WorkOrderState.Verified
                ? " Rectification needs a founded or partly founded verification; an unfounded one is explained."
                : $" Allowed now: {string.Join(", ", Allowed(state, verification))}.";
            throw DomainException.Conflict("illegal_transition", $"A work order that is {state} cannot take the action {action}.{why}");
        }

        return next.Value;
    }

    /// <summary>The actions that make sense in a state (for pages and error messages).</summary>
    public static IReadOnlyList<WorkOrderAction> Allowed(WorkOrderState state, Verification? verification = null) =>
        [.. Enum.GetValues<WorkOrderAction>().Where(a => Transition(state, a, 1, verification ?? Verification.Founded, HandlingSatisfaction.Satisfied) is not null)];

    private static WorkOrderState? Transition(WorkOrderState state, WorkOrderAction action, int round, Verification? verification, HandlingSatisfaction? satisfaction) =>
        (state, action) switch
        {
            (WorkOrderState.Created, WorkOrderAction.Dispatch) => WorkOrderState.Dispatched,
            (WorkOrderState.Dispatched, WorkOrderAction.Contact) => WorkOrderState.Contacted,
            // A later contact is recorded without moving the order back.
            (WorkOrderState.Contacted or WorkOrderState.Verified, WorkOrderAction.Contact) => state,
            (WorkOrderState.Contacted, WorkOrderAction.Verify) => WorkOrderState.Verified,
            (WorkOrderState.Verified, WorkOrderAction.Rectify) when verification is Verification.Founded or Verification.PartlyFounded => WorkOrderState.Rectified,
            (WorkOrderState.Verified, WorkOrderAction.Explain) => WorkOrderState.Explained,
            (WorkOrderState.Rectified or WorkOrderState.Explained, WorkOrderAction.Approve) => WorkOrderState.Closed,
            (WorkOrderState.Rectified or WorkOrderState.Explained, WorkOrderAction.SendBack) => WorkOrderState.Verified,
            (WorkOrderState.Closed, WorkOrderAction.RecordSatisfaction) =>
                satisfaction == HandlingSatisfaction.Dissatisfied && round < MaxRounds ? WorkOrderState.Dispatched : WorkOrderState.Closed,
            (WorkOrderState.Dispatched or WorkOrderState.Contacted or WorkOrderState.Verified, WorkOrderAction.RequestReroute or WorkOrderAction.RequestExtension) => state,
            (not WorkOrderState.Closed, WorkOrderAction.DecideReroute or WorkOrderAction.DecideExtension) => state,
            _ => null,
        };
}
