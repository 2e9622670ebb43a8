"""The weekly report as a PDF (fpdf2): the same blocks as the HTML file, on A4 landscape pages.

A heading never ends a page; charts (the same 2× PNGs as in the HTML) are sized so two fit on
a page. Text uses the PDF core font Helvetica in the Windows-1252 encoding (em dash, curly
quotes); the few characters outside it are written as their ASCII equivalents (``→`` as
``->``, ``≤`` as ``<=``, ``≥`` as ``>=``, ``−`` as ``-``).
"""

from __future__ import annotations

import io

from fpdf import FPDF
from fpdf.enums import TableCellFillMode, XPos, YPos
from fpdf.fonts import FontFace
from PIL import Image

from dashboard.report import (
    Block,
    Bullets,
    Charts,
    Heading,
    Paragraph,
    ReportContent,
    Table,
)

ENCODING = "windows-1252"
REPLACEMENTS = {"→": "->", "≤": "<=", "≥": ">=", "−": "-", "×": "x"}
GREY = (107, 114, 128)
INK = (31, 41, 55)
STYLE_COLOURS = {"invested": (21, 128, 61), "cash": (185, 28, 28), "muted": GREY}
FADED_ROWS = {"stale", "unavailable"}
KEEP_WITH_HEADING = 40  # mm: a heading starts a new page when less room is left
CHART_GAP = 4  # mm below each chart
FOOTER_ROOM = 8  # mm left on a page of two charts, for the last line of the report


def pdf_text(text: str) -> str:
    """``text`` in the core font's encoding: known symbols as ASCII, anything else as ``?``."""
    for symbol, ascii_text in REPLACEMENTS.items():
        text = text.replace(symbol, ascii_text)
    return text.encode(ENCODING, errors="replace").decode(ENCODING)


def render_pdf(content: ReportContent) -> bytes:
    """The report as the bytes of a PDF file (A4 landscape, 12 mm margins)."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_margins(12, 12, 12)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(pdf_text(content.title))
    pdf.set_creator("Investable")
    pdf.add_page()
    for block, following in zip(content.blocks, (*content.blocks[1:], None), strict=True):
        if isinstance(block, Heading) and pdf.will_page_break(_room_after_heading(pdf, following)):
            pdf.add_page()  # a heading never ends a page: it stays with what follows it
        _block(pdf, block)
    return bytes(pdf.output())


def _room_after_heading(pdf: FPDF, following: Block | None) -> float:
    """mm a heading needs below it: a chart's height before charts, else a few lines."""
    if isinstance(following, Charts) and following.pngs:
        return pdf.eph / 2 + 10
    return KEEP_WITH_HEADING


def _block(pdf: FPDF, block: Block) -> None:
    if isinstance(block, Heading):
        pdf.set_text_color(*INK)
        pdf.set_font("helvetica", "B", 18 if block.level == 1 else 13)
        pdf.ln(2 if block.level == 1 else 4)
        pdf.multi_cell(0, 8, pdf_text(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    elif isinstance(block, Paragraph):
        _paragraph(pdf, block)
    elif isinstance(block, Bullets):
        pdf.set_font("helvetica", "", 10)
        pdf.set_text_color(*INK)
        for item in block.items:
            pdf.multi_cell(0, 5, pdf_text(f"  -  {item}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    elif isinstance(block, Table):
        _table(pdf, block)
    else:
        _charts(pdf, block)


def _paragraph(pdf: FPDF, block: Paragraph) -> None:
    state = block.style in {"invested", "cash"}
    size = 20 if state else (9 if block.style == "muted" else 10)
    pdf.set_font("helvetica", "B" if state else "", size)
    pdf.set_text_color(*STYLE_COLOURS.get(block.style, INK))
    pdf.multi_cell(
        0,
        size * 0.5,
        pdf_text(block.text),
        markdown=True,
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1.5)
    pdf.set_text_color(*INK)


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font("helvetica", "", 8.5)
    pdf.set_text_color(*INK)
    widths = block.widths or tuple(1.0 for _ in block.header)
    align = tuple("R" if column in block.numeric else "L" for column in range(len(block.header)))
    with pdf.table(
        col_widths=widths,
        text_align=align,
        line_height=4.6,
        borders_layout="HORIZONTAL_LINES",
        cell_fill_color=(243, 244, 246),
        cell_fill_mode=TableCellFillMode.NONE,
        headings_style=FontFace(emphasis="BOLD", fill_color=(243, 244, 246)),
        padding=1.2,
    ) as table:
        heading = table.row()
        for cell in block.header:
            heading.cell(pdf_text(cell))
        for index, values in enumerate(block.rows):
            faded = bool(block.row_styles) and block.row_styles[index] in FADED_ROWS
            style = FontFace(color=GREY) if faded else None
            row = table.row()
            for cell in values:
                row.cell(pdf_text(cell), style=style)
    pdf.ln(3)


def _charts(pdf: FPDF, block: Charts) -> None:
    if not block.pngs:
        _paragraph(pdf, Paragraph(block.note, "muted"))
        return
    for png in block.pngs:
        with Image.open(io.BytesIO(png)) as image:
            width_px, height_px = image.size
        # two charts a page: at most half the page's height each, never wider than the page
        width = min(pdf.epw, ((pdf.eph - FOOTER_ROOM) / 2 - CHART_GAP) * width_px / height_px)
        pdf.image(io.BytesIO(png), x=pdf.l_margin + (pdf.epw - width) / 2, w=width)
        pdf.ln(CHART_GAP)
