"""The one error presenter says what happened in words a clinician can act on."""
from __future__ import annotations

from app.errors import (Conflict, PermissionDenied, SignInFailed, StoreCorrupt, ValidationError)
from ui.qt import errors


def test_a_wrong_password_reads_as_one_plain_sentence():
    assert errors.message_for(SignInFailed()) == "Wrong user name or password."


def test_another_sign_in_refusal_keeps_its_reason():
    message = errors.message_for(SignInFailed("the recovery key is not correct"))

    assert message == "The recovery key is not correct."


def test_a_permission_refusal_names_what_was_refused_and_who_can_help():
    message = errors.message_for(PermissionDenied("desk.test", "read_clinical_records"))

    assert message == ("You are not allowed to read clinical records; ask the clinic's "
                       "administrator if you need to.")


def test_a_validation_error_lists_each_field_to_correct():
    message = errors.message_for(ValidationError({"family name": "is required",
                                                  "birth date": "2999-01-01 is in the future"}))

    assert message.splitlines() == ["Some details need correcting:", "• family name: is required",
                                    "• birth date: 2999-01-01 is in the future"]


def test_other_product_errors_are_shown_as_their_own_sentence():
    assert errors.message_for(Conflict("this Patient was changed by someone else")) == \
        "This Patient was changed by someone else."
    assert errors.message_for(StoreCorrupt("the clinic store cannot be read")) == \
        "The clinic store cannot be read."


def test_a_bug_shows_the_calm_generic_sentence_never_its_details():
    message = errors.message_for(ZeroDivisionError("division by zero in chart.py line 12"))

    assert message == errors.UNEXPECTED
    assert "chart.py" not in message


def test_show_error_hands_the_sentence_to_the_presenter(shown_errors):
    errors.show_error(None, SignInFailed())

    assert shown_errors == ["Wrong user name or password."]


def test_a_failing_presenter_does_not_raise(monkeypatch):
    def broken(parent, title, text):
        raise RuntimeError("no display")

    monkeypatch.setattr(errors, "present", broken)

    errors.show_error(None, SignInFailed())  # must not raise
