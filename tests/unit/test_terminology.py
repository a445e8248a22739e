"""Terminology shipped with the product: lookups, picker search, and the shipped TSV files."""
from __future__ import annotations

import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

from app import terminology as t

TERMINOLOGY_DIR = Path(__file__).resolve().parents[2] / "resources" / "terminology"
FILES = {"loinc": ("loinc.tsv", ["code", "display", "unit", "kind", "ref_low", "ref_high", "phys_min", "phys_max"]),
         "cvx": ("cvx.tsv", ["code", "display", "status"]),
         "rxnorm": ("rxnorm.tsv", ["code", "display", "dose_form", "default_route"])}
ROUTES = {"oral", "topical", "inhaled", "subcutaneous", "intramuscular", "intravenous", "ophthalmic", "nasal",
          "sublingual", "transdermal", "subdermal", "rectal", "vaginal", "otic"}


def _rows(name: str) -> tuple[list[str], list[list[str]]]:
    lines = (TERMINOLOGY_DIR / name).read_text(encoding="utf-8").splitlines()
    return lines[0].split("\t"), [line.split("\t") for line in lines[1:] if line.strip()]


def _codes(results: list[t.Concept]) -> list[str]:
    return [concept.code for concept in results]


def test_an_icd10cm_code_is_found_with_and_without_a_dot():
    for text in ("E11.9", "E119", "e11.9", " e119 "):
        concept = t.lookup("icd10cm", text)
        assert concept == t.Concept("icd10cm", "E11.9", "Type 2 diabetes mellitus without complications")
    assert concept.system_url == "http://hl7.org/fhir/sid/icd-10-cm"


def test_three_character_categories_are_codes_but_chapters_and_blocks_are_not():
    assert t.lookup("icd10cm", "E11").display == "Type 2 diabetes mellitus"
    assert t.is_valid("icd10cm", "E11") and not t.is_billable("E11")
    assert t.is_valid("icd10cm", "I10") and t.is_billable("I10")
    assert t.is_billable("S72.001A")
    assert not t.is_valid("icd10cm", "4")
    assert not t.is_valid("icd10cm", "E08-E13")


def test_an_unknown_code_is_invalid_in_every_system():
    for system, code in [("icd10cm", "E11.999"), ("icd10cm", "XYZ"), ("icd10cm", ""), ("loinc", "99999-0"),
                         ("rxnorm", "1"), ("cvx", "9999"), ("cvx", "")]:
        assert not t.is_valid(system, code)
        assert t.lookup(system, code) is None
    assert not t.is_billable("E11.999")


def test_word_prefix_search_finds_type_2_diabetes_from_abbreviated_words():
    results = t.search("icd10cm", "diab mell typ 2")
    assert results[0] == t.Concept("icd10cm", "E11", "Type 2 diabetes mellitus")
    assert "E11.9" in _codes(t.search("icd10cm", "diab mell typ 2 without compl"))
    for concept in results:
        display = concept.display.lower()
        assert all(word in display for word in ("diab", "mell", "typ", "2"))


def test_search_ignores_case_and_diacritics():
    assert t.search("icd10cm", "MENIERE")[0].code == "H81.0"
    assert t.search("icd10cm", "ménière right")[0].code == "H81.01"
    assert "M35.0" in _codes(t.search("icd10cm", "sjogren synd"))
    assert _codes(t.search("icd10cm", "Sjögren synd")) == _codes(t.search("icd10cm", "sjogren SYND"))


def test_text_that_looks_like_a_code_matches_by_code_prefix_shortest_first():
    codes = _codes(t.search("icd10cm", "E11", limit=15))
    assert codes[0] == "E11"
    assert all(code.startswith("E11") for code in codes)
    assert [len(code) for code in codes] == sorted(len(code) for code in codes)
    assert t.search("icd10cm", "e119")[0].code == "E11.9"
    assert t.search("loinc", "8480")[0].code == "8480-6"
    assert t.search("cvx", "8")[0].code == "08"


def test_blank_text_finds_nothing():
    assert t.search("icd10cm", "") == []
    assert t.search("loinc", "   ") == []
    assert t.search("rxnorm", None) == []


def test_search_results_never_exceed_the_limit():
    for system, text in [("icd10cm", "a"), ("icd10cm", "S72"), ("icd10cm", "fracture"), ("loinc", "in"),
                         ("rxnorm", "oral tablet"), ("cvx", "influenza"), ("cvx", "2")]:
        for limit in (1, 5, 20):
            assert len(t.search(system, text, limit)) <= limit
        assert t.search(system, text, 0) == []
    assert len(t.search("icd10cm", "fracture")) == 20


def test_an_unknown_system_raises_a_value_error_naming_it():
    with pytest.raises(ValueError, match="snomed"):
        t.lookup("snomed", "44054006")
    with pytest.raises(ValueError, match="snomed"):
        t.search("snomed", "diabetes")
    with pytest.raises(ValueError, match="cpt"):
        t.is_valid("cpt", "99213")


def test_loinc_vitals_contain_the_vital_panel_with_ucum_units_and_physiological_ranges():
    vitals = {test.code: test for test in t.vital_tests()}
    expected = {"8480-6": ("mm[Hg]", 40, 300), "8462-4": ("mm[Hg]", 20, 200), "8867-4": ("/min", 20, 300),
                "9279-1": ("/min", 2, 100), "8310-5": ("Cel", 25, 45), "29463-7": ("kg", Decimal("0.2"), 500),
                "8302-2": ("cm", 20, 260), "39156-5": ("kg/m2", 5, 100), "59408-5": ("%", 50, 100),
                "2708-6": ("%", 50, 100), "72514-3": ("{score}", 0, 10), "9843-4": ("cm", 20, 80)}
    for code, (unit, low, high) in expected.items():
        test = vitals[code]
        assert (test.unit, test.phys_min, test.phys_max) == (unit, Decimal(low), Decimal(high)), code
        assert test.kind == "vital"
    assert vitals["8480-6"].display == "Systolic blood pressure"
    assert all(test.kind == "vital" for test in t.vital_tests())


def test_common_labs_carry_units_and_reference_ranges():
    a1c = t.loinc_test("4548-4")
    assert (a1c.kind, a1c.unit, a1c.ref_high) == ("lab", "%", Decimal("5.6"))
    assert t.loinc_test("13457-7").unit == "mg/dL"
    assert t.loinc_test("3016-3").unit == "m[IU]/L"
    for code in ("2345-7", "2093-3", "2085-9", "13457-7", "2571-8", "2160-0", "33914-3", "62238-1", "3094-0",
                 "2951-2", "2823-3", "718-7", "6690-2", "777-3", "1742-6", "1920-8", "3016-3", "14959-1",
                 "2947-0", "6301-6", "2857-1", "1989-3"):
        assert t.loinc_test(code).kind == "lab", code
    assert t.loinc_test("0000-0") is None
    assert _codes(t.search("loinc", "tsh")) == ["3016-3"]


@pytest.mark.parametrize("system", sorted(FILES))
def test_every_row_of_each_terminology_file_parses(system):
    name, columns = FILES[system]
    header, rows = _rows(name)
    assert header[:len(columns)] == columns
    codes = [row[0] for row in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    for row in rows:
        assert len(row) <= len(header) and row[0].strip() and row[1].strip(), row
        assert t.lookup(system, row[0]) == t.Concept(system, row[0], row[1])
        if system == "cvx":
            assert row[0].isdigit() and row[2] in ("active", "inactive"), row
        if system == "rxnorm":
            assert row[0].isdigit() and row[2] in row[1] and row[3] in ROUTES, row
        if system == "loinc":
            test = t.loinc_test(row[0])
            assert test.kind in ("vital", "lab") and test.unit, row
            assert test.phys_min is not None and test.phys_max is not None, row
            bounds = [b for b in (test.phys_min, test.ref_low, test.ref_high, test.phys_max) if b is not None]
            assert bounds == sorted(bounds), row


def test_cvx_codes_are_found_with_or_without_a_leading_zero():
    assert t.lookup("cvx", "8") == t.lookup("cvx", "08") == t.Concept("cvx", "08", "Hep B, adolescent or pediatric")
    assert t.lookup("cvx", "207").system_url == "http://hl7.org/fhir/sid/cvx"
    assert t.search("cvx", "zoster")[0].code == "187"  # active vaccines rank first


def test_rxnorm_lookup_and_search_find_common_drugs():
    assert t.lookup("rxnorm", "197361").display == "amlodipine 5 MG Oral Tablet"
    assert t.lookup("rxnorm", "314076").system_url == "http://www.nlm.nih.gov/research/umls/rxnorm"
    assert _codes(t.search("rxnorm", "lisin 10"))[0] == "314076"
    assert "860975" in _codes(t.search("rxnorm", "metformin extended"))


def test_system_urls_and_oids_map_back_to_short_names():
    for name, url in t.SYSTEM_URLS.items():
        assert t.system_for_url(url) == name
    assert t.system_for_url("urn:oid:2.16.840.1.113883.6.1") == "loinc"
    assert t.system_for_url("http://snomed.info/sct") is None
    assert t.system_for_url("") is None


def test_the_resources_folder_can_be_moved_for_frozen_builds(monkeypatch, tmp_path):
    monkeypatch.setenv("OUTPOST_RESOURCES", str(tmp_path))
    assert t.resources_dir() == tmp_path / "terminology"
    monkeypatch.delenv("OUTPOST_RESOURCES")
    assert t.resources_dir() == TERMINOLOGY_DIR


def test_a_malformed_terminology_file_is_reported_with_its_line(monkeypatch, tmp_path):
    (tmp_path / "terminology").mkdir()
    (tmp_path / "terminology" / "cvx.tsv").write_text("code\tdisplay\tstatus\n03\tMMR\tactive\n03\tMMR\tactive\n")
    monkeypatch.setenv("OUTPOST_RESOURCES", str(tmp_path))
    with pytest.raises(t.TerminologyFileError, match="line 3"):
        t._read_tsv("cvx.tsv")
    with pytest.raises(t.TerminologyFileError, match="cannot be read"):
        t._read_tsv("missing.tsv")


def test_searches_after_warm_up_are_fast():
    t.warm_up()
    queries = ["diab mell typ 2", "E11", "fracture femur", "a", "chest pain", "hypertension", "S72.0", "asthma"]
    start = time.perf_counter()
    for _ in range(10):
        for query in queries:
            t.search("icd10cm", query)
    average = (time.perf_counter() - start) / (10 * len(queries))
    assert average < 0.02  # target is under 5 ms; the margin keeps slow CI machines green


def test_concurrent_first_searches_build_an_index_only_once(monkeypatch):
    builds = []
    real_build = t._BUILDERS["cvx"]

    def counting_build():
        builds.append(1)
        time.sleep(0.05)  # widen the window in which a second thread could start a build
        return real_build()

    monkeypatch.setattr(t, "_cache", {})
    monkeypatch.setitem(t._BUILDERS, "cvx", counting_build)
    results = []
    threads = [threading.Thread(target=lambda: results.append(t.search("cvx", "influenza", 3))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1
    assert len(results) == 8 and all(result == results[0] for result in results)
