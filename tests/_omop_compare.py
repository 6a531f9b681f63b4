"""Helpers of the OMOP tests: canonical tables as comparable rows."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

KEYS = {
    "patients": ["subject_id"],
    "therapy": ["subject_id", "start_date", "drug"],
    "therapy_lines": ["subject_id", "line", "drug"],
    "lesions": ["subject_id", "visit_date", "lesion_id"],
    "adverse_events": ["subject_id", "onset_date", "ae_term", "grade", "end_date"],
}


def _cell(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        return pd.Timestamp(v).date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return float(v)
    return str(v)


def rows(frame: pd.DataFrame, name: str, columns=None) -> list[tuple]:
    """Rows of ``frame`` (``columns``, default all) as tuples of plain values, sorted by key."""
    cols = list(columns if columns is not None else frame.columns)
    recs = [tuple(_cell(v) for v in r) for r in frame[cols].itertuples(index=False)]
    keyidx = [cols.index(k) for k in KEYS[name] if k in cols]
    return sorted(recs, key=lambda r: tuple("" if r[i] is None else str(r[i]) for i in keyidx)
                  + tuple("" if x is None else str(x) for x in r))


def ibis_schema(frame: pd.DataFrame) -> dict[str, str]:
    """Ibis types of an OMOP table made by ``oncocohort.simulate.omop`` (empty or all-null
    columns included, which type inference cannot do)."""
    out = {}
    for c in frame.columns:
        kind = str(frame[c].dtype)
        if c.endswith("_date") or kind.startswith("datetime64"):
            out[c] = "date"
        elif kind == "int64":
            out[c] = "int64"
        elif kind == "float64":
            out[c] = "float64"
        else:
            out[c] = "string"
    return out


def load_tables(con, tables: dict[str, pd.DataFrame], *, parquet_dir=None) -> None:
    """Create (replace) every table in an Ibis backend from pandas frames.

    With ``parquet_dir`` (Spark): each table is written there as Parquet and registered as a
    temporary view read by the JVM (a view over a pandas frame would run a Python worker at
    every scan, and nothing is written to a Spark warehouse folder).
    """
    import ibis

    for t, f in tables.items():
        schema = ibis_schema(f)
        g = f.copy()
        for c, typ in schema.items():
            if typ == "string":
                g[c] = g[c].astype(object).where(g[c].notna(), None)
        mem = ibis.memtable(g, schema=schema)
        if parquet_dir is None:
            con.create_table(t, mem, overwrite=True)
            continue
        import pyarrow.parquet as pq

        path = f"{parquet_dir}/{t}.parquet"
        pq.write_table(mem.to_pyarrow(), path)
        con._session.read.parquet(path).createOrReplaceTempView(t)
