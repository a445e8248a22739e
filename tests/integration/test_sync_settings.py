"""The sync server settings and the record of rounds, on a real store: the secret kept in the
secret store and never returned by ``load``, who may change them, and the newest rounds found
without reading the whole audit trail."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app import sync_settings
from app.audit import Action
from app.errors import PermissionDenied, ValidationError
from db.secret_store import secret_store


def test_settings_keep_the_secret_apart_and_an_empty_secret_keeps_the_saved_one(clinic, memory_keyring):
    place = secret_store(clinic.store)
    where = sync_settings.save(clinic.session, place, server_url="https://fhir.example.org/r4",
                               auth=sync_settings.CLIENT, client_id="ws-1", secret="s3cret-value",
                               token_url="https://auth.example.org/token")
    assert where == "the OS keyring"
    saved = sync_settings.load(clinic.session, place)
    assert (saved.auth, saved.client_id, saved.token_url) == (sync_settings.CLIENT, "ws-1",
                                                              "https://auth.example.org/token")
    assert "s3cret-value" not in repr(saved)
    sync_settings.save(clinic.session, place, server_url="https://fhir.example.org/r5",
                       auth=sync_settings.CLIENT, client_id="ws-1", secret="")
    assert sync_settings.credentials(clinic.session, place)[1] == "s3cret-value"
    with pytest.raises(ValidationError) as caught:  # a token is not a client secret
        sync_settings.save(clinic.session, place, server_url="https://fhir.example.org/r5",
                           auth=sync_settings.TOKEN, secret="")
    assert caught.value.problems == {"token": "required"}
    with clinic.store.uow() as uow:
        audited = [e.detail for e in uow.audit.query(action=Action.CONFIG.value)]
    assert not any("s3cret-value" in str(d) for d in audited)


def test_only_an_administrator_changes_the_settings_and_the_refusal_is_audited(clinic, sessions):
    place = secret_store(clinic.store)
    with pytest.raises(PermissionDenied):
        sync_settings.save(sessions["physician"], place, server_url="https://x.org", auth="token", secret="t")
    assert sync_settings.load(sessions["physician"], place) is None  # reading is allowed to who syncs
    with clinic.store.uow() as uow:
        refused = [e for e in uow.audit.query(username="dr.test") if e.outcome != "success"]
    assert refused


def test_the_newest_rounds_come_first_even_when_they_are_weeks_apart(clinic):
    session = clinic.session
    now = session.clock()
    with clinic.store.uow() as uow:
        for days, outcome in ((40, "success"), (20, "failure"), (0, "success")):
            entry = session.entry(Action.SYNC, outcome=outcome,
                                  detail={"server": "https://x.org", "pushed": days, "failed":
                                          "sync network error: down" if outcome == "failure" else None})
            uow.audit.append(dataclasses.replace(entry, at=now - timedelta(days=days)))
        uow.commit()
    rounds = sync_settings.recent_rounds(session)
    assert [(r.pushed, r.ok) for r in rounds] == [(0, True), (20, False), (40, True)]
    assert rounds[1].failed == "sync network error: down"
    assert [r.pushed for r in sync_settings.recent_rounds(session, limit=1)] == [0]
