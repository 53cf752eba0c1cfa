using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Pingjia.Data;
using Pingjia.Data.WorkOrders;
using Pingjia.Domain;
using Pingjia.Domain.Access;
using Pingjia.Server.Features.Access;
using Pingjia.Server.Features.Audit;
using Pingjia.Server.Features.Catalog;
using Pingjia.Server.Infrastructure;

namespace Pingjia.Server.Features.WorkOrders;

public sealed record EvidenceResponse(Guid Id, string FileName, string ContentType, long Size, string Sm3, DateTime UploadedAt);

/// <summary>
/// Evidence files of a work order: PDF, PNG or JPEG (checked by their first bytes, not their names), up to the configured
/// size, kept in the evidence folder under a generated name with an SM3 digest in the database.
/// </summary>
public static class EvidenceApi
{
    public static void MapEvidence(this IEndpointRouteBuilder app, PingjiaOptions options)
    {
        var group = app.MapGroup("/api/v1/work-orders/{no}/evidence").WithTags("Work orders");
        group.MapPost("/", Upload).DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(options.EvidenceMaxBytes + (64 * 1024)));
        group.MapGet("/", List);
        group.MapGet("/{id:guid}", Download);
    }

    private static async Task<WorkOrder> FindAsync(string no, PingjiaDbContext db, Caller caller, CancellationToken ct) =>
        await db.WorkOrders.AsNoTracking().FirstOrDefaultAsync(o => o.No == no && db.VisibleAgencies(caller).Any(a => a.Id == o.AgencyId), ct)
            ?? throw DomainException.NotFound($"Work order {no}");

    private static async Task<Created<EvidenceResponse>> Upload(
        string no, IFormFile? file, PingjiaDbContext db, Caller caller, PingjiaOptions options, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        caller.Require(Role.AgencyManager, Role.SystemAdmin);
        var order = await FindAsync(no, db, caller, ct);
        if (file is null || file.Length == 0)
        {
            throw DomainException.Invalid("evidence_missing", "Send the evidence as multipart/form-data in a field named file.", "file");
        }

        if (file.Length > options.EvidenceMaxBytes)
        {
            throw new DomainException(ErrorKind.Validation, "evidence_too_large", $"An evidence file may have at most {options.EvidenceMaxBytes / 1024 / 1024} MB.");
        }

        await using var memory = new MemoryStream();
        await file.CopyToAsync(memory, ct);
        var bytes = memory.ToArray();
        var type = Sniff(bytes) ?? throw new DomainException(ErrorKind.Validation, "unsupported_evidence_type", "Evidence must be a PDF, PNG or JPEG file.");
        var id = time.NewId();
        var folder = Path.GetFullPath(Path.Combine(options.EvidenceFolder, order.Id.ToString("N")));
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, id.ToString("N")), bytes, ct);
        var name = Path.GetFileName(file.FileName);
        var row = new EvidenceFile
        {
            Id = id, WorkOrderId = order.Id, FileName = name.Length > 200 ? name[..200] : name, ContentType = type, Size = bytes.Length,
            Sm3 = Convert.ToHexStringLower(Sm3.Hash(bytes)), UploadedBy = caller.Actor, UploadedAt = time.UtcNow(),
        };
        db.EvidenceFiles.Add(row);
        audit.Record("work_order.evidence_added", "work_order", order.No, new { row.Id, row.FileName, row.Size, row.Sm3 });
        await audit.SaveAsync(ct);
        return TypedResults.Created($"/api/v1/work-orders/{no}/evidence/{id}", new EvidenceResponse(row.Id, row.FileName, row.ContentType, row.Size, row.Sm3, row.UploadedAt));
    }

    private static async Task<Ok<List<EvidenceResponse>>> List(string no, PingjiaDbContext db, Caller caller, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var order = await FindAsync(no, db, caller, ct);
        return TypedResults.Ok(await db.EvidenceFiles.AsNoTracking().Where(e => e.WorkOrderId == order.Id).OrderBy(e => e.UploadedAt)
            .Select(e => new EvidenceResponse(e.Id, e.FileName, e.ContentType, e.Size, e.Sm3, e.UploadedAt)).ToListAsync(ct));
    }

    private static async Task<FileContentHttpResult> Download(string no, Guid id, PingjiaDbContext db, Caller caller, PingjiaOptions options, CancellationToken ct)
    {
        caller.Require(Enum.GetValues<Role>());
        var order = await FindAsync(no, db, caller, ct);
        var row = await db.EvidenceFiles.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id && e.WorkOrderId == order.Id, ct)
            ?? throw DomainException.NotFound("Evidence");
        var path = Path.Combine(Path.GetFullPath(Path.Combine(options.EvidenceFolder, order.Id.ToString("N"))), id.ToString("N"));
        var bytes = File.Exists(path) ? await File.ReadAllBytesAsync(path, ct) : [];
        if (Convert.ToHexStringLower(Sm3.Hash(bytes)) != row.Sm3)
        {
            throw DomainException.Conflict("evidence_damaged", "The stored evidence file is missing or does not match its digest.");
        }

        return TypedResults.File(bytes, row.ContentType, row.FileName);
    }

    /// <summary>The type by the file's first bytes.</summary>
    internal static string? Sniff(ReadOnlySpan<byte> b) =>
        b.StartsWith("%PDF-"u8) ? "application/pdf"
        : b.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : null;
}
