"""The Word report: native, editable Word tables and the PNG figures embedded."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from docx import Document
from docx.shared import Mm

from oncocohort.report.content import ReportContent
from oncocohort.report.ooxml import stable_ooxml
from oncocohort.report.tables import add_table_docx

__all__ = ["render_report_docx"]


def render_report_docx(content: ReportContent, pngs: Mapping[str, bytes]) -> bytes:
    """The Word document: title, methods, data quality, every table then every figure
    (``pngs``: figure name -> its PNG)."""
    title, methods, versions = content.title, content.methods, content.versions
    doc = Document()
    fixed = dt.datetime(2000, 1, 1)
    doc.core_properties.created = fixed  # stable metadata: same input, same document text
    doc.core_properties.modified = fixed
    doc.core_properties.title = title
    doc.add_heading(title, level=0)
    doc.add_heading("Methods", level=1)
    doc.add_paragraph(methods)
    doc.add_paragraph("Software: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    doc.add_heading("Results summary", level=1)
    for s in content.summary:
        doc.add_paragraph(s)
    doc.add_heading("Data quality", level=1)
    items = list(content.warnings) + list(content.notes)
    if not items:
        doc.add_paragraph("No validation warnings.")
    for w in items:
        doc.add_paragraph(w, style="List Bullet")
    doc.add_heading("Tables", level=1)
    for t in content.tables:
        add_table_docx(doc, t)
        doc.add_paragraph()
    doc.add_heading("Figures", level=1)
    for figure in content.figures:
        shape = doc.add_picture(io.BytesIO(pngs[figure.name]), width=Mm(160))
        # a picture read from a stream is named "image.png"; name it after its figure file
        shape._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("name", f"{figure.name}.png")
        doc.add_paragraph(figure.caption, style="Caption")
    buf = io.BytesIO()
    doc.save(buf)
    return stable_ooxml(buf.getvalue(), fixed)  # same input, same bytes
