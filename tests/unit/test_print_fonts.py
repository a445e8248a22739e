"""Document fonts: DejaVu when installed, a plain warning and Helvetica when not, CJK runs
set in the CJK font."""
from __future__ import annotations

import logging

import pytest

from app.printing import fonts


@pytest.fixture
def fresh_fonts():
    fonts.register.cache_clear()
    yield
    fonts.register.cache_clear()


def test_dejavu_is_used_when_installed(fresh_fonts):
    chosen = fonts.register()
    assert (chosen.regular, chosen.bold, chosen.fallback) == ("DejaVuSans", "DejaVuSans-Bold", False)


def test_without_dejavu_documents_fall_back_to_helvetica_and_say_so(fresh_fonts, monkeypatch, tmp_path, caplog):
    monkeypatch.setattr(fonts, "FONT_DIRS", (tmp_path,))
    monkeypatch.delenv("OUTPOST_FONT_DIR", raising=False)
    with caplog.at_level(logging.WARNING, logger="app.printing.fonts"):
        chosen = fonts.register()
    assert chosen.fallback and chosen.regular == "Helvetica"
    assert "fonts-dejavu-core" in caplog.text and "Helvetica" in caplog.text


def test_cjk_runs_are_marked_for_the_cjk_font_and_the_rest_is_escaped(fresh_fonts):
    if fonts.register().cjk is None:
        pytest.skip("no CJK font installed (fonts-droid-fallback)")
    marked = fonts.markup("王芳 <b> & Ана")
    assert marked == '<font name="OutpostCJK">王芳</font> &lt;b&gt; &amp; Ана'
    assert fonts.font_for("王") == "OutpostCJK" and fonts.font_for("Ελένη", bold=True) == "DejaVuSans-Bold"
