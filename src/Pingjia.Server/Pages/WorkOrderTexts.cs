using Pingjia.Domain.WorkOrders;

namespace Pingjia.Server.Pages;

/// <summary>Chinese names of work-order states, actions and outcomes (English through <see cref="Texts"/>).</summary>
public static class WorkOrderTexts
{
    public static string Satisfaction(HandlingSatisfaction s) => s switch
    {
        HandlingSatisfaction.Satisfied => "满意",
        HandlingSatisfaction.BasicallySatisfied => "基本满意",
        _ => "不满意",
    };

    public static string State(WorkOrderState s) => s switch
    {
        WorkOrderState.Created => "待转办",
        WorkOrderState.Dispatched => "待回访",
        WorkOrderState.Contacted => "已回访",
        WorkOrderState.Verified => "已核实",
        WorkOrderState.Rectified => "已整改待审核",
        WorkOrderState.Explained => "已解释待审核",
        _ => "已办结",
    };

    public static string Action(WorkOrderAction a) => a switch
    {
        WorkOrderAction.Dispatch => "转办",
        WorkOrderAction.Contact => "回访",
        WorkOrderAction.Verify => "核实",
        WorkOrderAction.Rectify => "整改",
        WorkOrderAction.Explain => "解释说明",
        WorkOrderAction.Approve => "审核通过",
        WorkOrderAction.SendBack => "退回",
        WorkOrderAction.RecordSatisfaction => "记录满意度",
        WorkOrderAction.RequestReroute => "申请改派",
        WorkOrderAction.DecideReroute => "审批改派",
        WorkOrderAction.RequestExtension => "申请延期",
        _ => "审批延期",
    };

    public static string Verification(Verification v) => v switch
    {
        Domain.WorkOrders.Verification.Founded => "属实",
        Domain.WorkOrders.Verification.PartlyFounded => "部分属实",
        Domain.WorkOrders.Verification.Unfounded => "不属实",
        _ => "恶意差评",
    };

    /// <summary>The name of a history entry (an action's wire name, or <c>created</c>, <c>warned</c>, …).</summary>
    public static string Event(string wire) =>
        Enum.TryParse<WorkOrderAction>(wire.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var a) ? Action(a) : wire switch
        {
            "created" => "生成工单",
            "warning" => "临期预警",
            "overdue" => "超期",
            "escalated" => "督办",
            _ => wire,
        };
}
