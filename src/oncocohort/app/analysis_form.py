"""The analysis form: what it shows (from the proposal) and what it reads back."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from oncocohort.canon.formats import DEFAULT_JOURNAL_STYLE, JOURNAL_STYLES
from oncocohort.propose.analysis import (
    AnalysisChoices,
    SubgroupProposal,
    available_endpoints,
    default_landmarks,
    propose_subgroups,
)
from oncocohort.propose.results import SheetProposal

__all__ = ["AnalysisForm", "analysis_form", "read_analysis_form"]


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


def analysis_form(sheet: SheetProposal, choices: AnalysisChoices, default_name: str
                  ) -> AnalysisForm:
    """The form for ``sheet`` showing ``choices`` (the suggestion where ``None``)."""
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
        journal_style=choices.journal_style or DEFAULT_JOURNAL_STYLE)


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
    subgroups, labels = [], {}
    for sg in propose_subgroups(sheet):
        if form.get(f"subgroup-{sg.variable}"):
            subgroups.append(sg.variable)
        label = (form.get(f"label-{sg.variable}") or "").strip()
        if label and label != sg.label:
            labels[sg.variable] = label
    style = form.get("journal_style") or DEFAULT_JOURNAL_STYLE
    if style not in JOURNAL_STYLES:
        errors.append("bad_journal_style")
        style = DEFAULT_JOURNAL_STYLE
    name = (form.get("name") or "").strip()
    return AnalysisChoices(
        name=name if name and name != default_name else None, data_cutoff=cutoff,
        endpoints=endpoints, landmarks=tuple(sorted(set(landmarks))),
        subgroups=tuple(subgroups), labels=labels,
        journal_style=None if style == DEFAULT_JOURNAL_STYLE else style), errors
