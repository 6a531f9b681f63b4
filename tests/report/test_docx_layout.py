"""The Word report's tables and figures as journals print them, read back from the document's
XML: three rules, repeated header rows, right-aligned numbers, widths from content, landscape
pages for wide tables, figures at a journal column width, numbered captions in black; column
spanners in every rendering."""

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from oncocohort.problems import Problems
from oncocohort.report.docx_report import (
    LANDSCAPE_WIDTH_MM,
    TEXT_HEIGHT_MM,
    TEXT_WIDTH_MM,
    caption_mm,
    figure_size_mm,
    render_report_docx,
)
from oncocohort.report.docx_tables import compute_table_layout
from oncocohort.report.figure_steps import build_drawn_report
from oncocohort.report.tables import DisplayTable, Spanner, render_table_csv, render_table_html
from oncocohort.report.textwidth import text_width_pt

EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4


def _borders(tc) -> dict[str, str]:
    b = tc.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}")
    return {} if b is None else {el.tag.split("}")[1]: el.get(qn("w:sz")) for el in b}


@pytest.fixture(scope="module")
def docx(written_report):
    out, _ = written_report
    return Document(str(out / "report.docx"))


def test_tables_have_three_rules_and_repeated_headers(docx, written_report):
    _, results = written_report
    content = build_drawn_report(results.analysis, results.options, Problems.of([]))
    assert len(docx.tables) == len(content.tables)
    for word, t in zip(docx.tables, sorted(content.tables, key=lambda t: int(t.label[6:])),
                       strict=True):
        tbl = word._tbl
        borders = tbl.tblPr.find(qn("w:tblBorders"))
        assert {el.get(qn("w:val")) for el in borders} == {"nil"}  # no grid
        rows = tbl.tr_lst
        n_head = 1 + t.levels
        for i, tr in enumerate(rows):
            header = tr.trPr.find(qn("w:tblHeader")) is not None
            assert header == (i < n_head)  # the header rows, and only they, repeat
            assert tr.trPr.find(qn("w:cantSplit")) is not None
            for tc in tr.tc_lst:
                b = _borders(tc)
                if i == 0:
                    assert b.get("top") == "8"  # the top rule
                if i == n_head - 1:
                    assert b.get("bottom") == "4"  # the rule under the header
                if i == len(rows) - 1:
                    assert b == {"bottom": "8"}  # the bottom rule
                if n_head <= i < len(rows) - 1:
                    assert b == {}  # nothing between body rows
        # numbers right-aligned, labels left
        body = [r for r in word.rows[n_head:] if len({id(c._tc) for c in r.cells}) > 1]
        for r in body:
            aligns = [c.paragraphs[0].alignment for c in r.cells]
            assert aligns[0] is None and all(a == 2 for a in aligns[1:])  # 2: RIGHT


def test_widths_come_from_content_and_fit_the_page(docx, written_report):
    _, results = written_report
    content = build_drawn_report(results.analysis, results.options, Problems.of([]))
    by_title = {t.title: t for t in content.tables}
    pending, widths = [], []  # a section's settings follow its content
    for el in docx.element.body.iterchildren():
        if el.tag == qn("w:tbl"):
            pending.append(el)
        sect = el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") if el.tag == qn("w:p") else (
            el if el.tag == qn("w:sectPr") else None)
        if sect is not None:
            size, mar = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
            width = (int(size.get(qn("w:w"))) - int(mar.get(qn("w:left")))
                     - int(mar.get(qn("w:right")))) / TWIPS_PER_MM
            widths += [width] * len(pending)
            pending = []
    assert len(widths) == len(docx.tables)
    for word, page in zip(docx.tables, widths, strict=True):
        grid = [int(c.get(qn("w:w"))) / TWIPS_PER_MM
                for c in word._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert sum(grid) <= page + 0.5
        caption = word._tbl.getprevious()
        title = "".join(r.text for r in caption.iter(qn("w:t")))
        t = by_title[re.sub(r"^Table \d+\. ", "", title)]
        layout = compute_table_layout(t, TEXT_WIDTH_MM, LANDSCAPE_WIDTH_MM)
        assert abs(page - (LANDSCAPE_WIDTH_MM if layout.landscape else TEXT_WIDTH_MM)) < 0.5
        # every number cell fits its column on one line (9 pt, 1 mm margins each side)
        for row in t.rows:
            if t.is_heading(row):
                continue
            for cell, w in zip(row[1:], grid[1:], strict=True):
                assert text_width_pt(cell, layout.font_pt) * 25.4 / 72 + 2 <= w + 1e-6


def test_no_empty_paragraph_ends_a_section(docx):
    """A section break (and the document's end) is carried by the last paragraph of what
    precedes it, a table's last footnote, not by an empty paragraph, which prints alone on a
    blank page when the table fills its page (the demo's landscape Table 6 did); only a
    table without footnotes is followed by an empty one, as a paragraph must follow it."""
    body = list(docx.element.body.iterchildren())
    ends = [i for i, el in enumerate(body)
            if el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    ends.append(max(i for i, el in enumerate(body) if el.tag == qn("w:p")))
    assert len(ends) >= 3  # the fixture has a landscape section
    for i in ends:
        text = "".join(t.text for t in body[i].iter(qn("w:t")))
        assert text.strip() or body[i - 1].tag == qn("w:tbl"), i


def _placed(docx):
    """Per picture: its PNG's canvas (width, height) in mm at its dpi, the (width, height) it
    is placed at in mm, and its caption (the next paragraph's text)."""
    from PIL import Image

    out = []
    for shape in docx.inline_shapes:
        rid = shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        png = Image.open(io.BytesIO(docx.part.related_parts[rid].blob))
        dpi = png.info["dpi"][0]
        caption = "".join(t.text for t in shape._inline.getparent().getparent().getparent()
                          .getnext().iter(qn("w:t")))
        out.append(((png.size[0] / dpi * 25.4, png.size[1] / dpi * 25.4),
                    (shape.width / EMU_PER_MM, shape.height / EMU_PER_MM), caption, dpi))
    return out


def test_figures_at_a_journal_column_width(docx, written_report):
    out, _ = written_report
    placed = _placed(docx)
    assert {round(canvas[0]) for canvas, *_ in placed} <= {85, 180}
    assert len(placed) == len(list((out / "figures").glob("*.png")))


def test_figures_placed_at_100_percent(docx):
    """Each picture's canvas is exactly the column width it was drawn for (85 or 180 mm, at
    300 dpi), placed at 100%, so that its 7 pt texts print at 7 pt (the swimmer's 149 mm canvas
    placed at 180 mm printed them at 8.5 pt, the padded 185 mm ones at 6.8 pt; the Kaplan-Meier
    plots by group, placed at 94% so that two shared a page, at 6.6 pt). Only the flowchart,
    whose text is 8 pt, may be placed smaller, at no less than 7/8 (its text at 7 pt), to fit
    under the text of the first pages. Never stretched."""
    placed = _placed(docx)
    assert len(placed) >= 5
    for (cw, ch), (w, h), caption, dpi in placed:
        assert dpi == pytest.approx(300, abs=0.01)
        assert w / cw == pytest.approx(h / ch, rel=1e-4)  # the canvas's proportions
        if "flowchart" in caption.lower():
            assert 7 / 8 * cw - 25.4 / 300 <= w <= cw + 25.4 / 300, caption
        else:
            assert w == pytest.approx(cw, abs=25.4 / 300), caption


@pytest.mark.by_hand
def test_figure_size_fits_the_room_left_down_to_its_smallest_text():
    assert figure_size_mm(180, 150) == (180, 150)                    # no room given: as drawn
    assert figure_size_mm(180, 150, 160, 7 / 8) == (180, 150)        # fits as drawn
    assert figure_size_mm(180, 150, 140, 7 / 8) == pytest.approx((168, 140))  # fits at 93%
    assert figure_size_mm(180, 160, 125, 7 / 8) == pytest.approx((157.5, 140))  # 7/8 at least
    # 7/8 misses the room by more than the estimate can be high: the next page, as drawn
    assert figure_size_mm(180, 160, 119, 7 / 8) == (180, 160)
    assert figure_size_mm(180, 116, 109) == (180, 116)    # 7 pt text: never smaller
    # the caption: 6 pt above the figure, 2 pt below it, lines of 1.15 x 1.17 x 10 pt, 4 pt
    line = 1.15 * 1.17 * 10 * 25.4 / 72
    one = caption_mm("0000")
    assert one == pytest.approx((6 + 2 + 4) * 25.4 / 72 + line)
    # "0000" is 25.45 pt wide, a space 3.18 pt: 17 of them fill 486.7 pt of the 510.2 pt line
    assert caption_mm(" ".join(["0000"] * 34)) == pytest.approx(one + line)
    assert caption_mm(" ".join(["0000"] * 35)) == pytest.approx(one + 2 * line)


def test_the_flowchart_smallest_text_is_the_one_assumed():
    from oncocohort.report import docx_report
    from oncocohort.report.figures import flowchart

    assert docx_report._SMALLEST_TEXT_PT == {"flowchart": flowchart.FONT_PT}


def test_captions_numbered_once_and_black(docx, written_report):
    _, results = written_report
    content = build_drawn_report(results.analysis, results.options, Problems.of([]))
    labels = [t.label for t in content.tables] + [f.label for f in content.figures]
    assert len(set(labels)) == len(labels)
    assert sorted(t.label for t in content.tables) == sorted(
        f"Table {i}" for i in range(1, len(content.tables) + 1))
    texts = [p.text for p in docx.paragraphs]
    for label in labels:
        assert sum(1 for x in texts if x.startswith(label + ". ")) == 1
    xml = docx.element.xml
    assert set(re.findall(r'w:color w:val="([0-9A-Fa-f]{6})"', xml)) <= {"000000"}
    styles = docx.styles.element.xml
    for name in ("Title", "Heading1", "Heading2"):
        block = styles[styles.index(f'w:styleId="{name}"'):]
        block = block[:block.index("</w:style>")]
        assert "themeColor" not in block and re.findall(r'w:color w:val="(\w+)"', block) in (
            [], ["000000"])


def test_the_same_content_gives_the_same_bytes(written_report):
    _, results = written_report
    content = build_drawn_report(results.analysis, results.options, Problems.of([]))
    pngs = {f.name: _png() for f in content.figures}
    assert render_report_docx(content, pngs) == render_report_docx(content, pngs)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(buf, format="PNG")
    return buf.getvalue()


@pytest.mark.by_hand
def test_spanners_in_every_rendering():
    t = DisplayTable("t", "T", ("Characteristic", "HR (95% CI)", "p", "HR (95% CI)", "p"),
                     (("## Sex", "", "", "", ""), ("  M", "1.2 (0.8-1.9)", "0.4", "", "")),
                     ("A footnote.",),
                     spanners=(Spanner("Univariable", 1, 3), Spanner("Multivariable", 3, 5)),
                     label="Table 2")
    assert t.spanner_rows() == [[("", 0, 1), ("Univariable", 1, 3), ("Multivariable", 3, 5)]]
    html = render_table_html(t)
    assert '<th colspan="2" class="oc-spanner">Univariable</th>' in html
    assert "<caption><b>Table 2</b>. T</caption>" in html
    assert render_table_csv(t).splitlines()[:2] == [
        ",Univariable,,Multivariable,", "Characteristic,HR (95% CI),p,HR (95% CI),p"]
    layout = compute_table_layout(t, TEXT_WIDTH_MM, LANDSCAPE_WIDTH_MM)
    assert layout.landscape is False and len(layout.widths_mm) == 5
    doc = Document()
    from oncocohort.report.docx_tables import add_table_docx

    table = add_table_docx(doc, t, layout)
    first = table._tbl.tr_lst[0]
    spans = [tc.grid_span for tc in first.tc_lst]
    assert spans == [1, 2, 2]
    assert [_borders(tc).get("bottom") for tc in first.tc_lst] == [None, "4", "4"]
    assert table.rows[2].cells[0].paragraphs[0].paragraph_format.left_indent is None  # heading
    assert table.rows[3].cells[0].paragraphs[0].paragraph_format.left_indent > 0


def test_spanners_are_checked():
    with pytest.raises(ValueError, match="covers columns"):
        DisplayTable("t", "T", ("a", "b"), (), spanners=(Spanner("x", 1, 3),))
    with pytest.raises(ValueError, match="overlap"):
        DisplayTable("t", "T", ("a", "b", "c"), (),
                     spanners=(Spanner("x", 0, 2), Spanner("y", 1, 3)))


@pytest.mark.by_hand
def test_a_long_label_wraps_between_words_only():
    long = "  " + "Relative dose intensity of the longest drug, median (range)"
    t = DisplayTable("t", "T", ("", *("Total (N=87)",) * 9), ((long, *("100 (100.0)",) * 9),))
    layout = compute_table_layout(t, TEXT_WIDTH_MM, LANDSCAPE_WIDTH_MM)
    label_min = 3 + text_width_pt("intensity", layout.font_pt) * 25.4 / 72 + 2
    assert layout.landscape and layout.widths_mm[0] >= label_min
    assert sum(layout.widths_mm) <= LANDSCAPE_WIDTH_MM + 1e-6


def _kept(table, n_head: int = 1) -> list[bool]:
    """Per body row: whether its first cell's paragraph is kept with the next (w:keepNext)."""
    out = []
    for tr in table._tbl.tr_lst[n_head:]:
        keep = tr.tc_lst[0].find(f"{qn('w:p')}/{qn('w:pPr')}/{qn('w:keepNext')}")
        out.append(keep is not None and keep.get(qn("w:val")) in (None, "1", "true"))
    return out


@pytest.mark.by_hand
def test_table_rows_kept_together_or_never_one_alone():
    """Rows of 9 pt (one line each, estimated 1.3 x 9 pt = 4.13 mm). On a page of text 60 mm
    high (a quarter: 15 mm, three rows and a bit) the table is too long to keep whole:

    - Sex (3 rows, 12.4 mm) is kept whole; Site (11 rows) keeps its heading with s1 and s2
      and s9 with s10; Treatment (8 rows, 33 mm) keeps its heading with the label
      'Previous surgery', that with its levels Yes and No (12.4 mm), the label 'Lines' with
      its first level (its levels take 16.5 mm); the table's last two data rows (2, 3) are
      kept together and the last row with the footnote.
    - On a page of 300 mm the table fits and every row is kept with the next.
    - Without a page, the same but for the label groups kept whole (none is): Treatment still
      keeps its heading with its first two data rows (Yes, No).
    """
    from oncocohort.report.docx_tables import add_table_docx

    rows = (["## Sex", "  Male", "  Female", "## Site"] + [f"  s{i}" for i in range(1, 11)]
            + ["## Treatment", "  Previous surgery", "    Yes", "    No", "  Lines", "    1",
               "    2", "    3"])
    labels = {"  Previous surgery", "  Lines"}
    t = DisplayTable("t", "T", ("Characteristic", "n (%)"),
                     tuple((r, "" if r.startswith("#") or r in labels else "1 (1.0)")
                           for r in rows), ("A footnote.",), label="Table 1")
    layout = compute_table_layout(t, TEXT_WIDTH_MM, LANDSCAPE_WIDTH_MM)
    kept = {i for i, k in enumerate(_kept(add_table_docx(Document(), t, layout,
                                                         page_mm=(180, 60)))) if k}
    assert kept == {0, 1, 3, 4, 12, 14, 15, 16, 18, 20, 21}
    assert all(_kept(add_table_docx(Document(), t, layout, page_mm=(180, 300))))
    kept = {i for i, k in enumerate(_kept(add_table_docx(Document(), t, layout))) if k}
    assert kept == {0, 1, 3, 4, 12, 14, 15, 16, 18, 20, 21}
