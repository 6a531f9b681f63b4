"""Synthetic survival data for the statistics benchmark, written once and read by every tool.

The design follows the brief of issue 3: day-granular times (integers 1..1500, so there are
many tied event times: at n = 1e6 about 660 subjects share each distinct day), about 70 %
events and five covariates, two binary and three numeric.

Data-generating model (proportional hazards, so the Cox fit is well specified)::

    x1 ~ N(0, 1)          x2 ~ N(0, 1)          x3 ~ Bernoulli(0.5)  (the "arm", log-rank group)
    x4 ~ Bernoulli(0.3)   x5 ~ Uniform(0, 1)
    T  ~ Exponential(rate = log(2) / 450 * exp(x @ beta)),  beta = (0.3, -0.2, -0.5, 0.25, 0.4)
    C  ~ Uniform(0, 2400)                                     (random censoring)
    observed time = min(ceil(min(T, C)), 1500), event = T <= C and ceil(T) <= 1500
    cause = 0 if no event, else 2 (the competing cause) with probability 0.25 + 0.2 x4, else 1

Every true coefficient is far from zero, so that relative differences between the tools'
coefficients are well defined.

Storage: one little-endian float64 file per column (``<column>.f64``) plus ``meta.json``.
R reads it with ``readBin`` (no ``arrow`` or ``data.table`` is installed for R here, and
``read.csv`` of 1e6 rows would dominate R's whole-process time for reasons unrelated to
``survival``); Python reads it with ``numpy.fromfile``. Reading is never inside a timed call.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["COVARIATES", "BETA", "make_data", "write_data", "read_data", "ensure_data"]

COVARIATES = ["x1", "x2", "x3", "x4", "x5"]
BETA = np.array([0.3, -0.2, -0.5, 0.25, 0.4])
MAX_DAY = 1500
SEED = 20261123
FORMAT_VERSION = 2  # 2: the competing-risk column ``cause``


def make_data(n: int, *, covariates: bool = True, seed: int = SEED) -> dict[str, np.ndarray]:
    """Simulate ``n`` subjects; return float64 columns ``time``, ``event`` (0/1), ``cause``
    (0/1/2, for the competing-risk tasks), ``x1``..``x5``.

    With ``covariates=False`` only ``time``, ``event``, ``cause`` and the group ``x3`` are
    returned (used for the 1e7-row tasks, where the covariates would only cost disk and memory).
    The cause is drawn from its own random stream, so the other columns are those of format 1.
    """
    rng = np.random.default_rng([seed, n])
    x = np.empty((n, 5))
    x[:, 0] = rng.standard_normal(n)
    x[:, 1] = rng.standard_normal(n)
    x[:, 2] = rng.random(n) < 0.5
    x[:, 3] = rng.random(n) < 0.3
    x[:, 4] = rng.random(n)
    rate = np.log(2.0) / 450.0 * np.exp(x @ BETA)
    t_event = rng.exponential(1.0, n) / rate
    t_censor = rng.uniform(0.0, 2400.0, n)
    observed = np.minimum(t_event, t_censor)
    day = np.ceil(observed)
    event = (t_event <= t_censor) & (day <= MAX_DAY)
    day = np.clip(day, 1, MAX_DAY)
    competing = np.random.default_rng([seed, n, 2]).random(n) < 0.25 + 0.2 * x[:, 3]
    cause = np.where(event, np.where(competing, 2.0, 1.0), 0.0)
    out = {"time": day.astype(np.float64), "event": event.astype(np.float64), "cause": cause}
    names = COVARIATES if covariates else ["x3"]
    for name in names:
        out[name] = np.ascontiguousarray(x[:, COVARIATES.index(name)])
    return out


def write_data(columns: dict[str, np.ndarray], folder: Path) -> None:
    """Write each column as ``<name>.f64`` (little-endian float64) and a ``meta.json``."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(columns["time"])
    for name, values in columns.items():
        np.asarray(values, dtype="<f8").tofile(folder / f"{name}.f64")
    meta = {
        "format": FORMAT_VERSION,
        "n": n,
        "columns": list(columns),
        "seed": SEED,
        "event_fraction": float(np.mean(columns["event"])),
        "distinct_times": int(np.unique(columns["time"]).size),
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))


def read_data(folder: Path) -> dict[str, np.ndarray]:
    """Read the columns written by :func:`write_data`."""
    meta = json.loads((folder / "meta.json").read_text())
    return {name: np.fromfile(folder / f"{name}.f64", dtype="<f8") for name in meta["columns"]}


def ensure_data(root: Path, n: int, *, covariates: bool = True) -> tuple[Path, dict]:
    """Write the data set of size ``n`` under ``root`` unless an identical one is there."""
    folder = root / f"n{n}{'' if covariates else '_km'}"
    meta_file = folder / "meta.json"
    if meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("format") == FORMAT_VERSION and meta.get("seed") == SEED:
            return folder, meta
    write_data(make_data(n, covariates=covariates), folder)
    return folder, json.loads(meta_file.read_text())
