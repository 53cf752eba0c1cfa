namespace Pingjia.Server.Pages;

public static class AssessmentTexts
{
    public static string State(string state) => state switch
    {
        "open" => "录入中",
        "submitted" => "待审核",
        "approved" => "已审核",
        "returned" => "已退回",
        _ => state,
    };
}
