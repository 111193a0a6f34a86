"""The CJK font every report is set in, embedded so a PDF reads the same everywhere.

ReportLab embeds (subsets) TrueType fonts only: fonts whose glyphs are
TrueType outlines (``glyf``), in a .ttf or a .ttc collection. The Noto/Source
Han CJK fonts that most distributions install are OpenType with CFF
(PostScript) outlines, which ReportLab refuses ("postscript outlines are
not supported"), and its built-in CID fonts (STSong-Light) are never
embedded. So the reports use WenQuanYi Zen Hei (文泉驿正黑), a TrueType
collection that Debian and Ubuntu ship as ``fonts-wqy-zenhei``::

    sudo apt-get install fonts-wqy-zenhei

The font is found by `LEDGER_CJK_FONT` (a path; append ``#N`` to pick the
N-th font of a .ttc) or else by searching `KNOWN_FONTS`. Parsing it takes
most of a second, so it is parsed once per process; finding it is a stat,
done on every call, so a font removed or a changed `LEDGER_CJK_FONT` is
reported by the next request, not by the next restart.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFError, TTFont

#: The name reports use in styles and on the canvas.
FONT = "LedgerCJK"
ENV = "LEDGER_CJK_FONT"
PACKAGE = "fonts-wqy-zenhei"
INSTALL = f"sudo apt-get install {PACKAGE}"

#: (path, index in the collection, package that installs it), in order of preference.
KNOWN_FONTS: tuple[tuple[str, int, str], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0, "fonts-wqy-zenhei"),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0, "wqy-zenhei-fonts (Fedora)"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0, "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0, "fonts-arphic-uming"),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0, "fonts-arphic-ukai"),
)

_lock = threading.Lock()
#: The font (path, index) registered as `FONT`, once one is.
_registered: list[tuple[Path, int]] = []


class CJKFontMissing(RuntimeError):
    """No embeddable CJK font: the message says what to install or set."""

    #: The Debian package that installs the font the reports are set in.
    package = PACKAGE


def find_cjk_font() -> tuple[Path, int]:
    """The font file and collection index to use; raise CJKFontMissing if there is none."""
    configured = os.environ.get(ENV, "").strip()
    if configured:
        path, _, index = configured.partition("#")
        if not Path(path).is_file():
            raise CJKFontMissing(
                f"{ENV}={configured!r} names no file. Point it at a TrueType-outline CJK "
                f"font (.ttf/.ttc), or unset it and run: {INSTALL}"
            )
        if index and not index.isdigit():
            raise CJKFontMissing(f"{ENV}={configured!r}: the part after # must be a number")
        return Path(path), int(index or 0)
    for path, index, _ in KNOWN_FONTS:
        if Path(path).is_file():
            return Path(path), index
    searched = ", ".join(path for path, _, _ in KNOWN_FONTS)
    raise CJKFontMissing(
        "No CJK TrueType font found for the PDF reports (searched "
        f"{searched}). Install one with: {INSTALL} (or set {ENV} to a .ttf/.ttc file "
        "with TrueType outlines; OpenType/CFF fonts such as Noto Sans CJK cannot be embedded)."
    )


def load_font(path: Path, index: int = 0) -> TTFont:
    """Parse the font for embedding; a font ReportLab cannot embed raises CJKFontMissing."""
    try:
        return TTFont(FONT, str(path), subfontIndex=index)
    except (TTFError, OSError) as error:
        raise CJKFontMissing(
            f"{path} (font {index}) cannot be embedded by ReportLab: {error}. Use a font "
            f"with TrueType outlines, e.g. {INSTALL}"
        ) from None


def register_cjk_font() -> str:
    """Find the CJK font, register it with ReportLab unless it already is, return `FONT`.

    Raises CJKFontMissing when there is none: call it before a PDF's work starts.
    """
    found = find_cjk_font()
    with _lock:
        if found not in _registered:
            pdfmetrics.registerFont(load_font(*found))
            # One face for every style: <b> and <i> in a paragraph must not fall back to Helvetica.
            registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
            _registered[:] = [found]
        return FONT
