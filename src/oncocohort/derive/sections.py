"""Which report sections a study has the data for (:mod:`oncocohort.canon.sections`)."""

from __future__ import annotations

from oncocohort.canon.sections import SECTIONS, Section
from oncocohort.model import StudyData

__all__ = ["available_sections"]


def _given(data: StudyData, table: str, *columns: str) -> bool:
    """Whether the study was given rows of ``table`` (with a value in one of ``columns``,
    when named)."""
    frame = data.table(table)
    if not columns:
        return len(frame) > 0
    return any(c in frame.columns and frame[c].notna().any() for c in columns)


def available_sections(data: StudyData, *, regimen: bool, endpoints: bool,
                       subgroups: bool) -> frozenset[Section]:
    """The sections the data can fill.

    Parameters
    ----------
    data
        The study's typed data.
    regimen
        The spec describes the studied regimen's drugs (exposure is derived from therapy
        records only then).
    endpoints
        The spec defines at least one time-to-event endpoint.
    subgroups
        The spec names subgroup variables and an endpoint of all patients.

    Examples
    --------
    >>> from oncocohort.model import build_study_data
    >>> data, _ = build_study_data({})
    >>> sorted(available_sections(data, regimen=False, endpoints=True, subgroups=False))
    ['baseline', 'flowchart', 'survival']
    """
    have = {
        "flowchart": True,
        "baseline": True,
        "exposure": (regimen and _given(data, "therapy"))
        or _given(data, "patients", "eot_date", "eot_reason"),
        "response": _given(data, "lesions") or _given(data, "responses"),
        "survival": endpoints,
        "subgroups": endpoints and subgroups,
        "safety": _given(data, "adverse_events"),
    }
    return frozenset(s for s in SECTIONS if have[s])
