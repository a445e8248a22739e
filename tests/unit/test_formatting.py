"""The shared formatters: readable, unambiguous, and never raising."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app import formatting as fmt
from app.model import Coding, HumanName

PLUS_TWO = timezone(timedelta(hours=2))


def test_missing_values_show_as_a_dash():
    assert fmt.text(None) == "—"
    assert fmt.text("   ") == "—"
    assert fmt.date_text(None) == "—"
    assert fmt.quantity_text(None, "mg") == "—"
    assert fmt.sex_text(None) == "—"


def test_dates_use_a_month_name_so_day_and_month_cannot_be_confused():
    assert fmt.date_text(date(1980, 6, 4)) == "4 Jun 1980"
    assert fmt.date_text(date(2024, 12, 25)) == "25 Dec 2024"


def test_a_stored_utc_time_is_shown_in_local_time():
    taken = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)

    assert fmt.datetime_text(taken, PLUS_TWO) == "2 Mar 2026 01:30"
    assert fmt.date_text(taken, PLUS_TWO) == "2 Mar 2026"


@pytest.mark.parametrize("born, on, shown", [
    (date(1980, 6, 4), date(2026, 6, 3), "45 y"),
    (date(1980, 6, 4), date(2026, 6, 4), "46 y"),
    (date(2024, 1, 31), date(2026, 1, 30), "23 mo"),
    (date(2025, 3, 10), date(2025, 4, 9), "30 d"),
    (date(2025, 3, 10), date(2025, 4, 10), "1 mo"),
    (date(2024, 2, 29), date(2025, 2, 28), "11 mo"),
    (date(2026, 5, 1), date(2026, 5, 1), "0 d"),
])
def test_ages_are_written_as_clinicians_write_them(born, on, shown):
    assert fmt.age_text(born, on) == shown


def test_an_age_before_birth_is_not_shown():
    assert fmt.age_text(date(2030, 1, 1), date(2026, 1, 1)) == "—"


def test_names_read_given_first_or_family_first_for_lists():
    name = HumanName("Nguyễn", ["Thị", "Hồng"], prefix="Mrs.")

    assert fmt.person_name(name) == "Mrs. Thị Hồng Nguyễn"
    assert fmt.person_name(name, family_first=True) == "NGUYỄN, Thị Hồng"
    assert fmt.person_name(HumanName("Krüger")) == "Krüger"


def test_numbers_drop_trailing_zeros_so_a_dose_is_never_misread():
    assert fmt.number_text(Decimal("7.50")) == "7.5"
    assert fmt.number_text(Decimal("1.0")) == "1"
    assert fmt.number_text(Decimal("1E+2")) == "100"
    assert fmt.number_text(Decimal("0.05")) == "0.05"


def test_ucum_units_are_shown_as_clinicians_write_them():
    assert fmt.quantity_text(Decimal("128"), "mm[Hg]") == "128 mmHg"
    assert fmt.quantity_text(Decimal("36.9"), "Cel") == "36.9°C"
    assert fmt.quantity_text(Decimal("72"), "/min") == "72/min"
    assert fmt.quantity_text(Decimal("8.1"), "%") == "8.1%"
    assert fmt.quantity_text(Decimal("25.7"), "kg/m2") == "25.7 kg/m²"
    assert fmt.quantity_text(Decimal("2"), None) == "2"


def test_reference_ranges_show_either_end_alone():
    assert fmt.range_text(Decimal("70"), Decimal("99"), "mg/dL") == "70–99 mg/dL"
    assert fmt.range_text(None, Decimal("200"), "mg/dL") == "< 200 mg/dL"
    assert fmt.range_text(Decimal("40"), None, None) == "> 40"
    assert fmt.range_text(None, None, "mg/dL") == "—"


def test_only_abnormal_interpretations_are_flagged():
    assert [fmt.flag_text(c) for c in ("H", "LL", "N", None, "x")] == ["H", "LL", "", "", ""]
    assert fmt.is_abnormal("hh") and not fmt.is_abnormal("N")
    assert fmt.flag_words("HH") == "Critically high"


def test_codings_show_code_and_display_and_free_text_alone():
    hypertension = Coding("icd10cm", "I10", "Essential hypertension")
    assert fmt.coding_text(hypertension) == "I10 Essential hypertension"
    assert fmt.coding_text(Coding("text", "peanuts", "Peanuts")) == "Peanuts"
    assert fmt.coding_text(Coding("cvx", "08", "Hep B"), with_code=False) == "Hep B"


def test_codes_and_counts_read_as_words():
    assert fmt.code_words("office-visit") == "Office visit"
    assert fmt.code_words("front_desk") == "Front desk"
    assert fmt.count_text(0, "patient") == "No patients"
    assert fmt.count_text(1, "patient") == "1 patient"
    assert fmt.count_text(3, "patient") == "3 patients"


@pytest.mark.parametrize("call", [
    lambda: fmt.date_text("not a date"),
    lambda: fmt.datetime_text(date(2026, 1, 1)),
    lambda: fmt.age_text("1980-01-01"),
    lambda: fmt.number_text("twelve"),
    lambda: fmt.number_text(Decimal("NaN")),
    lambda: fmt.quantity_text(object(), "mg"),
    lambda: fmt.person_name("just a string"),
    lambda: fmt.coding_text(42),
    lambda: fmt.sex_text(5),
])
def test_a_value_that_cannot_be_formatted_shows_a_dash_instead_of_raising(call):
    assert call() == "—"
