"""One sync round: apply conflict decisions → push → send the audit trail → pull.

The orchestration lives here (not in app/) because it drives the HTTP gateway; every
step it calls is a small function of its own, and the store is reached only through
the unit-of-work ports.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from app.audit import Action
from app.errors import SyncError, ValidationError
from app.permissions import Permission
from app.session import Session
from sync import jsonio, mapping, package_conflicts
from sync.audit_push import push_audit
from sync.gateway import Gateway
from sync.mapping import MapContext
from sync.incoming import view
from sync.merge import apply, changed
from sync.pull import pull
from sync.push import push


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    merged: int = 0
    conflicts: int = 0
    audit_sent: int = 0
    errors: list[str] = field(default_factory=list)
    failed: str | None = None  # why the round stopped early (network, auth ...)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["error_messages"], out["errors"] = out["errors"], len(self.errors) + bool(self.failed)
        return out


def context(session: Session) -> MapContext:
    with session.uow() as uow:
        clinic = uow.settings.get("clinic")
    if not clinic:
        raise ValidationError({"clinic": "this store has no clinic set up"})
    return MapContext(clinic_code=clinic["clinic_code"], organization_id=clinic["organization_id"])


def _chosen(c: dict, ctx: MapContext) -> dict:
    """What a decision asks for: my changes on fields not in conflict (they merge as
    usual) and on those the person chose "mine" for; theirs everywhere else."""
    theirs, mine = jsonio.loads(c["theirs"]), jsonio.loads(c["mine"])
    base = jsonio.loads(c["base"]) if c["base"] else None
    theirs_view = view(theirs, ctx)
    take = {k: v for k, v in changed(view(base, ctx) if base else theirs_view, mine).items()
            if c["decision"].get(k, "mine") == "mine" and theirs_view.get(k) != v}
    return take


def apply_decisions(session: Session, ctx: MapContext) -> int:
    """Carry out the conflict resolutions people decided since the last round."""
    done = 0
    with session.uow() as uow:
        for c in uow.sync.conflicts("decided"):
            if package_conflicts.is_package(c):  # two local edits: no server copy to take
                take = package_conflicts.carry_out(uow, c, ctx)
                uow.sync.mark_applied(c["id"])
                uow.audit.append(session.entry(Action.SYNC, patient_id=c["patient_id"],
                                               record_type=c["resource_type"], record_id=c["resource_id"],
                                               detail={"conflict_applied": c["decision"], "from": "package",
                                                       "taken": take}))
                done += 1
                continue
            repo = uow.records(mapping.BY_OUTBOX_TYPE[c["resource_type"]])
            theirs = jsonio.loads(c["theirs"])
            server_side = repo.put_from_server(mapping.from_fhir(theirs), c["theirs"])
            uow.sync.clear_outbox(c["resource_type"], c["resource_id"], c["upto_seq"])
            take = _chosen(c, ctx)
            if take:
                mine = jsonio.loads(c["mine"])
                chosen = mapping.from_fhir(apply(theirs, take, owned=mapping.is_owned_extension,
                                                 mine_meta=mine.get("meta")) | {"id": c["resource_id"]})
                chosen.version, chosen.server_version = server_side.version, server_side.server_version
                chosen.created_at = server_side.created_at
                repo.update(chosen)  # a new outbox entry: the choice goes out on the server's version
            uow.sync.mark_applied(c["id"])
            uow.audit.append(session.entry(Action.SYNC, patient_id=c["patient_id"],
                                           record_type=c["resource_type"], record_id=c["resource_id"],
                                           detail={"conflict_applied": c["decision"], "sent": sorted(take)}))
            done += 1
        uow.commit()
    return done


def run_round(session: Session, gateway: Gateway, *, bundle_size: int = 200,
              page_size: int = 500) -> SyncReport:
    """Push, then pull. Never raises for a server problem: the report says what went wrong
    (PermissionDenied when the user may not sync)."""
    session.require(Permission.SYNC)
    ctx = context(session)
    report = SyncReport()
    try:
        apply_decisions(session, ctx)
        pushed = push(session, gateway, ctx, max_entries=bundle_size)
        report.pushed, report.merged, report.conflicts = pushed.pushed, pushed.merged, pushed.conflicts
        report.errors += pushed.errors
        report.audit_sent = push_audit(session, gateway, ctx, store_id=ctx.organization_id or "",
                                       max_entries=bundle_size)
        pulled = pull(session, gateway, ctx, page_size=page_size)
        report.pulled = pulled.pulled
        report.merged += pulled.merged
        report.conflicts += pulled.conflicts
        report.errors += pulled.errors
    except SyncError as exc:
        report.failed = str(exc)
    with session.uow() as uow:
        uow.audit.append(session.entry(Action.SYNC, outcome="failure" if report.failed else "success",
                                       detail={"server": gateway.base_url, **report.as_dict()}))
        uow.commit()
    return report
