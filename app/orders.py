"""Lab orders (ServiceRequest) and filing their results (Observations + a DiagnosticReport)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app import observations, records, terminology
from app.audit import Action
from app.errors import ValidationError
from app.model import Coding, DiagnosticReport, ServiceRequest
from app.permissions import Permission
from app.problems import concept_for
from app.session import Session

PRIORITIES = ("routine", "urgent", "stat")


@dataclass(frozen=True)
class ResultValue:
    """One result to file: a LOINC code, its value, and optionally its unit and a comment."""
    code: str
    value: object
    unit: str | None = None
    note: str | None = None


def place_lab_order(session: Session, *, patient_id: str, code: str, priority: str = "routine",
                    reasons: list[str] | None = None, encounter_id: str | None = None,
                    note: str | None = None) -> ServiceRequest:
    """Order a lab test (LOINC), optionally with ICD-10-CM reasons for the order.

    Raises ValidationError naming the test, priority or reason that is wrong.
    """
    concept = terminology.lookup("loinc", code or "")
    if concept is None:
        raise ValidationError({"test": f"{code!r} is not a LOINC test this clinic orders"})
    if priority not in PRIORITIES:
        raise ValidationError({"priority": f"must be one of {', '.join(PRIORITIES)}"})
    why = [concept_for(c, "reason") for c in reasons or []]
    order = ServiceRequest(patient_id=patient_id, code=Coding("loinc", concept.code, concept.display),
                           priority=priority, authored_on=session.clock(),
                           requester_id=session.user.practitioner_id, encounter_id=encounter_id,
                           reasons=why, note=note)
    return records.create(session, order, Permission.ORDER_WRITE)


def cancel(session: Session, order_id: str, *, reason: str) -> ServiceRequest:
    """Revoke an open order (e.g. ordered twice); the reason goes in the note."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "say why the order is cancelled"})

    def _revoke(order: ServiceRequest) -> None:
        if order.status != "active":
            raise ValidationError({"order": f"is {order.status}, not open"})
        order.status = "revoked"
        order.note = f"{order.note}\nrevoked: {reason}" if order.note else f"revoked: {reason}"

    return records.change(session, ServiceRequest, order_id, Permission.ORDER_WRITE, _revoke,
                          detail={"reason": reason})


def file_results(session: Session, order_id: str, *, results: list[ResultValue],
                 effective: datetime | None = None, performer: str | None = None,
                 conclusion: str | None = None, confirm: bool = False) -> DiagnosticReport:
    """File results for an open order: one Observation per value, one DiagnosticReport
    linking them to the order, and the order marked completed — all or nothing.

    Raises NotFound (order), ValidationError (order not open, no results, a bad value) and
    ConfirmationRequired for a value outside the physiological range, unless ``confirm``.
    """
    session.require(Permission.RESULT_WRITE, record_type="DiagnosticReport")
    if not results:
        raise ValidationError({"results": "give at least one result"})
    when = effective or session.clock()
    with session.uow() as uow:
        order = uow.records(ServiceRequest).get(order_id)
        if order.status != "active":
            raise ValidationError({"order": f"is {order.status}; results can only be filed on an open order"})
        report = DiagnosticReport(patient_id=order.patient_id, code=order.code, issued=session.clock(),
                                  service_request_id=order.id, encounter_id=order.encounter_id,
                                  performer=performer, conclusion=conclusion)
        obs = [observations.build(patient_id=order.patient_id, code=r.code, value=r.value, unit=r.unit,
                                  effective=when, category="laboratory", confirm=confirm,
                                  encounter_id=order.encounter_id, service_request_id=order.id,
                                  report_id=report.id, note=r.note)
               for r in results]
        report.result_ids = [o.id for o in obs]
        for o in obs:
            uow.observations.add(o)
        uow.records(DiagnosticReport).add(report)
        order.status = "completed"
        uow.records(ServiceRequest).update(order)
        _audit(session, uow, order, report, obs)
        uow.commit()
    return report


def _audit(session, uow, order, report, obs) -> None:
    for record in (*obs, report):
        uow.audit.append(session.entry(Action.CREATE, patient_id=order.patient_id,
                                       record_type=record.RESOURCE_TYPE, record_id=record.id))
    uow.audit.append(session.entry(Action.UPDATE, patient_id=order.patient_id,
                                   record_type=order.RESOURCE_TYPE, record_id=order.id,
                                   detail={"status": "completed", "report": report.id}))


def open_orders(session: Session, patient_id: str) -> list[ServiceRequest]:
    """The patient's orders still waiting for results, oldest first."""
    rows = records.list_for(session, ServiceRequest, patient_id, Permission.CHART_READ, status="active")
    return sorted(rows, key=lambda o: o.authored_on or o.created_at)


def reports(session: Session, patient_id: str) -> list[DiagnosticReport]:
    """The patient's result reports, newest first."""
    rows = records.list_for(session, DiagnosticReport, patient_id, Permission.CHART_READ)
    return sorted(rows, key=lambda r: r.issued, reverse=True)


def retract(session: Session, order_id: str, *, reason: str) -> ServiceRequest:
    return records.retract(session, ServiceRequest, order_id, Permission.ORDER_WRITE, reason=reason)
