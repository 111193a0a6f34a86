"""The A4 page every report is printed on, and the pieces reports are built from.

Every page carries the report's title (and subject: a township, a loan ...),
the fund, the period or as-of date, when it was generated, and "第 N 页 /
共 M 页". The page count is only known at the end, so `_NumberedCanvas`
keeps each finished page aside and draws the running header and footer on
all of them when the document is saved (the two-pass canvas recipe).

Tables repeat their header rows on every page (`LongTable`, ``repeatRows``),
print amounts right-aligned as ``1,000,000.00``, and wrap any text cell that
does not fit its column (a Paragraph with CJK line breaking), so a long
village or project name makes the row taller instead of running over its
neighbours. Plain strings are kept where they fit: wrapping every cell of a
10,000-row listing would cost seconds.

Everything is set in the one embedded CJK font (`reports.fonts`); nothing
falls back to a standard PDF font, which a reader would substitute.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ledger.money import daxie, fmt
from reports.fonts import register_cjk_font

#: China Standard Time: what a county clerk reads on the wall clock.
BEIJING = timezone(timedelta(hours=8), "北京时间")

PORTRAIT = A4
LANDSCAPE = landscape(A4)
SIDE = 15 * mm
TOP = 22 * mm
BOTTOM = 18 * mm
#: Usable width of a portrait and a landscape page.
WIDTH = PORTRAIT[0] - 2 * SIDE
WIDE = LANDSCAPE[0] - 2 * SIDE

INK = colors.black
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#8C8C8C")
HEAD_FILL = colors.HexColor("#E4EAF1")
TOTAL_FILL = colors.HexColor("#F1F1F1")
RED = colors.HexColor("#C00000")
PAD = 2.5  # points of cell padding left and right

FONT = "LedgerCJK"  # the name `register_cjk_font` registers


# --- text ---------------------------------------------------------------------


def _style(name: str, size: float, align: int = TA_LEFT, **extra: Any) -> ParagraphStyle:
    settings = {"leading": size * 1.3, **extra}
    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, alignment=align, wordWrap="CJK", **settings
    )


TITLE = _style("title", 18, TA_CENTER, spaceAfter=4, leading=24)
SUBTITLE = _style("subtitle", 9.5, TA_CENTER, textColor=GREY, spaceAfter=8)
H2 = _style("h2", 11.5, spaceBefore=9, spaceAfter=4, leading=15)
BODY = _style("body", 9, spaceAfter=3)
NOTE = _style("note", 7.5, textColor=GREY, spaceBefore=2, spaceAfter=2)
CELL = _style("cell", 8)
CELL_RIGHT = _style("cell_right", 8, TA_RIGHT)
CELL_CENTER = _style("cell_center", 8, TA_CENTER)
HEAD = _style("head", 8, TA_CENTER)


def _font() -> str:
    """The CJK font's name, registering it first (once per process)."""
    if not _registered:
        _registered.append(register_cjk_font())
    return FONT


_registered: list[str] = []


def para(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (escaped: a name with < or & prints as written)."""
    _font()
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def rich(markup: str, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of ReportLab markup; callers escape any data they put in it."""
    _font()
    return Paragraph(markup, style)


def heading(text: str) -> Paragraph:
    return para(text, H2)


def note(text: str) -> Paragraph:
    return para(text, NOTE)


# --- figures ------------------------------------------------------------------


def money(amount: Decimal | None) -> str:
    """``1,000,000.00``; empty for None."""
    return "" if amount is None else fmt(amount)


def money_or_blank(amount: Decimal) -> str:
    """As `money`, but a zero prints as an empty cell (debit/credit columns)."""
    return "" if amount == 0 else fmt(amount)


def in_words(amount: Decimal) -> str:
    """人民币大写, with the 人民币 prefix a form prints before it."""
    return "人民币" + daxie(amount)


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


# --- the page -------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """What every page of a report says about itself."""

    title: str
    #: The fund as printed: its name and code.
    fund: str
    #: "期间:2009-01-01 至 2009-12-31" or "截至 2009-12-31".
    period: str
    generated_at: datetime
    #: What the report is about, beside the title: a township, a loan, a liaison.
    subject: str = ""

    @property
    def generated(self) -> str:
        return f"{self.generated_at.astimezone(BEIJING):%Y-%m-%d %H:%M}(北京时间)"


def fund_label(name: str, code: str) -> str:
    return f"{name}({code})"


def period_label(from_: date | None, to: date) -> str:
    """The period line: a range when it starts somewhere, else an as-of date."""
    if from_ is None:
        return f"截至 {to.isoformat()}"
    return f"期间:{from_.isoformat()} 至 {to.isoformat()}"


def now() -> datetime:
    return datetime.now(BEIJING)


class _NumberedCanvas(Canvas):
    """Keeps finished pages until `save`, then stamps header, footer and "第 N 页 / 共 M 页"."""

    def __init__(self, *args: Any, heading: Heading, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._heading = heading
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        width, height = self._pagesize
        h = self._heading
        self.saveState()
        self.setFillColor(INK)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        top = height - 13 * mm
        self.setFont(FONT, 10)
        self.drawString(SIDE, top, h.title)
        if h.subject:
            self.setFont(FONT, 8.5)
            self.setFillColor(GREY)
            self.drawString(SIDE + stringWidth(h.title, FONT, 10) + 8, top, h.subject)
        self.setFont(FONT, 8)
        self.setFillColor(GREY)
        self.drawRightString(width - SIDE, top, h.fund)
        self.line(SIDE, top - 2.5 * mm, width - SIDE, top - 2.5 * mm)
        bottom = 10 * mm
        self.line(SIDE, bottom + 4 * mm, width - SIDE, bottom + 4 * mm)
        self.drawString(SIDE, bottom, f"编制时间:{h.generated}")
        self.drawRightString(width - SIDE, bottom, h.period)
        self.setFillColor(INK)
        self.setFont(FONT, 9)
        self.drawCentredString(width / 2, bottom, f"第 {number} 页 / 共 {total} 页")
        self.restoreState()


def title_block(h: Heading, *lines: str) -> list[Flowable]:
    """The big title on the first page: subject and fund, then period and any further lines."""
    gap = "&nbsp;" * 4
    first = gap.join(escape(s) for s in (h.subject, h.fund) if s)
    second = gap.join(escape(s) for s in (h.period, *lines) if s)
    return [para(h.title, TITLE), rich(f"{first}<br/>{second}", SUBTITLE)]


def landscape_pages() -> list[Flowable]:
    """Continue on landscape pages (for wide tables)."""
    return [NextPageTemplate("landscape"), PageBreak()]


def build(h: Heading, story: Iterable[Flowable], *, wide: bool = False) -> bytes:
    """Lay out `story` on A4 pages (landscape when `wide`) and return the PDF."""
    _font()
    out = BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=LANDSCAPE if wide else PORTRAIT,
        leftMargin=SIDE,
        rightMargin=SIDE,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=f"{h.title} {h.subject}".strip(),
        author="周转金台账",
        subject=f"{h.fund} {h.period}",
        creator="周转金台账 reports",
        initialFontName=FONT,
        invariant=True,
    )
    templates = [
        PageTemplate(
            "portrait",
            [Frame(SIDE, BOTTOM, WIDTH, PORTRAIT[1] - TOP - BOTTOM, id="p", **_NO_PAD)],
            pagesize=PORTRAIT,
        ),
        PageTemplate(
            "landscape",
            [Frame(SIDE, BOTTOM, WIDE, LANDSCAPE[1] - TOP - BOTTOM, id="l", **_NO_PAD)],
            pagesize=LANDSCAPE,
        ),
    ]
    doc.addPageTemplates(templates[::-1] if wide else templates)

    def canvas(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        return _NumberedCanvas(*args, heading=h, **kwargs)

    doc.build(list(story), canvasmaker=canvas)
    return out.getvalue()


_NO_PAD = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


# --- tables -------------------------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A table column: header text, relative width, alignment (L, R or C)."""

    title: str
    width: float
    align: str = "L"


_ALIGN = {"L": "LEFT", "R": "RIGHT", "C": "CENTER"}
_CELL_STYLE = {"L": CELL, "R": CELL_RIGHT, "C": CELL_CENTER}

Cell = str | Flowable


def _fit(value: Cell, width: float, align: str, size: float) -> Cell:
    """Keep a string that fits its column; wrap one that does not."""
    if not isinstance(value, str):
        return value
    if "\n" not in value and stringWidth(value, _font(), size) <= width - 2 * PAD:
        return value
    return para(value, _sized(_CELL_STYLE[align], size))


def table(
    cols: Sequence[Col],
    rows: Iterable[Sequence[Cell]],
    *,
    total: Sequence[Cell] | None = None,
    width: float = WIDTH,
    size: float = 8,
    header: Sequence[Sequence[Cell]] | None = None,
    styles: Sequence[tuple[Any, ...]] = (),
    red_rows: Iterable[int] = (),
) -> LongTable:
    """A ruled table whose header rows repeat on every page and whose total row closes it.

    `header` replaces the one header row made from the column titles (for
    two-line headers); `red_rows` are body row indexes printed in red ink.
    """
    scale = width / sum(c.width for c in cols)
    widths = [c.width * scale for c in cols]
    head_rows = [list(r) for r in header] if header else [[c.title for c in cols]]
    head = [
        [_fit(v, w, "C", size) if v else "" for v, w in zip(r, widths, strict=True)]
        for r in head_rows
    ]
    for r in head:  # header text always wraps centred, even when it fits
        for i, v in enumerate(r):
            if isinstance(v, str) and v:
                r[i] = para(v, _sized(HEAD, size))
    body = [
        [_fit(v, w, c.align, size) for v, w, c in zip(r, widths, cols, strict=True)] for r in rows
    ]
    data: list[list[Cell]] = head + body
    if total is not None:
        data.append(
            [_fit(v, w, c.align, size) for v, w, c in zip(total, widths, cols, strict=True)]
        )
    n_head = len(head)
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, size, size * 1.3),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
        ("BACKGROUND", (0, 0), (-1, n_head - 1), HEAD_FILL),
        ("LINEBELOW", (0, n_head - 1), (-1, n_head - 1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.8),
    ]
    for i, c in enumerate(cols):
        commands.append(("ALIGN", (i, n_head), (i, -1), _ALIGN[c.align]))
    if total is not None:
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 0.8, INK),
        ]
    for r in red_rows:
        commands.append(("TEXTCOLOR", (0, n_head + r), (-1, n_head + r), RED))
    commands += list(styles)
    result = LongTable(data, colWidths=widths, repeatRows=n_head, hAlign="LEFT")
    result.setStyle(TableStyle(commands))
    return result


def _sized(style: ParagraphStyle, size: float) -> ParagraphStyle:
    if style.fontSize == size:
        return style
    return ParagraphStyle(f"{style.name}-{size}", parent=style, fontSize=size, leading=size * 1.3)


def facts(
    pairs: Sequence[tuple[str, Cell]], *, columns: int = 2, width: float = WIDTH, label: float = 0.4
) -> Table:
    """Label–value pairs in `columns` ruled columns (the identity block of a statement)."""
    rows: list[list[Cell]] = []
    cell_width = width / columns
    for start in range(0, len(pairs), columns):
        row: list[Cell] = []
        for name, value in pairs[start : start + columns]:
            row += [
                _fit(name, cell_width * label, "L", 8),
                _fit(value, cell_width * (1 - label), "L", 8),
            ]
        row += ["", ""] * (columns - len(pairs[start : start + columns]))
        rows.append(row)
    widths = [cell_width * label, cell_width * (1 - label)] * columns
    result = Table(rows, colWidths=widths, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8, 10.4),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for c in range(columns):
        commands.append(("BACKGROUND", (2 * c, 0), (2 * c, -1), HEAD_FILL))
    result.setStyle(TableStyle(commands))
    return result


def amounts(
    pairs: Sequence[tuple[str, Decimal | str]], *, columns: int = 2, width: float = WIDTH
) -> Table:
    """Label–amount pairs, amounts right-aligned (the KPI block)."""
    cell_width = width / columns
    rows: list[list[Cell]] = []
    for start in range(0, len(pairs), columns):
        row: list[Cell] = []
        for name, value in pairs[start : start + columns]:
            text = money(value) if isinstance(value, Decimal) else value
            row += [_fit(name, cell_width * 0.55, "L", 8), _fit(text, cell_width * 0.45, "R", 8)]
        row += ["", ""] * (columns - len(pairs[start : start + columns]))
        rows.append(row)
    result = Table(rows, colWidths=[cell_width * 0.55, cell_width * 0.45] * columns, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8, 10.4),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.8, INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for c in range(columns):
        commands += [
            ("BACKGROUND", (2 * c, 0), (2 * c, -1), HEAD_FILL),
            ("ALIGN", (2 * c + 1, 0), (2 * c + 1, -1), "RIGHT"),
        ]
    result.setStyle(TableStyle(commands))
    return result


# --- signatures ---------------------------------------------------------------


def signatures(
    parties: Sequence[tuple[str, Sequence[str | tuple[str, str]]]],
    *,
    width: float = WIDTH,
    intro: str = "",
    dated: bool = True,
) -> Flowable:
    """Signature blocks side by side: each party's name, its signers' lines and a date line.

    A signer is a role with a blank line to sign on, or (role, name) when the
    name is known (制单: who recorded a voucher). Kept together on one page,
    so nobody signs under a page break.
    """
    cells = []
    for party, signers in parties:
        lines = [f'<font size="10">{escape(party)}</font>'] if party else []
        for signer in signers:
            if isinstance(signer, tuple):
                lines.append(f"{escape(signer[0])}:{escape(signer[1])}")
            else:
                lines.append(f"{escape(signer)}:________________")
        if dated:
            lines.append("日期:______年____月____日")
        cells.append(rich("<br/><br/>".join(lines), _style("sign", 9, leading=13)))
    block = Table([cells], colWidths=[width / len(parties)] * len(parties), hAlign="LEFT")
    block.setStyle(
        TableStyle(
            [
                # Every table names the font: a table's default (Helvetica) is not embedded.
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    # One unsplittable table (not a KeepTogether, which cannot be nested in another).
    rows: list[list[Cell]] = [[para(intro, BODY)]] if intro else []
    rows.append([block])
    whole = Table(rows, colWidths=[width], hAlign="LEFT")
    whole.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("NOSPLIT", (0, 0), (-1, -1)),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (0, 0), 10),
            ]
        )
    )
    return whole


def spacer(points: float) -> Spacer:
    return Spacer(1, points)


def red_style(style: ParagraphStyle) -> ParagraphStyle:
    """`style` in red ink (红字)."""
    return ParagraphStyle(f"{style.name}-red", parent=style, textColor=RED)


def keep_with_next(*flowables: Flowable, room: float = 40 * mm) -> list[Flowable]:
    """Start on a new page unless `room` is left: a heading never ends a page alone."""
    return [CondPageBreak(room), *flowables]
