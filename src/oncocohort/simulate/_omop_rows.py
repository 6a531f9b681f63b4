"""The OMOP CDM tables the generator writes: their columns, typing, and a row collector that
assigns record ids and resolves ``episode_event`` links to those ids."""

from __future__ import annotations

import pandas as pd

__all__ = ["OMOP_COLUMNS", "ID_COLUMN", "SQL_TYPE", "Rows", "typed"]

OMOP_COLUMNS: dict[str, tuple[str, ...]] = {
    "person": ("person_id", "gender_concept_id", "year_of_birth", "month_of_birth",
               "day_of_birth", "person_source_value"),
    "observation_period": ("observation_period_id", "person_id",
                           "observation_period_start_date", "observation_period_end_date",
                           "period_type_concept_id"),
    "condition_occurrence": ("condition_occurrence_id", "person_id", "condition_concept_id",
                             "condition_start_date", "condition_end_date",
                             "condition_type_concept_id", "condition_source_value",
                             "condition_status_source_value"),
    "drug_exposure": ("drug_exposure_id", "person_id", "drug_concept_id",
                      "drug_exposure_start_date", "drug_exposure_end_date",
                      "drug_type_concept_id", "quantity", "sig", "drug_source_value"),
    "procedure_occurrence": ("procedure_occurrence_id", "person_id", "procedure_concept_id",
                             "procedure_date", "procedure_end_date",
                             "procedure_type_concept_id", "procedure_source_value"),
    "measurement": ("measurement_id", "person_id", "measurement_concept_id",
                    "measurement_date", "measurement_type_concept_id", "value_as_number",
                    "measurement_source_value", "value_source_value"),
    "observation": ("observation_id", "person_id", "observation_concept_id",
                    "observation_date", "observation_type_concept_id", "value_as_string",
                    "observation_source_value"),
    "death": ("person_id", "death_date", "death_type_concept_id"),
    "episode": ("episode_id", "person_id", "episode_concept_id", "episode_start_date",
                "episode_end_date", "episode_number", "episode_object_concept_id",
                "episode_type_concept_id"),
    "episode_event": ("episode_id", "event_id", "episode_event_field_concept_id"),
}
ID_COLUMN = {t: c[0] for t, c in OMOP_COLUMNS.items()
             if c[0].endswith("_id") and c[0] != "person_id" and t != "episode_event"}
_DATE_COLUMNS = {c for cols in OMOP_COLUMNS.values() for c in cols if c.endswith("_date")}
_INT_COLUMNS = {c for cols in OMOP_COLUMNS.values() for c in cols
                if c.endswith("_id") or c.endswith("_of_birth") or c == "episode_number"}
SQL_TYPE = {"int64": "BIGINT", "float64": "DOUBLE", "datetime64[s]": "DATE"}


def typed(f: pd.DataFrame) -> pd.DataFrame:
    """Dates as ``datetime64[s]``, ids as int64, numbers as float64, text as object/None."""
    for c in f.columns:
        if c in _DATE_COLUMNS:
            f[c] = pd.to_datetime(f[c]).astype("datetime64[s]")
        elif c in _INT_COLUMNS:
            f[c] = f[c].astype("int64")
        elif c in ("quantity", "value_as_number"):
            f[c] = f[c].astype("float64")
        else:
            f[c] = f[c].astype(object).where(f[c].notna(), None)
    return f


class Rows:
    """Row collector: one list per OMOP table; record ids are assigned when framed
    (``first_id`` + position in the table), so an ``episode_event`` row is kept as a link
    ``(episode position, event position, field concept)`` and resolved to ids then."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple]] = {t: [] for t in OMOP_COLUMNS}

    def add(self, table: str, *values) -> int:
        """Append a row (without its id column) and return its position in the table."""
        self.rows[table].append(values)
        return len(self.rows[table]) - 1

    def frames(self, first_id: int) -> dict[str, pd.DataFrame]:
        out = {}
        for t, cols in OMOP_COLUMNS.items():
            data = self.rows[t]
            if ID_COLUMN.get(t):
                data = [(first_id + i, *r) for i, r in enumerate(data)]
            elif t == "episode_event":
                data = [(first_id + e, first_id + i, f) for e, i, f in data]
            out[t] = typed(pd.DataFrame(data, columns=list(cols)))
        return out
