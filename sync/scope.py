"""Who is in the pull scope besides the clinic's own patients: patients of other clinics that
this store follows because someone pulled them in through the central lookup or opened
their chart here.

The followed set lives in the store's settings (``sync-followed-patients``) as
``{"patients": {id: "new" | "followed"}, "audit_seq": N}``. A patient pulled in by the
lookup is ``followed`` at once (the lookup read everything the server had). A patient of
another clinic found opened in the audit trail (a chart opened, a record read) is ``new``:
the next round reads all of theirs, not only what changed since the checkpoint, and then
follows them like the rest. ``audit_seq`` is how far the audit trail was looked through.
"""
from __future__ import annotations

from urllib.parse import quote

from app.uow import UnitOfWork
from sync import jsonio, mapping
from sync.mapping import MapContext
from sync.mapping.common import CLINIC_TAG_SYSTEM

KEY = "sync-followed-patients"
NEW, FOLLOWED = "new", "followed"
#: The types kept with a patient: those with the standard ``patient`` search parameter.
PATIENT_TYPES = tuple(t for t in mapping.PULL_ORDER
                      if t not in ("Organization", "Location", "Practitioner", "Patient",
                                   "PaymentReconciliation"))
TYPES = ("Patient", *PATIENT_TYPES)  # in pull order: the patient before what refers to it
CHUNK = 80  # patient ids per search URL (about 4 KB of URL, which every server accepts)
CHECKPOINT_SUFFIX = "@followed"


def _state(uow: UnitOfWork) -> dict:
    state = uow.settings.get(KEY) or {}
    return {"patients": dict(state.get("patients") or {}), "audit_seq": int(state.get("audit_seq") or 0)}


def follow(uow: UnitOfWork, patient_id: str, *, caught_up: bool) -> None:
    """Keep ``patient_id`` in the pull scope from now on (in the caller's transaction)."""
    state = _state(uow)
    if state["patients"].get(patient_id) == FOLLOWED:
        return
    state["patients"][patient_id] = FOLLOWED if caught_up else NEW
    uow.settings.set(KEY, state)


def elsewhere(resource: dict, ctx: MapContext) -> bool:
    """Whether a patient (as the server has them) is another clinic's too: their copy lacks
    this clinic's tag or carries another clinic's, so some of their records are not ours to
    find by our tag."""
    codes = {t.get("code") for t in (resource.get("meta") or {}).get("tag") or []
             if t.get("system") == CLINIC_TAG_SYSTEM}
    return bool(codes - {ctx.clinic_code}) or ctx.clinic_code not in codes


def collect_opened(uow: UnitOfWork, ctx: MapContext) -> int:
    """Follow the patients of other clinics opened here since the last look at the audit
    trail; returns how many were added."""
    state = _state(uow)
    seen, upto = uow.sync.read_patients_after(state["audit_seq"])
    added = 0
    for patient_id in sorted(seen - set(state["patients"])):
        held = uow.sync.server_state("Patient", patient_id)
        # no server copy: made here, and it goes out with our tag
        if held is not None and held.server_copy and elsewhere(jsonio.loads(held.server_copy), ctx):
            state["patients"][patient_id] = NEW
            added += 1
    if added or upto != state["audit_seq"]:
        state["audit_seq"] = upto
        uow.settings.set(KEY, state)
    return added


def followed(uow: UnitOfWork) -> tuple[list[str], list[str]]:
    """(patients followed and caught up, patients new to the scope), each sorted."""
    patients = _state(uow)["patients"]
    return (sorted(p for p, s in patients.items() if s == FOLLOWED),
            sorted(p for p, s in patients.items() if s == NEW))


def caught_up(uow: UnitOfWork, patient_ids: list[str]) -> None:
    """The new patients' records have all been read: follow them like the rest."""
    state = _state(uow)
    for pid in patient_ids:
        if pid in state["patients"]:
            state["patients"][pid] = FOLLOWED
    uow.settings.set(KEY, state)


def chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)]


def search_url(wire_type: str, patient_ids: list[str], since: str | None, count: int) -> str:
    """``Patient?_id=a,b`` or ``Type?patient=Patient/a,Patient/b`` (commas are FHIR's "or"),
    changes since the server's own ``since`` stamp when given."""
    if wire_type == "Patient":
        url = "Patient?_id=" + ",".join(quote(p, safe="") for p in patient_ids)
    else:
        url = f"{wire_type}?patient=" + ",".join(quote(f"Patient/{p}", safe="") for p in patient_ids)
    url += f"&_sort=_lastUpdated&_count={count}"
    return url + (f"&_lastUpdated=ge{quote(since, safe='')}" if since else "")
