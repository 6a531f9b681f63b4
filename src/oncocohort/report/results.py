"""The results files as text: the ARD (CSV and JSON), any frame as stable CSV, the validation
problems. Pure: the writer (:mod:`oncocohort.write`) puts the text in files."""

from __future__ import annotations

import json
import math

import pandas as pd

from oncocohort.problems import Problems

__all__ = ["render_frame_csv", "render_ard_json", "render_problems"]


def render_frame_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text with stable formatting (ISO dates, no index, ``\\n`` lines)."""
    return frame.to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")


def render_ard_json(ard: pd.DataFrame) -> str:
    """The ARD as a JSON list of records (NaN and infinities as null), stable formatting."""
    records = []
    for rec in ard.to_dict(orient="records"):
        records.append({k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                        for k, v in rec.items()})
    return json.dumps(records, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def render_problems(problems: Problems) -> str:
    """The validation report as plain text: one line per problem, errors first."""
    lines = [f"error: {p}" for p in problems.errors] + [f"warning: {p}" for p in problems.warnings]
    return "\n".join(lines) + ("\n" if lines else "")
