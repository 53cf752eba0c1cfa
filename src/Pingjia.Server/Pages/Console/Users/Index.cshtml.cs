using Microsoft.AspNetCore.Mvc;
using Pingjia.Data;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Pages.Console.Users;

/// <summary>User accounts inside the admin's scope, and new ones, through the API's handlers (roles granted only within scope).</summary>
public sealed class IndexModel(PingjiaDbContext db, Caller caller, AuditLog audit, TimeProvider time) : WebPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int? PageNumber { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public Page<UserResponse> Users { get; private set; } = new([], 0, 1, 50);

    public IEnumerable<Role> Grantable => Enum.GetValues<Role>().Where(r => Roles.CanGrant(caller.Role!.Value, r));

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(
        string? userName, string? displayName, string? password, Role? role, string? regionCode, string? agencyCreditCode, CancellationToken ct)
    {
        await AccessApi.CreateUser(new UserRequest(userName?.Trim(), displayName, password, role,
            string.IsNullOrWhiteSpace(regionCode) ? null : regionCode.Trim(),
            string.IsNullOrWhiteSpace(agencyCreditCode) ? null : agencyCreditCode.Trim()), db, caller, audit, time, ct);
        return Redirect("/console/users?done=created");
    }

    public override async Task LoadAsync(CancellationToken ct) =>
        Users = (await AccessApi.ListUsers(db, caller, Q, PageNumber, 50, ct)).Value!;
}
