"""The CJK font: found, embeddable, covering every character the reports print themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from reports import fonts
from reports.fonts import ENV, CJKFontMissing, find_cjk_font, load_font, register_cjk_font

REPORTS = Path(__file__).resolve().parents[2] / "reports"


def test_missing_font_says_what_to_install(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr(fonts, "KNOWN_FONTS", (("/nonexistent/wqy-zenhei.ttc", 0, "x"),))
    with pytest.raises(CJKFontMissing) as info:
        find_cjk_font()
    message = str(info.value)
    assert "apt-get install fonts-wqy-zenhei" in message and ENV in message


def test_environment_names_the_font(monkeypatch, tmp_path):
    path, index = find_cjk_font()
    monkeypatch.setenv(ENV, f"{path}#{index}")
    assert find_cjk_font() == (path, index)
    monkeypatch.setenv(ENV, str(tmp_path / "missing.ttf"))
    with pytest.raises(CJKFontMissing, match=ENV):
        find_cjk_font()
    monkeypatch.setenv(ENV, f"{path}#first")
    with pytest.raises(CJKFontMissing, match="number"):
        find_cjk_font()


def test_a_font_gone_after_registration_is_noticed(monkeypatch, tmp_path):
    """The PDF routes and the health check ask before each report, not once per process."""
    path, index = find_cjk_font()
    monkeypatch.setenv(ENV, f"{path}#{index}")
    assert register_cjk_font() == "LedgerCJK"
    monkeypatch.setenv(ENV, str(tmp_path / "removed.ttc"))
    with pytest.raises(CJKFontMissing) as info:
        register_cjk_font()
    assert info.value.package == "fonts-wqy-zenhei"
    monkeypatch.setenv(ENV, f"{path}#{index}")
    assert register_cjk_font() == "LedgerCJK"


def test_a_font_reportlab_cannot_embed_is_refused(tmp_path):
    """E.g. an OpenType/CFF font such as Noto Sans CJK, or anything that is not TrueType."""
    fake = tmp_path / "NotoSansCJK-Regular.otf"
    fake.write_bytes(b"OTTO" + bytes(200))
    with pytest.raises(CJKFontMissing, match="TrueType outlines"):
        load_font(fake)


def _literals() -> str:
    """Every string constant in reports/*.py: titles, headings, labels, notes."""
    out = []
    for path in REPORTS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append(node.value)
    return "".join(out)


def test_every_character_the_reports_print_has_a_glyph():
    face = pdfmetrics.getFont(register_cjk_font()).face
    missing = sorted({c for c in _literals() if ord(c) > 127 and ord(c) not in face.charToGlyph})
    assert missing == [], f"no glyph for {missing} ({[hex(ord(c)) for c in missing]})"
