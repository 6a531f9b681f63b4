"""Write synthetic data: the ESCC cohort's tables (streamed CSV), the bundled demo data set, and
a synthetic OMOP CDM database (DuckDB).

The generators (:mod:`oncocohort.simulate`) are pure; this module writes their output. Files
are byte-for-byte reproducible from the seed: CSV with ISO dates and fixed float formatting,
and the workbook re-zipped with fixed timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from oncocohort.report.ooxml import stable_ooxml
from oncocohort.simulate.escc import (
    BLOCK_SIZE,
    DEFAULT_SEED,
    N_SCREENED,
    TABLE_COLUMNS,
    generate_block,
)
from oncocohort.simulate.hospital import hospital_ae_sheet, hospital_patients_sheet
from oncocohort.simulate.omop import DEFAULT_SEED as OMOP_SEED
from oncocohort.simulate.omop import SQL_TYPE, generate_omop_chunks
from oncocohort.study.demo import demo_spec_path
from oncocohort.write.folder import atomic_output_dir, atomic_output_file

__all__ = ["write_escc", "write_demo", "render_hospital_workbook", "write_simulated_escc",
           "write_omop_duckdb", "write_simulated_omop"]


def _csv_text(frame: pd.DataFrame, header: bool) -> str:
    return frame.to_csv(index=False, header=header, date_format="%Y-%m-%d",
                        float_format="%.10g", lineterminator="\n")


def write_escc(out_dir: str | Path, *, seed: int = DEFAULT_SEED,
               n_patients: int = N_SCREENED, chunk_size: int = BLOCK_SIZE,
               progress: bool = True) -> dict[str, Path]:
    """Stream the synthetic cohort to one CSV per table, ``chunk_size`` patients at a time.

    Memory is bounded by one chunk, so a million patients can be written on a laptop. Each
    chunk is one generator block (:func:`oncocohort.simulate.escc.generate_block`); with the
    default ``chunk_size`` the files hold exactly :func:`~oncocohort.simulate.simulate_escc`
    with the same seed and size, while another ``chunk_size`` gives a different (equally
    calibrated) draw.

    Parameters
    ----------
    out_dir
        Folder to write ``patients.csv``, ``therapy.csv``, ``therapy_lines.csv``,
        ``lesions.csv`` and ``adverse_events.csv`` into (created if needed; files replaced).
    seed, n_patients
        As for :func:`~oncocohort.simulate.simulate_escc`.
    chunk_size
        Patients generated and written per step.
    progress
        Show a ``rich`` progress bar on the terminal.

    Returns
    -------
    dict
        Table name -> path written.
    """
    if chunk_size < 1 or n_patients < 1:
        raise ValueError("n_patients and chunk_size must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / f"{name}.csv" for name in TABLE_COLUMNS}
    handles = {name: p.open("w", encoding="utf-8", newline="") for name, p in paths.items()}
    starts = list(range(0, n_patients, chunk_size))
    try:
        bar = _progress(progress)
        with bar:
            task = bar.add_task("Writing synthetic ESCC cohort", total=n_patients)
            for b, start in enumerate(starts):
                size = min(chunk_size, n_patients - start)
                block = generate_block(seed, b, size, start, n_patients)
                for name, fh in handles.items():
                    fh.write(_csv_text(block[name], header=(b == 0)))
                bar.advance(task, size)
    finally:
        for fh in handles.values():
            fh.close()
    return paths


def _progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(),
                    MofNCompleteColumn(), TimeRemainingColumn(), disable=not enabled)


def write_demo(out_dir: str | Path, *, seed: int = DEFAULT_SEED) -> dict[str, Path]:
    """Write the bundled demo: the default cohort as CSVs plus ``hospital.xlsx``.

    This is how ``src/oncocohort/data/demo/`` was made; running it again gives byte-identical
    files.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    block = generate_block(seed, 0, N_SCREENED, 0, N_SCREENED)
    paths = {}
    for name in TABLE_COLUMNS:
        paths[name] = out / f"{name}.csv"
        paths[name].write_text(_csv_text(block[name], header=True), encoding="utf-8")
    paths["hospital"] = out / "hospital.xlsx"
    paths["hospital"].write_bytes(render_hospital_workbook(block))
    return paths


_FIXED_TIME = dt.datetime(2025, 7, 5)


def render_hospital_workbook(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """``hospital.xlsx`` as bytes (sheets ``Patients`` and ``AE``), reproducible byte for byte."""
    patients = hospital_patients_sheet(tables)
    ae = hospital_ae_sheet(tables)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl", date_format="YYYY-MM-DD",
                        datetime_format="YYYY-MM-DD") as xw:
        patients.to_excel(xw, sheet_name="Patients", index=False)
        ae.to_excel(xw, sheet_name="AE", index=False)
        props = xw.book.properties
        props.creator = "oncocohort (synthetic data)"
        props.created = _FIXED_TIME
        props.modified = _FIXED_TIME
    return stable_ooxml(buf.getvalue(), _FIXED_TIME)


def write_simulated_escc(out_dir: str | Path, *, seed: int | None = None,
                         n_patients: int | None = None, progress: bool = True) -> Path:
    """The CLI's ``oncocohort simulate escc``: write the tables into ``out_dir`` atomically.

    A copy of the demo's study spec (``study.yaml``) goes with them, so that
    ``oncocohort run out_dir/study.yaml --out ...`` analyses the simulated cohort. The files
    are written into a temporary folder next to ``out_dir`` and moved into place
    when complete, so an interrupted run leaves nothing half-written.
    """
    out = Path(out_dir)
    with atomic_output_dir(out) as tmp:
        write_escc(tmp, seed=DEFAULT_SEED if seed is None else seed,
                   n_patients=N_SCREENED if n_patients is None else n_patients,
                   progress=progress)
        (tmp / "study.yaml").write_bytes(demo_spec_path().read_bytes())
    return out.resolve()


def write_omop_duckdb(path: str, persons: int = 10_000, *, seed: int | None = None,
                      chunk_size: int = 100_000, episodes: bool = False,
                      progress: Callable[[int, int], None] | None = None) -> None:
    """Write the synthetic database into a new DuckDB file at ``path``.

    ``episodes`` also fills ``episode``/``episode_event`` with one treatment episode per line
    of therapy (:func:`oncocohort.simulate.omop.generate_omop_chunks`). ``progress(done,
    total)`` is called after each chunk (the CLI draws the bar).
    """
    import duckdb

    seed = OMOP_SEED if seed is None else seed
    con = duckdb.connect(path)
    try:
        created: set[str] = set()
        done = 0
        for chunk in generate_omop_chunks(persons, seed=seed, chunk_size=chunk_size,
                                          episodes=episodes):
            for t, f in chunk.items():
                con.register("_chunk", f)
                if t not in created:
                    cols = ", ".join(f'"{c}" {SQL_TYPE.get(str(f[c].dtype), "VARCHAR")}'
                                     for c in f.columns)
                    con.execute(f'CREATE OR REPLACE TABLE "{t}" ({cols})')
                    created.add(t)
                con.execute(f'INSERT INTO "{t}" SELECT * FROM _chunk')
                con.unregister("_chunk")
            done = min(persons, done + chunk_size)
            if progress is not None:
                progress(done, persons)
    finally:
        con.close()


def write_simulated_omop(path: str | Path, *, persons: int, seed: int | None = None,
                         episodes: bool = False, progress: bool = True) -> Path:
    """The CLI's ``oncocohort simulate omop``: a synthetic OMOP CDM DuckDB file, atomically.

    Written to a temporary file next to ``path`` and renamed into place when complete.
    """
    path = Path(path).resolve()
    with atomic_output_file(path) as tmp, _progress(progress) as bar:
        task = bar.add_task("persons", total=persons)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done)

        write_omop_duckdb(str(tmp), persons, seed=seed, episodes=episodes, progress=tick)
    return path
