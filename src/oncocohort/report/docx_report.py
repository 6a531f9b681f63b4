"""The Word report: native, editable Word tables (:mod:`.docx_tables`) and the PNG figures
embedded, in the order and with the numbers of the HTML report.

The page is A4 with 15 mm side margins, so the text is 180 mm wide: a double-column figure
(180 mm) fits it exactly, a single-column one (85 mm) is placed at 85 mm; figures are placed
at the width they were drawn for (:data:`~oncocohort.report.figures._style.COLUMN_MM`), never
wider than the text. A figure a little taller with its caption than half the page's text (a
Kaplan-Meier plot with its numbers at risk) is placed up to 10% smaller
(:func:`figure_size_mm`), so that two share a page; a taller one keeps its size.

Figures and tables flow: only a change of orientation starts a new page; a caption is kept
with its figure or table and not split; a table that fits on a page is kept on one, a longer
one leaves no page a single row (:func:`~oncocohort.report.docx_tables.add_table_docx`). A
table too wide for the portrait page gets a landscape section of its own (consecutive wide
tables share one; the section break is carried by the table's last footnote, so no empty
paragraph spills onto a blank page). Text is black: headings and captions as journals set them, not the
template's coloured ones. Same content, same bytes (:func:`~oncocohort.report.ooxml.stable_ooxml`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml.ns import qn
from docx.parts.image import ImagePart
from docx.section import Section
from docx.shared import Mm, Pt, RGBColor

from oncocohort.report.assemble import ReportFigure
from oncocohort.report.content import ReportContent
from oncocohort.report.docx_tables import (
    CAPTION_AFTER_PT,
    CAPTION_FONT_PT,
    add_caption,
    add_table_docx,
    compute_table_layout,
)
from oncocohort.report.figures._style import COLUMN_MM
from oncocohort.report.ooxml import stable_ooxml
from oncocohort.report.textwidth import PT_PER_MM, lines_of

__all__ = ["render_report_docx", "draft_report_docx", "finish_report_docx", "DocxDraft",
           "figure_size_mm", "caption_mm", "PAGE_MM", "MARGINS_MM", "TEXT_WIDTH_MM",
           "LANDSCAPE_WIDTH_MM", "TEXT_HEIGHT_MM", "LANDSCAPE_HEIGHT_MM"]

PAGE_MM = (210.0, 297.0)           # A4
MARGINS_MM = (15.0, 20.0)          # sides, top and bottom (portrait)
TEXT_WIDTH_MM = PAGE_MM[0] - 2 * MARGINS_MM[0]         # 180 mm
LANDSCAPE_WIDTH_MM = PAGE_MM[1] - 2 * MARGINS_MM[1]    # 257 mm: top/bottom margins turn sides
TEXT_HEIGHT_MM = PAGE_MM[1] - 2 * MARGINS_MM[1]        # 257 mm
LANDSCAPE_HEIGHT_MM = PAGE_MM[0] - 2 * MARGINS_MM[0]   # 180 mm
_PICTURE_BEFORE_PT = 6.0   # above a figure (no empty paragraph: it would add a line)
_PICTURE_BELOW_PT = 2.0    # a picture's line reaches below it by the font's descent
_CAPTION_LINE_PT = 1.15 * 1.17 * CAPTION_FONT_PT  # Normal's 1.15 spacing of a 10 pt line
_SLACK_MM = 1.0            # per figure, for the line heights of other fonts
_SHRINK = 0.9              # a figure is placed at no less than 90% (its 7 pt text at 6.3 pt)
_FONT = "Arial"
_EMU_PER_MM = 36000
_FIXED = dt.datetime(2000, 1, 1)  # the document's created/modified time: same input, same bytes


def _page(section, landscape: bool) -> None:
    w, h = PAGE_MM
    side, top = MARGINS_MM
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(h), Mm(w)) if landscape else (Mm(w), Mm(h))
    if landscape:
        side, top = top, side
    section.left_margin = section.right_margin = Mm(side)
    section.top_margin = section.bottom_margin = Mm(top)


def _styles(doc) -> None:
    """Arial, black headings and body (the template's are blue Calibri)."""
    black = RGBColor(0, 0, 0)
    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10)
    for name, size in (("Title", 18), ("Heading 1", 13), ("Heading 2", 11)):
        style = doc.styles[name]
        style.font.name = _FONT
        style.font.color.rgb = black
        style.font.size = Pt(size)
        style.font.bold = True
    # the title's blue bottom border comes with the template's Title style
    p_pr = doc.styles["Title"].element.pPr
    if p_pr is not None:
        for border in p_pr.findall(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}pBdr"):
            p_pr.remove(border)


def caption_mm(caption: str) -> float:
    """The height in mm a figure's ``caption`` (its text, number included) adds to the
    figure, with the space above the figure: an upper estimate, the lines counted in DejaVu
    Sans (:func:`~oncocohort.report.textwidth.lines_of`), which is wider than Arial."""
    lines = lines_of(caption, TEXT_WIDTH_MM * PT_PER_MM, CAPTION_FONT_PT)
    return (_PICTURE_BEFORE_PT + _PICTURE_BELOW_PT + lines * _CAPTION_LINE_PT
            + CAPTION_AFTER_PT) / PT_PER_MM


def figure_size_mm(width_mm: float, height_mm: float,
                   caption_height_mm: float) -> tuple[float, float]:
    """The (width, height) a figure drawn ``width_mm`` wide (at most the text width) and
    ``height_mm`` tall is placed at, its caption taking ``caption_height_mm``
    (:func:`caption_mm`): its own size, or, when the figure and its caption are a little
    taller than half the portrait page's text, the largest size that makes them half, if
    that keeps at least 90% of its width, so that two such figures share a page."""
    half = TEXT_HEIGHT_MM / 2 - _SLACK_MM - caption_height_mm
    if half < height_mm <= half / _SHRINK:
        return width_mm * half / height_mm, half
    return width_mm, height_mm


class _Pages:
    """The document's sections: a new one only when the orientation changes."""

    def __init__(self, doc) -> None:
        self.doc = doc
        self.landscape = False
        _page(doc.sections[0], False)

    def turn(self, landscape: bool) -> None:
        """A new section when ``landscape`` changes the orientation. The section break is
        carried by the document's last paragraph (a table's last footnote), not by a new
        empty one: an empty paragraph after a table that fills its page would print alone
        on a blank page."""
        if landscape == self.landscape:
            return
        body = self.doc.element.body
        last = body[-2] if len(body) > 1 else None  # body[-1] is the closing w:sectPr
        if last is not None and last.tag == qn("w:p") and (last.pPr is None
                                                          or last.pPr.sectPr is None):
            sentinel = body.get_or_add_sectPr()
            last.set_sectPr(sentinel.clone())
            for ref in sentinel.xpath("w:headerReference|w:footerReference"):
                sentinel.remove(ref)
            sentinel.start_type = WD_SECTION.NEW_PAGE
            section = Section(sentinel, self.doc.part)
        else:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section, landscape)
        self.landscape = landscape

    @property
    def width_mm(self) -> float:
        return LANDSCAPE_WIDTH_MM if self.landscape else TEXT_WIDTH_MM

    @property
    def text_mm(self) -> tuple[float, float]:
        """The width and height of the text on the current page."""
        return ((LANDSCAPE_WIDTH_MM, LANDSCAPE_HEIGHT_MM) if self.landscape
                else (TEXT_WIDTH_MM, TEXT_HEIGHT_MM))


@dataclass
class DocxDraft:
    """A Word report built but for its pictures (:func:`draft_report_docx`): the document and,
    in report order, each figure's empty picture paragraph, the width it is placed at and the
    height of its caption (:func:`caption_mm`)."""

    doc: Any
    pictures: list[tuple[ReportFigure, Any, float, float]] = field(default_factory=list)


def draft_report_docx(content: ReportContent) -> DocxDraft:
    """The Word document of :func:`render_report_docx` without the figures' pictures, which
    :func:`finish_report_docx` puts in: the text and tables can be built while the figures
    are rendered (the tables are most of the document's time)."""
    title, methods = content.title, content.methods
    doc = Document()
    doc.core_properties.created = _FIXED  # stable metadata: same input, same document text
    doc.core_properties.modified = _FIXED
    doc.core_properties.title = title
    _styles(doc)
    pages = _Pages(doc)
    draft = DocxDraft(doc)
    doc.add_heading(title, level=0)
    doc.add_heading("Methods", level=1)
    doc.add_paragraph(methods)
    doc.add_heading("Results summary", level=1)
    for s in content.summary:
        doc.add_paragraph(s)
    doc.add_heading("Data quality", level=1)
    items = list(content.warnings) + list(content.notes)
    if not items:
        doc.add_paragraph("No validation warnings.")
    for w in items:
        doc.add_paragraph(w, style="List Bullet")
    doc.add_heading("Tables and figures", level=1).paragraph_format.keep_with_next = True
    tables = {t.name: t for t in content.tables}
    figures = {f.name: f for f in content.figures}
    sep = content.style.caption_sep
    gap = False  # a table was placed last: an empty line follows it on the same page
    for kind, name in content.order:
        if kind == "table":
            t = tables[name]
            layout = compute_table_layout(t, TEXT_WIDTH_MM, LANDSCAPE_WIDTH_MM)
            _after_table(doc, pages, gap, layout.landscape)
            add_table_docx(doc, t, layout, sep, pages.text_mm)
            gap = True
            continue
        _after_table(doc, pages, gap, False)
        gap = False
        figure = figures[name]
        width = min(COLUMN_MM[figure.column], pages.width_mm)
        picture = doc.add_paragraph()
        fmt = picture.paragraph_format
        fmt.keep_with_next = True
        fmt.space_before, fmt.space_after = Pt(_PICTURE_BEFORE_PT), Pt(0)
        fmt.line_spacing = 1.0  # a picture's line as tall as the picture
        caption = add_caption(doc, figure.label, sep, figure.caption)
        caption.paragraph_format.keep_with_next = False
        draft.pictures.append((figure, picture, width, caption_mm(caption.text)))
    if doc.element.body[-2].tag == qn("w:tbl"):  # a document ends with a paragraph
        doc.add_paragraph()
    return draft


def _after_table(doc, pages: _Pages, gap: bool, landscape: bool) -> None:
    """Turn the page to ``landscape`` if it is not; after a table (``gap``) on a page of the
    same orientation, an empty line first. A table that ends a section gets none: the break
    is carried by its last footnote (:meth:`_Pages.turn`), so nothing is left to spill onto
    a page of its own."""
    if gap and landscape == pages.landscape:
        doc.add_paragraph()
    pages.turn(landscape)


def finish_report_docx(draft: DocxDraft, pngs: Mapping[str, bytes]) -> bytes:
    """The draft's document with each figure's PNG (``pngs``: figure name -> its PNG) in its
    picture paragraph, in report order (so the pictures are numbered as the figures), as
    byte-stable file bytes."""
    for figure, picture, width, below in draft.pictures:
        shape = picture.add_run().add_picture(io.BytesIO(pngs[figure.name]), width=Mm(width))
        w, h = figure_size_mm(width, shape.height / _EMU_PER_MM, below)
        shape.width, shape.height = Mm(w), Mm(h)
        # a picture read from a stream is named "image.png"; name it after its figure file
        shape._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("name", f"{figure.name}.png")
    draft.pictures.clear()  # a draft is finished once
    pictures = {}  # the PNGs go into the file as they are, not deflated by python-docx first
    for part in draft.doc.part.package.iter_parts():
        if isinstance(part, ImagePart):
            pictures[part.partname.membername] = part.blob
            part._blob = b""  # python-docx writes an empty member, replaced below
    buf = io.BytesIO()
    draft.doc.save(buf)
    return stable_ooxml(buf.getvalue(), _FIXED, members=pictures)  # same input, same bytes


def render_report_docx(content: ReportContent, pngs: Mapping[str, bytes]) -> bytes:
    """The Word document: title, methods, results summary, data quality, then the tables and
    figures in report order (``pngs``: figure name -> its PNG)."""
    return finish_report_docx(draft_report_docx(content), pngs)
