"""Write a study's outputs into one folder, atomically.

Layout (built in a temporary folder, moved into place when complete)::

    report.html          self-contained: inline CSS and SVG, no script, no network   (html)
    report.docx          native Word tables, PNG figures                             (docx)
    tables/<name>.csv    every display table                                         (csv)
    tables.xlsx          every display table, a sheet each                           (xlsx)
    results/ard.csv      the analysis-results dataset
    results/ard.json     the same rows as JSON records (NaN -> null)
    results/summary.txt  the results sentences (also in both reports)
    figures/<name>.png|svg|pdf   as outputs.figure_formats says (default png, svg)
    datasets/<name>.csv|parquet
    validation.txt       validation problems, errors first

The formats in brackets are written when ``outputs.formats`` names them; the rest always.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from oncocohort.analysis import StudyAnalysis
from oncocohort.problems import Problems
from oncocohort.report.assemble import ReportFigure
from oncocohort.report.content import ReportContent, build_report, with_captions
from oncocohort.report.docx_report import DocxDraft, draft_report_docx, finish_report_docx
from oncocohort.report.figure_workers import FigureWorkers
from oncocohort.report.figures.svgtext import inline_svg
from oncocohort.report.html import render_report_html
from oncocohort.report.options import ReportOptions
from oncocohort.report.results import render_ard_json, render_frame_csv, render_problems
from oncocohort.report.tables import render_table_csv
from oncocohort.report.xlsx import render_tables_xlsx
from oncocohort.study.run import StudyResults
from oncocohort.write.figure_job import drawing_figures
from oncocohort.write.folder import atomic_output_dir

__all__ = ["write_study_outputs", "write_outputs"]


def _text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def write_study_outputs(results: StudyResults, out: Path, *, keep: Iterable[Path] = (),
                        figures: FigureWorkers | None = None) -> Path:
    """Write everything a study run produced into ``out`` (atomically); return its path.
    ``keep``: the files the study read, which ``out`` must not hold; ``figures``: the workers
    the study's figures were given to (:func:`~.figure_job.submit_figures`), else workers
    started here."""
    return write_outputs(out, datasets=results.derived.datasets(), analysis=results.analysis,
                         options=results.options.report, problems=results.problems, keep=keep,
                         figures=figures)


def write_outputs(out: Path, *, datasets: Mapping[str, pd.DataFrame], analysis: StudyAnalysis,
                  options: ReportOptions, problems: Problems, keep: Iterable[Path] = (),
                  figures: FigureWorkers | None = None) -> Path:
    """Write the datasets, the results and the report of ``analysis`` into ``out``
    (atomically: a temporary folder moved into place when complete); return its path.
    ``keep``: files (the study's inputs) that ``out`` must not hold; ``figures``: the workers
    the figures of ``analysis`` were given to (:func:`~.figure_job.submit_figures`), else
    workers started and given them here.

    The figures are drawn and rendered by the figure workers while this process writes the
    datasets, builds the tables and sentences, writes the results and the tables and drafts
    the Word report but for its pictures (once the workers have given the figures' captions);
    the reports are finished with the rendered files."""
    out = Path(out)
    workers = (contextlib.nullcontext(figures) if figures is not None
               else drawing_figures(analysis, options))
    with atomic_output_dir(out, keep=keep) as tmp, workers as figures:
        _text(tmp / "validation.txt", render_problems(problems))
        data_dir = tmp / "datasets"
        data_dir.mkdir()
        for name, frame in sorted(datasets.items()):
            _text(data_dir / f"{name}.csv", render_frame_csv(frame))
            frame.to_parquet(data_dir / f"{name}.parquet", index=False)
        placed = [ReportFigure(name, "", None, None, column=column)
                  for name, column in figures.plan()]
        content = build_report(analysis, options, problems, figures=placed)
        _write_results(tmp, analysis, options, content)
        content = with_captions(content, figures.captions())
        draft = draft_report_docx(content) if "docx" in options.formats else None
        _write_report(tmp, options, content, figures.files(), draft)
    return out.resolve()


def _write_results(tmp: Path, analysis: StudyAnalysis, options: ReportOptions,
                   content: ReportContent) -> None:
    (tmp / "results").mkdir()
    _text(tmp / "results" / "ard.csv", render_frame_csv(analysis.ard))
    _text(tmp / "results" / "ard.json", render_ard_json(analysis.ard))
    _text(tmp / "results" / "summary.txt", "\n".join(content.summary) + "\n")
    if "csv" in options.formats:
        (tmp / "tables").mkdir()
        for t in content.tables:
            _text(tmp / "tables" / f"{t.name}.csv", render_table_csv(t))
    if "xlsx" in options.formats:
        xlsx = render_tables_xlsx(content.tables, content.style)
        (tmp / "tables.xlsx").write_bytes(xlsx)


def _write_report(tmp: Path, options: ReportOptions, content: ReportContent,
                  rendered: list[dict[str, bytes]], draft: DocxDraft | None) -> None:
    """The figure files (``outputs.figure_formats``) and the reports, from the figures
    rendered (in the order of ``content.figures``) and the Word report's ``draft``."""
    (tmp / "figures").mkdir()
    for f, files in zip(content.figures, rendered, strict=True):
        for fmt, data in files.items():
            if fmt in options.figure_formats:
                (tmp / "figures" / f"{f.name}.{fmt}").write_bytes(data)
    if "html" in options.formats:
        svgs = {f.name: inline_svg(files["svg"].decode("utf-8"))
                for f, files in zip(content.figures, rendered, strict=True)}
        _text(tmp / "report.html", render_report_html(content, svgs))
    if draft is not None:
        pngs = {f.name: files["png"] for f, files in zip(content.figures, rendered, strict=True)}
        (tmp / "report.docx").write_bytes(finish_report_docx(draft, pngs))
