using Pingjia.Domain.Access;

namespace Pingjia.Server.Pages;

public static class RoleTexts
{
    public static string Name(Role role) => role switch
    {
        Role.SystemAdmin => "系统管理员",
        Role.BureauAdmin => "数据管理局管理员",
        Role.AgencyManager => "机构负责人",
        Role.Staff => "工作人员",
        Role.Evaluator => "测评人员",
        Role.Auditor => "审计人员",
        _ => "系统对接",
    };
}
