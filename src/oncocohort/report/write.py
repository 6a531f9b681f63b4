"""Write a study's results into an output folder (atomically).

Layout (all inside the atomic temporary folder, moved into place at the end)::

    report.html          self-contained: inline CSS and SVG, no script, no network
    report.docx          native Word tables, PNG figures
    results/ard.csv      the analysis-results dataset
    results/ard.json     the same rows as JSON records (NaN -> null)
    results/summary.txt  the results sentences (also in both reports)
    tables/<name>.csv    every display table
    figures/<name>.png|svg|pdf
    datasets/<name>.csv|parquet
    validation.txt       validation problems, errors first
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from oncocohort.report.output import atomic_output_dir, render_frame_csv

__all__ = ["write_outputs", "render_problems", "render_ard_json", "render_report"]


def render_problems(problems, path: Path) -> Path:
    """The validation report as plain text: one line per problem, errors first."""
    lines = [f"error: {p}" for p in problems.errors] + [f"warning: {p}" for p in problems.warnings]
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return path


def render_ard_json(ard: pd.DataFrame, path: Path) -> Path:
    """The ARD as a JSON list of records (NaN and infinities as null), stable formatting."""
    records = []
    for rec in ard.to_dict(orient="records"):
        records.append({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                        for k, v in rec.items()})
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False, allow_nan=False) + "\n",
                    encoding="utf-8")
    return path


def render_report(analysis, problems, tmp: Path, formats=("html", "docx", "csv")) -> None:
    """Write the ARD, tables, figures and reports of ``analysis`` into the folder ``tmp``."""
    from oncocohort.report.assemble import build_report_figures, build_report_tables
    from oncocohort.report.docx_report import render_report_docx
    from oncocohort.report.figures.render import inline_svg, render_figures
    from oncocohort.report.html import render_report_html
    from oncocohort.report.methods import methods_paragraph, software_versions
    from oncocohort.report.tables import render_table_csv
    from oncocohort.report.text import results_sentences

    (tmp / "results").mkdir()
    render_frame_csv(analysis.ard, tmp / "results" / "ard.csv")
    render_ard_json(analysis.ard, tmp / "results" / "ard.json")
    tables = build_report_tables(analysis)
    (tmp / "tables").mkdir()
    for t in tables:
        (tmp / "tables" / f"{t.name}.csv").write_text(render_table_csv(t), encoding="utf-8")
    (tmp / "figures").mkdir()
    built = build_report_figures(analysis)
    rendered = render_figures([f.figure for f in built], [tmp / "figures" / f.name for f in built])
    figures = [(f.name, f.caption, {p.suffix: p for p in paths})
               for f, paths in zip(built, rendered, strict=True)]
    versions = software_versions()
    endpoints = {k: v.label for k, v in analysis.endpoints.items()}
    methods = methods_paragraph(analysis.conventions, endpoints, versions)
    warnings = [str(p) for p in problems.warnings] if problems is not None else []
    title = analysis.study_name or "Study report"
    summary = results_sentences(analysis.ard, analysis.labels, analysis.conventions,
                                analysis.small_cell_k)
    (tmp / "results" / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    if "html" in formats:
        page = render_report_html(
            title=title, methods=methods, versions=versions, tables=tables,
            figures=[(n, c, inline_svg(p[".svg"].read_text(encoding="utf-8")))
                     for n, c, p in figures],
            warnings=warnings, notes=analysis.notes, summary=summary)
        (tmp / "report.html").write_text(page, encoding="utf-8")
    if "docx" in formats:
        render_report_docx(tmp / "report.docx", title=title, methods=methods, versions=versions,
                           tables=tables, figures=[(n, c, p[".png"]) for n, c, p in figures],
                           warnings=warnings, notes=analysis.notes, summary=summary)


def write_outputs(results, out: Path) -> Path:
    """Write everything ``results`` holds into ``out`` (atomically) and return its path.

    ``results`` has ``.datasets`` (name -> DataFrame), ``.problems`` and optionally
    ``.analysis`` (a :class:`~oncocohort.analysis.study.StudyAnalysis`) and ``.spec`` (its
    ``outputs.formats`` choose html/docx).
    """
    out = Path(out)
    with atomic_output_dir(out) as tmp:
        render_problems(results.problems, tmp / "validation.txt")
        data_dir = tmp / "datasets"
        data_dir.mkdir()
        for name, frame in sorted(results.datasets.items()):
            render_frame_csv(frame, data_dir / f"{name}.csv")
            frame.to_parquet(data_dir / f"{name}.parquet", index=False)
        analysis = getattr(results, "analysis", None)
        if analysis is not None:
            spec = getattr(results, "spec", None)
            formats = tuple(spec.outputs.formats) if spec is not None else ("html", "docx", "csv")
            render_report(analysis, results.problems, tmp, formats)
    return out.resolve()
