"""The demo's report.docx opened in LibreOffice and printed to PDF: no word broken inside a
table cell, header rows repeated on continuation pages, three-line tables; the pages are
rendered to PNG in ``test-artifacts/report-docx/`` for a person to look at.

LibreOffice is the Debian ``libreoffice-writer-nogui`` package and the pages are rendered by
``pdftoppm``/``pdftotext`` (``poppler-utils``); ``.ci/run`` installs both. Without them the
test is skipped on a developer machine and fails on CI (``CI`` set).

What is checked, independently of how the tables were laid out:

- A word broken across lines of a cell prints as two fragments, so the PDF's text holds the
  whole word fewer times than the document: every word of four letters or more of a table
  cell is counted in the document (paragraphs and table cells) and in the PDF's text, and
  the PDF must have it at least as often (repeated header rows only add to the count).
- Every number cell prints on one line: its text is found whole on a line of the PDF as
  often as the tables hold it.
- No header breaks inside one of its parts: a header wraps only between the parts
  ``header_text`` leaves breakable (``Grade 1-2,`` / ``n (%)``, never ``Grade 1-`` / ``2, n
  (%)`` or ``Grade`` / ``4, n (%)``), so each part is found whole on a line of the PDF.
- No hyphenated token of a table cell (``1-2``, ``(5.2-13.4)``, ``maculo-papular``) is broken
  at its hyphen: each of those the paragraphs do not also hold is in the PDF as often as in
  the tables.
- A table that continues on another page repeats its header there: each page from the
  table's caption to its last footnote shows the header's longest word.
- No table leaves a single row on a page: each body row is found, in order, on a line of the
  PDF that starts with its label's first word and holds its first number; every page a table
  continues on holds at least two of its data rows (the demo's Tables 4, 5 and 6 each left
  one under the repeated header).
- Figures flow two to a page: of two figures in a row, each placed (with its caption) within
  half the page's text, the second prints on the page of the first when the first opens its
  page (the demo's Kaplan-Meier plots took a page each, two thirds of it blank); the demo's
  plots of progression-free survival and duration of response share a page.
- The flowchart prints under its heading on the page where the text of the first pages ends
  (it moved to the next page with its heading, leaving half a page blank).
"""

from __future__ import annotations

import collections
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from rich.console import Console

from oncocohort.cli import ExitStatus, main
from oncocohort.report.docx_report import TEXT_HEIGHT_MM, caption_mm
from oncocohort.report.docx_tables import header_text

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts" / "report-docx"
WORD = re.compile(r"[A-Za-z]{4,}")
HYPHENATED = re.compile(r"\S*\w-\w\S*")


def _tools() -> dict[str, str]:
    found = {name: shutil.which(name) for name in ("libreoffice", "pdftotext", "pdftoppm")}
    missing = [k for k, v in found.items() if v is None]
    if missing:
        msg = (f"{', '.join(missing)} not installed (apt-get install libreoffice-writer-nogui "
               f"poppler-utils)")
        if os.environ.get("CI"):
            pytest.fail("CI is set but " + msg)
        pytest.skip(msg + "; required on CI")
    return found


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The demo written, its report.docx printed to PDF by LibreOffice, pages as PNG."""
    tools = _tools()
    tmp = tmp_path_factory.mktemp("docx-pdf")
    out = tmp / "demo"
    code = main(["demo", "--out", str(out)], console=Console(file=io.StringIO()))
    assert code == ExitStatus.OK
    profile = (tmp / "lo-profile").as_uri()  # a private profile: runs may overlap
    r = subprocess.run([tools["libreoffice"], f"-env:UserInstallation={profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(tmp), str(out / "report.docx")],
                       capture_output=True, text=True, timeout=300, check=False)
    pdf = tmp / "report.pdf"
    assert r.returncode == 0 and pdf.exists(), r.stderr[-2000:]
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    subprocess.run([tools["pdftoppm"], "-r", "70", "-png", str(pdf), str(ARTIFACTS / "page")],
                   check=True, timeout=300)
    text = subprocess.run([tools["pdftotext"], "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=300).stdout
    return Document(str(out / "report.docx")), text.split("\f")


def _cells(doc):
    """Per table: its rows as lists of (cell text, column index), each merged cell once, and
    the number of header rows."""
    for tbl in doc.tables:
        rows = []
        n_head = sum(1 for tr in tbl._tbl.tr_lst if tr.trPr.find(qn("w:tblHeader")) is not None)
        for tr in tbl._tbl.tr_lst:
            col, row = 0, []
            for tc in tr.tc_lst:  # a w:noBreakHyphen prints as "-"
                row.append(("".join(el.text if el.tag == qn("w:t") else "-" for el in
                                    tc.iter(qn("w:t"), qn("w:noBreakHyphen"))), col))
                col += tc.grid_span
            rows.append(row)
        yield tbl, rows, n_head


def test_pages_are_rendered(printed):
    pages = sorted(ARTIFACTS.glob("page-*.png"))
    _, text = printed
    assert len(pages) >= 5 and len(pages) == len([p for p in text if p.strip()])
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pages)


def test_no_word_broken_inside_a_table_cell(printed):
    doc, pages = printed
    in_doc = collections.Counter()
    for p in doc.paragraphs:
        in_doc.update(WORD.findall(p.text))
    in_tables = collections.Counter()
    numbers = collections.Counter()
    for _, rows, n_head in _cells(doc):
        for i, row in enumerate(rows):
            for text, col in row:
                in_tables.update(WORD.findall(text))
                if i >= n_head and col > 0 and re.search(r"\d", text):
                    numbers[text] += 1
    in_doc += in_tables
    in_pdf = collections.Counter(WORD.findall("\n".join(pages)))
    broken = {w: (in_doc[w], in_pdf[w]) for w in in_tables if in_pdf[w] < in_doc[w]}
    assert broken == {}, "words of table cells printed in pieces: (in document, in PDF)"
    lines = [line for page in pages for line in page.splitlines()]
    wrapped = {s: n for s, n in numbers.items() if sum(line.count(s) for line in lines) < n}
    assert wrapped == {}, "number cells not printed on one line"
    assert len(numbers) > 50


def test_headers_repeat_on_continuation_pages(printed):
    doc, pages = printed
    continued = 0
    for tbl, rows, n_head in _cells(doc):
        caption = "".join(t.text for t in tbl._tbl.getprevious().iter(qn("w:t")))
        label = re.match(r"Table \d+", caption).group(0)
        nxt = tbl._tbl.getnext()
        note = "".join(t.text for t in nxt.iter(qn("w:t")))
        head = [text for text, _ in rows[n_head - 1]]
        word = max((w for h in head for w in WORD.findall(h)), key=len)
        first = next(i for i, p in enumerate(pages) if re.search(rf"^\s*{label}\b", p, re.M))
        last = next(i for i in range(first, len(pages)) if note[:40] in
                    " ".join(pages[i].split()))
        for i in range(first, last + 1):
            assert word in pages[i], f"{label}: header missing on page {i + 1}"
        continued += last > first
    assert continued >= 1  # the demo's Table 1 runs over two pages


def test_tables_are_three_line_tables(printed):
    doc, _ = printed
    for tbl, _, _ in _cells(doc):
        rules = collections.Counter()
        for tc in tbl._tbl.iter(qn("w:tc")):
            b = tc.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}")
            for el in (b if b is not None else []):
                rules[(el.tag.split("}")[1], el.get(qn("w:sz")))] += 1
        tbl_borders = tbl._tbl.tblPr.find(qn("w:tblBorders"))
        assert {el.get(qn("w:val")) for el in tbl_borders} == {"nil"}
        assert {k for k in rules} <= {("top", "8"), ("bottom", "4"), ("bottom", "8")}
        assert rules[("top", "8")] >= 1 and rules[("bottom", "8")] >= 1


def test_headers_wrap_only_between_their_parts(printed):
    doc, pages = printed
    lines = {" ".join(line.split()) for page in pages for line in page.splitlines()}
    parts = set()
    for _, rows, n_head in _cells(doc):
        for row in rows[:n_head]:
            for text, _ in row:
                parts.update(p.replace("\u00a0", " ") for p in header_text(text).split(" ") if p)
    assert {"Grade 1-2,", "Grade 4,", "Grade \u22653,", "(95% CI)"} <= parts
    broken = sorted(p for p in parts if not any(p in line for line in lines))
    assert broken == [], "header parts printed in pieces"


def test_no_hyphenated_token_broken_at_its_hyphen(printed):
    doc, pages = printed
    in_paragraphs = collections.Counter()
    for p in doc.paragraphs:
        in_paragraphs.update(HYPHENATED.findall(p.text))
    in_tables = collections.Counter()
    for _, rows, _ in _cells(doc):
        for row in rows:
            for text, _ in row:
                in_tables.update(HYPHENATED.findall(text.replace("\u00a0", " ")))
    in_pdf = collections.Counter(HYPHENATED.findall("\n".join(pages)))
    only_tables = [w for w in in_tables if w not in in_paragraphs]
    assert {"1-2", "maculo-papular", "Palmar-plantar"} <= set(only_tables)
    broken = {w: (in_tables[w], in_pdf[w]) for w in only_tables if in_pdf[w] < in_tables[w]}
    assert broken == {}, "hyphenated tokens of table cells broken: (in tables, in PDF)"


def _row_text(tr) -> list[str]:
    return ["".join(el.text if el.tag == qn("w:t") else "-" for el in
                    tc.iter(qn("w:t"), qn("w:noBreakHyphen"))) for tc in tr.tc_lst]


def test_no_table_leaves_a_single_row_on_a_page(printed):
    doc, pages = printed
    lines = [(i, " ".join(line.split())) for i, page in enumerate(pages)
             for line in page.splitlines()]
    at = 0
    continued = 0
    for tbl, _, n_head in _cells(doc):
        caption = "".join(t.text for t in tbl._tbl.getprevious().iter(qn("w:t")))
        label = re.match(r"Table \d+", caption).group(0)
        at = next(k for k in range(at, len(lines)) if lines[k][1].startswith(label + "."))
        on_page: dict[int, int] = collections.Counter()
        for tr in tbl._tbl.tr_lst[n_head:]:
            row = _row_text(tr)
            number = next((" ".join(c.split()) for c in row[1:] if c.strip()), None)
            if len(row) < 2 or number is None:  # a heading or a label without numbers
                continue
            first = row[0].replace("\u00a0", " ").split()[0]
            k = next((k for k in range(at, len(lines)) if lines[k][1].startswith(first)
                      and number in lines[k][1]), None)
            assert k is not None, f"{label}: row {row} not found in the PDF after the caption"
            at = k + 1
            on_page[lines[k][0]] += 1
        first_page = min(on_page)
        alone = {p + 1: n for p, n in on_page.items() if p > first_page and n < 2}
        assert alone == {}, f"{label}: pages with fewer than two of its rows"
        continued += len(on_page) > 1
    assert continued >= 1  # the demo's Tables 5 and 6 run over two landscape pages


def test_figures_share_a_page_when_they_fit(printed):
    doc, pages = printed
    emu_per_mm = 36000
    body = list(doc.element.body.iterchildren())
    figures = []  # (index of the picture paragraph in the body, caption, placed height)
    for i, el in enumerate(body):
        extent = el.find(f".//{qn('wp:extent')}")
        if el.tag == qn("w:p") and extent is not None:
            caption = "".join(t.text for t in body[i + 1].iter(qn("w:t")))
            figures.append((i, caption, int(extent.get("cy")) / emu_per_mm))

    def where(caption: str) -> tuple[int, bool]:
        """The page a caption prints on and whether nothing but its figure is above it."""
        head = re.escape(re.match(r"Figure \d+\.", caption).group(0))
        for i, page in enumerate(pages):
            before = re.split(rf"^\s*{head}", page, maxsplit=1, flags=re.M)
            if len(before) == 2:
                return i, not before[0].strip()
        raise AssertionError(f"{caption[:20]} not found in the PDF")

    for (i, cap1, h1), (j, cap2, h2) in zip(figures, figures[1:], strict=False):
        half = TEXT_HEIGHT_MM / 2
        if j != i + 2 or h1 + caption_mm(cap1) > half or h2 + caption_mm(cap2) > half:
            continue  # not one after the other, or one of them more than half a page
        page1, opens = where(cap1)
        if opens:
            assert where(cap2)[0] == page1, f"{cap2[:10]} not on the page of {cap1[:10]}"
    # the demo's Kaplan-Meier plots of progression-free survival and of the duration of
    # response, each a little over half the page by the estimate, at 100% share one
    pfs, dor = (next(f[1] for f in figures if what in f[1]) for what in
                ("estimate of progression-free survival", "estimate of duration of response"))
    assert where(pfs)[0] == where(dor)[0]


def test_the_flowchart_fills_the_page_the_text_ends_on(printed):
    """The heading "Tables and figures" is kept with the flowchart, which is 152 mm tall as
    drawn: where it did not fit under the text of the first pages, both moved to the next
    page and left that one half blank. Placed smaller (its 8 pt text at no less than 7 pt) it
    prints on the page where the text ends, under its heading, never apart from it."""
    doc, pages = printed
    first = next(p for p in doc.paragraphs if p.text.startswith("Figure "))
    assert first.text.startswith("Figure 1. Study flowchart")

    def page_of(pattern: str) -> int:
        return next(i for i, page in enumerate(pages) if re.search(pattern, page, re.M))

    heading = page_of(r"^\s*Tables and figures\s*$")
    assert page_of(r"^\s*Data quality\s*$") == heading  # the text ends on the heading's page
    assert page_of(r"^\s*Figure 1\. Study flowchart") == heading
