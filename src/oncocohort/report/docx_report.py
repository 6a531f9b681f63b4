"""The Word report: native, editable Word tables (:mod:`.docx_tables`) and the PNG figures
embedded, in the order and with the numbers of the HTML report.

The page is A4 with 15 mm side margins, so the text is 180 mm wide: a double-column figure
(180 mm) fits it exactly, a single-column one (85 mm) is placed at 85 mm; figures are placed
at the width they were drawn for (:data:`~oncocohort.report.figures._style.COLUMN_MM`), never
wider than the text, so that their text prints at the 7-8 pt it was drawn at. The one
exception is the flowchart, the first figure, under the text of the first pages: when it does
not fit the room the text leaves on its page (:class:`_Flow`, an upper estimate), it is placed
smaller, at no less than 7/8 of its size (its 8 pt text at 7 pt or more): at the size that
fits (:func:`figure_size_mm`), or at 7/8 when that is estimated to miss by no more than the
estimate may be high (DejaVu Sans, LibreOffice's stand-in for Arial, is wider), rather than
move to the next page with its heading and leave half a page blank.

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
    NORMAL_SPACING,
    PARAGRAPH_EM,
    TEXT_LINE_EM,
    add_caption,
    add_table_docx,
    compute_table_layout,
)
from oncocohort.report.figures.sizes import COLUMN_MM, FLOWCHART_FONT_PT
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
_CAPTION_LINE_PT = PARAGRAPH_EM * CAPTION_FONT_PT  # a caption's line
_SLACK_MM = 1.0            # per figure, for the line heights of other fonts
_MIN_TEXT_PT = 7.0         # no figure's text is printed smaller
# The smallest text of the figures that may be placed smaller than drawn, to fit the room
# left on their page; every other figure has 7 pt text (legends, the numbers at risk).
_SMALLEST_TEXT_PT = {"flowchart": FLOWCHART_FONT_PT}
_NORMAL = (10.0, NORMAL_SPACING, 0.0, 10.0)  # the template's styles: size, spacing, before,
_TITLE = (18.0, 1.0, 0.0, 15.0)              # after (pt)
_HEADING = (13.0, NORMAL_SPACING, 24.0, 0.0)
_BULLET_INDENT_MM = 12.7   # a List Bullet paragraph's indent, counted high
# How much more text _Flow may count than LibreOffice prints in DejaVu Sans: 12 mm over the
# demo's two pages (a line more per long paragraph, the headings' spacing at a page top).
_ESTIMATE_HIGH_MM = 20.0
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


def figure_size_mm(width_mm: float, height_mm: float, room_mm: float = float("inf"),
                   min_scale: float = 1.0) -> tuple[float, float]:
    """The (width, height) a figure drawn ``width_mm`` wide (at most the text width) and
    ``height_mm`` tall is placed at: its own size when it fits ``room_mm`` (the height
    estimated to be left for it on its page), else the size that fits ``room_mm`` but no less
    than ``min_scale`` of its own (its smallest text at 7 pt). Never stretched.

    ``room_mm`` is an upper estimate of the text above (:class:`_Flow`), so a figure placed at
    ``min_scale`` may fit where the estimate said it would not, by up to
    :data:`_ESTIMATE_HIGH_MM`; one that does not fit by more goes to the next page as drawn."""
    if room_mm >= height_mm or room_mm + _ESTIMATE_HIGH_MM < height_mm * min_scale:
        return width_mm, height_mm
    scale = max(min_scale, room_mm / height_mm)
    return width_mm * scale, height_mm * scale


class _Flow:
    """Where the text ends on its page, paragraph by paragraph: an upper estimate, the lines
    counted in DejaVu Sans (:func:`~oncocohort.report.textwidth.lines_of`), which is wider
    than Arial, a paragraph continued on the next page line by line and a heading moved there
    when it would not have two lines under it."""

    def __init__(self) -> None:
        self.y_mm = 0.0  # from the top of the page's text

    def add(self, text: str, style: tuple[float, float, float, float], *,
            width_mm: float = TEXT_WIDTH_MM, after: bool = True, keep_mm: float = 0.0) -> None:
        """A paragraph of ``text`` in ``style`` (size, line spacing, space before and after,
        pt); ``after``: its space after counts (not between bullets); ``keep_mm``: the height
        of what it is kept with."""
        size, spacing, before, below = style
        line = spacing * TEXT_LINE_EM * size / PT_PER_MM
        if self.y_mm + (before / PT_PER_MM + line + keep_mm) > TEXT_HEIGHT_MM:
            self.y_mm = 0.0
        elif self.y_mm:
            self.y_mm += before / PT_PER_MM
        for _ in range(lines_of(text, width_mm * PT_PER_MM, size)):
            if self.y_mm + line > TEXT_HEIGHT_MM:
                self.y_mm = 0.0
            self.y_mm += line
        if after:
            self.y_mm = min(TEXT_HEIGHT_MM, self.y_mm + below / PT_PER_MM)

    @staticmethod
    def lines_mm(n: int, style: tuple[float, float, float, float]) -> float:
        size, spacing, _, _ = style
        return n * spacing * TEXT_LINE_EM * size / PT_PER_MM


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
    height it may take on its page with its caption (:func:`caption_mm`): the room left under
    the text for the first figure when it opens the tables and figures, else unbounded."""

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
    flow = _Flow()
    keep = _Flow.lines_mm(2, _NORMAL)  # a heading is kept with two lines of what follows
    heading1 = doc.styles["Heading 1"]  # looked up by name once (doc.add_heading: each time)
    doc.add_paragraph(title, doc.styles["Title"])
    flow.add(title, _TITLE)
    for heading, paragraphs in (("Methods", [methods]), ("Results summary", content.summary)):
        doc.add_paragraph(heading, heading1)
        flow.add(heading, _HEADING, keep_mm=keep)
        for text in paragraphs:
            doc.add_paragraph(text)
            flow.add(text, _NORMAL)
    doc.add_paragraph("Data quality", heading1)
    flow.add("Data quality", _HEADING, keep_mm=keep)
    items = list(content.warnings) + list(content.notes)
    if not items:
        doc.add_paragraph("No validation warnings.")
        flow.add("No validation warnings.", _NORMAL)
    bullet = doc.styles["List Bullet"]
    for i, w in enumerate(items):
        doc.add_paragraph(w, bullet)
        flow.add(w, _NORMAL, width_mm=TEXT_WIDTH_MM - _BULLET_INDENT_MM, after=i == len(items) - 1)
    doc.add_paragraph("Tables and figures", heading1).paragraph_format.keep_with_next = True
    flow.add("Tables and figures", _HEADING)
    room = TEXT_HEIGHT_MM - flow.y_mm  # for what follows the heading, on the heading's page
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
        caption = add_caption(doc, figure.label, sep, figure.caption, keep_next=False)
        first = content.order[0] == (kind, name)
        room_mm = room - caption_mm(caption.text) - _SLACK_MM if first else float("inf")
        draft.pictures.append((figure, picture, width, room_mm))
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
    for figure, picture, width, room_mm in draft.pictures:
        shape = picture.add_run().add_picture(io.BytesIO(pngs[figure.name]), width=Mm(width))
        smallest = _SMALLEST_TEXT_PT.get(figure.name, _MIN_TEXT_PT)
        w, h = figure_size_mm(width, shape.height / _EMU_PER_MM, room_mm,
                              _MIN_TEXT_PT / smallest)
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
