"""Reading generated PDFs back: their text, pages, fonts and colours (pypdf)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

#: The red ink of reversals (#C00000) as a PDF fill-colour operator.
RED_FILL = b".752941 0 0 rg"  # ReportLab drops the leading zero


def reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    return PdfReader(io.BytesIO(pdf))


def pages(pdf: bytes) -> list[str]:
    """The text of each page."""
    return [page.extract_text() for page in reader(pdf).pages]


def text(pdf: bytes) -> str:
    return "\n".join(pages(pdf))


def squeezed(pdf: bytes) -> str:
    """The text without any whitespace: a wrapped cell reads as one string again."""
    return re.sub(r"\s+", "", text(pdf))


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _font_dicts(resources: DictionaryObject | None) -> Iterator[tuple[str, DictionaryObject]]:
    """Every font in a resource dictionary and in the form XObjects it uses."""
    if resources is None:
        return
    resources = _resolve(resources)
    for name, font in (_resolve(resources.get("/Font")) or {}).items():
        yield name, _resolve(font)
    for xobject in (_resolve(resources.get("/XObject")) or {}).values():
        xobject = _resolve(xobject)
        if xobject.get("/Subtype") == "/Form":
            yield from _font_dicts(xobject.get("/Resources"))


def fonts(pdf: bytes) -> dict[str, bool]:
    """Base font name -> whether its program is embedded (FontFile, FontFile2 or FontFile3)."""
    found: dict[str, bool] = {}
    for page in reader(pdf).pages:
        for _, font in _font_dicts(page.get("/Resources")):
            descriptor_owner = font
            if font.get("/Subtype") == "/Type0":
                descriptor_owner = _resolve(_resolve(font["/DescendantFonts"])[0])
            descriptor = _resolve(descriptor_owner.get("/FontDescriptor"))
            embedded = descriptor is not None and any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font.get("/BaseFont"))] = embedded
    return found


def images(pdf: bytes) -> int:
    """How many raster images the pages use (a chart must be vector graphics: none)."""
    count = 0
    for page in reader(pdf).pages:
        xobjects = _resolve(_resolve(page.get("/Resources") or {}).get("/XObject")) or {}
        count += sum(1 for x in xobjects.values() if _resolve(x).get("/Subtype") == "/Image")
    return count


def contents(pdf: bytes) -> list[bytes]:
    """Each page's content stream (drawing operators)."""
    return [page.get_contents().get_data() for page in reader(pdf).pages]


def assert_numbered(pdf: bytes) -> int:
    """Every page says "第 N 页 / 共 M 页" with the right N and M; returns M."""
    texts = pages(pdf)
    total = len(texts)
    for number, page in enumerate(texts, start=1):
        assert f"第 {number} 页 / 共 {total} 页" in page, f"page {number} of {total}"
    return total


def assert_embedded(pdf: bytes) -> None:
    """Every font a page uses is embedded (so the PDF reads the same everywhere)."""
    used = fonts(pdf)
    assert used, "no fonts found"
    assert all(used.values()), f"not embedded: {[n for n, e in used.items() if not e]}"
