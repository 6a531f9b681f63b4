"""Guards shared by the derivations: one patients row per subject, no unknown subjects.

The model layer reports these problems with file and row for user data; the derivations are
also called directly (tests, users' own frames), so they check again and raise ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

__all__ = ["index_patients", "check_known_subjects"]


def index_patients(patients: pd.DataFrame) -> pd.DataFrame:
    """``patients`` indexed by text ``subject_id``; error if a subject has several rows."""
    pat = patients.assign(subject_id=patients["subject_id"].astype(str)).set_index("subject_id")
    if pat.index.duplicated().any():
        dup = sorted(pat.index[pat.index.duplicated()].unique())
        raise ValueError(f"patients has more than one row for subject(s): {', '.join(dup)}")
    return pat


def check_known_subjects(ids: Iterable, known: Iterable, table: str) -> None:
    """Error naming the subjects of ``table`` that are not among the ``known`` patients."""
    unknown = sorted(set(map(str, ids)) - set(map(str, known)))
    if unknown:
        raise ValueError(f"{table} has subject(s) not in patients: {', '.join(unknown)}")
