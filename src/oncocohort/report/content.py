"""The report as one content record, built from the analysis results; the renderers
(:mod:`.html`, :mod:`.docx_report`, :mod:`.tables`, :mod:`.xlsx`, :mod:`.figures.render`) turn
it into text or bytes, and :mod:`oncocohort.write` puts those in files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from oncocohort.analysis.study import StudyAnalysis
from oncocohort.problems import Problems
from oncocohort.report.assemble import (
    ReportFigure,
    build_report_tables,
    number_report,
    report_order,
)
from oncocohort.report.builders_cmp import comparison_methods
from oncocohort.report.builders_cr import cr_methods
from oncocohort.report.format import DEFAULT_STYLE, HouseStyle
from oncocohort.report.options import ReportOptions
from oncocohort.report.tables import DisplayTable
from oncocohort.report.text import analysis_notes, missing_data_notes, results_sentences
from oncocohort.report.wording import methods_paragraph, software_versions

__all__ = ["ReportContent", "build_report", "with_captions"]


@dataclass(frozen=True)
class ReportContent:
    """Everything the report shows, render-neutral.

    Attributes
    ----------
    title
        The study's name.
    methods
        The methods paragraph (every convention used).
    versions
        Python and the numerical packages, by name.
    summary
        The results sentences (``results/summary.txt`` and both reports).
    warnings
        The validation warnings, as text.
    notes
        The data-quality notes: the count of each kind of missing data
        (:func:`~oncocohort.report.text.missing_data_notes`), then the analyses' notes (Cox
        and Fine-Gray fitting warnings, analyses not run), worded with the study's labels
        (:func:`~oncocohort.report.text.analysis_notes`).
    tables
        The display tables, in report order.
    figures
        The figures (matplotlib figures, not yet rendered, or their names and captions
        only where another process draws them), each numbered.
    order
        Where the tables and figures go: ``("table" | "figure", name)`` in the order both
        reports show them (the order they are numbered in).
    style
        The journal house style (captions, decimal mark) every renderer follows.
    """

    title: str
    methods: str
    versions: Mapping[str, str]
    summary: tuple[str, ...]
    warnings: tuple[str, ...]
    notes: tuple[str, ...]
    tables: tuple[DisplayTable, ...]
    figures: tuple[ReportFigure, ...]
    order: tuple[tuple[str, str], ...] = ()
    style: HouseStyle = DEFAULT_STYLE


def build_report(analysis: StudyAnalysis, options: ReportOptions,
                 problems: Problems, *, figures: Sequence[ReportFigure]) -> ReportContent:
    """The report of ``analysis``: tables and sentences from its ARD, figures, the methods
    paragraph from ``options`` (the conventions used), ``problems``' warnings. ``figures``:
    the report's figures, drawn (:func:`~oncocohort.report.figure_steps.build_drawn_report`)
    or to be drawn elsewhere, their names and columns only (:func:`with_captions` gives them
    their captions once drawn)."""
    versions = software_versions()
    endpoints = {k: v.label for k, v in analysis.endpoints.items()}
    endpoints |= {k: v.label for k, v in analysis.competing.items()}  # defined in the methods
    order = [name for name, _, _ in options.facts.endpoints]
    endpoints = dict(sorted(endpoints.items(), key=lambda kv: order.index(kv[0])
                            if kv[0] in order else len(order)))
    tables = build_report_tables(analysis, options)
    order = report_order([t.name for t in tables], [f.name for f in figures])
    numbered_tables, numbered_figures = number_report(tables, figures, order)
    return ReportContent(
        title=options.title or "Study report",
        methods=" ".join(filter(None, (
            methods_paragraph(options, endpoints, versions, analysis.sections,
                              ard=analysis.ard),
            cr_methods(analysis, options),
            comparison_methods(analysis, options)))),
        versions=versions,
        summary=tuple(results_sentences(analysis.ard, options, analysis.sections)),
        warnings=tuple(str(p) for p in problems.warnings),
        notes=tuple(missing_data_notes(analysis.ard, options))
        + tuple(analysis_notes(analysis.notes, options)),
        tables=numbered_tables,
        figures=numbered_figures,
        order=order,
        style=options.style,
    )


def with_captions(content: ReportContent, captions: Sequence[str]) -> ReportContent:
    """``content`` with its figures' captions (in the order of ``content.figures``), for
    figures drawn elsewhere."""
    return replace(content, figures=tuple(
        replace(f, caption=c) for f, c in zip(content.figures, captions, strict=True)))
