"""The audit trail goes to the server as AuditEvents (one way), after the clinical data.

Progress is a checkpoint holding the last entry's sequence number; each entry's
AuditEvent id is derived from the store and the sequence, so a resend stores nothing twice.
"""
from __future__ import annotations

from app.session import Session
from sync import bundles
from sync.gateway import Gateway
from sync.mapping import MapContext
from sync.mapping import audit as audit_mapping

CHECKPOINT = "AuditEvent"


def push_audit(session: Session, gateway: Gateway, ctx: MapContext, *, store_id: str,
               max_entries: int = 200) -> int:
    """Send audit entries not sent yet; returns how many went."""
    sent = 0
    while True:
        with session.uow() as uow:
            done = int(uow.sync.checkpoint(gateway.base_url, CHECKPOINT) or 0)
            entries = uow.sync.audit_after(done, max_entries)
        if not entries:
            return sent
        items = [bundles.Outgoing("AuditEvent", audit_mapping.to_fhir(e, ctx, store_id=store_id), e.seq)
                 for e in entries]
        bundles.responses(items, gateway.transaction(bundles.transaction(gateway.base_url, items)))
        with session.uow() as uow:
            uow.sync.set_checkpoint(gateway.base_url, CHECKPOINT, str(entries[-1].seq))
            uow.commit()
        sent += len(entries)
