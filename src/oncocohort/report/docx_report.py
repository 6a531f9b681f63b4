"""The Word report: native, editable Word tables and the PNG figures embedded."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from oncocohort.report.output import stable_ooxml
from oncocohort.report.tables import DisplayTable, add_table_docx

__all__ = ["render_report_docx"]


def render_report_docx(
    path: Path,
    *,
    title: str,
    methods: str,
    versions: dict[str, str],
    tables: Sequence[DisplayTable],
    figures: Sequence[tuple[str, str, Path]],
    warnings: Sequence[str],
    notes: Sequence[str] = (),
    summary: Sequence[str] = (),
) -> Path:
    """Write ``path``: title, methods, data quality, every table then every figure (PNG)."""
    from docx import Document
    from docx.shared import Mm

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
    for s in summary:
        doc.add_paragraph(s)
    doc.add_heading("Data quality", level=1)
    items = list(warnings) + list(notes)
    if not items:
        doc.add_paragraph("No validation warnings.")
    for w in items:
        doc.add_paragraph(w, style="List Bullet")
    doc.add_heading("Tables", level=1)
    for t in tables:
        add_table_docx(doc, t)
        doc.add_paragraph()
    doc.add_heading("Figures", level=1)
    for _name, caption, png in figures:
        doc.add_picture(str(png), width=Mm(160))
        doc.add_paragraph(caption, style="Caption")
    buf = io.BytesIO()
    doc.save(buf)
    Path(path).write_bytes(stable_ooxml(buf.getvalue(), fixed))  # same input, same bytes
    return path
