"""The analysis form: what it shows (from the proposal) and what it reads back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from oncocohort.canon.formats import DEFAULT_JOURNAL_STYLE, JOURNAL_STYLES
from oncocohort.propose.analysis import (
    AnalysisChoices,
    SubgroupProposal,
    available_endpoints,
    baseline_variables,
    categorical_levels,
    cut_levels,
    default_landmarks,
    propose_subgroups,
)
from oncocohort.propose.results import SheetProposal
from oncocohort.report.options import VARIABLE_LABELS

__all__ = ["AnalysisForm", "analysis_form", "level_labels", "read_analysis_form",
           "table1_rows"]

Levels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AnalysisForm:
    """The analysis form's fields, filled with the current choices."""

    name: str
    data_cutoff: str
    endpoints: tuple[tuple[str, bool], ...]
    landmarks: str
    subgroups: tuple[tuple[SubgroupProposal, bool, str], ...]
    journal_style: str = DEFAULT_JOURNAL_STYLE
    journal_styles: tuple[str, ...] = JOURNAL_STYLES
    levels: Mapping[str, Levels] = field(default_factory=dict)  # the reference dropdowns
    references: Mapping[str, str] = field(default_factory=dict)
    rows: tuple[tuple[str, str], ...] = ()


def level_labels(sheet: SheetProposal, choices: AnalysisChoices, lang: str
                 ) -> dict[str, Levels]:
    """Each categorical Table 1 variable's levels (code, label shown): the suggestion of
    :func:`~oncocohort.propose.analysis.categorical_levels` with the labels a person typed."""
    return {v: tuple((code, choices.values.get(v, {}).get(code) or label)
                     for code, label in levels)
            for v, levels in categorical_levels(sheet, lang).items()}


def _row_label(sheet: SheetProposal, variable: str) -> str:
    col = next((c for c in sheet.columns if c.variable == variable), None)
    own = col.label if col is not None and col.label else None
    return own or VARIABLE_LABELS.get(variable) or (col.header if col else variable)


def table1_rows(sheet: SheetProposal) -> tuple[tuple[str, str], ...]:
    """Table 1 rows that are not subgroups of their own name (age, ECOG: their subgroups
    are cut from them), with the label the report gives them by default."""
    subgroups = {sg.variable for sg in propose_subgroups(sheet)}
    return tuple((v, _row_label(sheet, v)) for v in baseline_variables(sheet)
                 if v not in subgroups)


def analysis_form(sheet: SheetProposal, choices: AnalysisChoices, default_name: str,
                  lang: str = "en") -> AnalysisForm:
    """The form for ``sheet`` showing ``choices`` (the suggestion where ``None``): a
    reference-level dropdown per subgroup (a categorical one's levels, a cut one's groups), a
    label per Table 1 row."""
    allowed = available_endpoints(sheet)
    chosen = set(choices.endpoints or allowed)
    landmarks = default_landmarks(sheet) if choices.landmarks is None else choices.landmarks
    cutoff = choices.data_cutoff or sheet.latest_date
    subgroups = tuple(
        (sg, choices.subgroups is None or sg.variable in choices.subgroups,
         choices.labels.get(sg.variable) or sg.label) for sg in propose_subgroups(sheet))
    return AnalysisForm(
        name=choices.name or default_name, data_cutoff=cutoff.isoformat() if cutoff else "",
        endpoints=tuple((e, e in chosen) for e in allowed),
        landmarks=", ".join(f"{m:g}" for m in landmarks), subgroups=subgroups,
        journal_style=choices.journal_style or DEFAULT_JOURNAL_STYLE,
        levels=level_labels(sheet, choices, lang) | cut_levels(sheet),
        references=dict(choices.references),
        rows=tuple((v, choices.labels.get(v) or label) for v, label in table1_rows(sheet)))


def read_analysis_form(sheet: SheetProposal, form: Mapping[str, str], default_name: str
                       ) -> tuple[AnalysisChoices, list[str]]:
    """The choices a submitted form holds, and the keys of the messages of bad fields."""
    errors = []
    cutoff = None
    text = (form.get("data_cutoff") or "").strip()
    if text:
        try:
            cutoff = dt.date.fromisoformat(text)
        except ValueError:
            errors.append("bad_date")
    landmarks: tuple[float, ...] = ()
    parts = [p for p in re.split(r"[,，;；\s]+", form.get("landmarks") or "") if p]
    try:
        landmarks = tuple(float(p) for p in parts)
        if any(m <= 0 for m in landmarks):
            raise ValueError
    except ValueError:
        errors.append("bad_landmarks")
        landmarks = ()
    allowed = available_endpoints(sheet)
    endpoints = tuple(e for e in allowed if form.get(f"endpoint-{e}")) or ("os",)
    subgroups, labels, references = [], {}, {}
    levels = categorical_levels(sheet) | cut_levels(sheet)
    defaults = [(sg.variable, sg.label) for sg in propose_subgroups(sheet)]
    for sg in propose_subgroups(sheet):
        if form.get(f"subgroup-{sg.variable}"):
            subgroups.append(sg.variable)
        reference = form.get(f"reference-{sg.variable}") or ""
        if reference and reference not in {code for code, _ in levels.get(sg.variable, ())}:
            errors.append("bad_reference")
        elif reference:
            references[sg.variable] = reference
    for variable, default in [*defaults, *table1_rows(sheet)]:
        label = (form.get(f"label-{variable}") or "").strip()
        if label and label != default:
            labels[variable] = label
    style = form.get("journal_style") or DEFAULT_JOURNAL_STYLE
    if style not in JOURNAL_STYLES:
        errors.append("bad_journal_style")
        style = DEFAULT_JOURNAL_STYLE
    name = (form.get("name") or "").strip()
    return AnalysisChoices(
        name=name if name and name != default_name else None, data_cutoff=cutoff,
        endpoints=endpoints, landmarks=tuple(sorted(set(landmarks))),
        subgroups=tuple(subgroups), labels=labels,
        journal_style=None if style == DEFAULT_JOURNAL_STYLE else style,
        references=references), errors
