"""OMOP extraction benchmark: the demo's cohort definition on a large synthetic database.

Not a unit test. Generates (once) a synthetic OMOP CDM with ``--persons`` persons (the demo's
231 screened patients among background cancer patients) in a DuckDB file, then runs the
demo's OMOP cohort definition (``examples/escc-anlotinib-pd1/study-omop.yaml``) on it, each
measurement in a fresh subprocess so the peak resident memory (``ru_maxrss``) is that of the
extraction alone.

    .venv/bin/python benchmarks/omop_bench.py --persons 1000000            # DuckDB
    .venv/bin/python benchmarks/omop_bench.py --persons 1000000 --spark    # + Spark local[2]

Figures go to ``docs/benchmarks.md`` (section "OMOP extraction").
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "examples" / "escc-anlotinib-pd1" / "study-omop.yaml"


def _child(engine: str, db: str) -> None:
    import resource

    from oncocohort.sources.omop import connect_cdm, extract_omop_cohort
    from oncocohort.spec import load_spec

    spec = load_spec(SPEC).omop
    t0 = time.perf_counter()
    if engine == "duckdb":
        cdm = connect_cdm(f"duckdb://{db}")
    else:
        import ibis
        from pyspark.sql import SparkSession

        s = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
             .config("spark.sql.warehouse.dir", "/tmp/oncocohort-spark-warehouse")
             .config("spark.sql.shuffle.partitions", "4").getOrCreate())
        con = ibis.pyspark.connect(s)
        pq = Path(db).with_suffix(".parquet")
        for t in pq.iterdir():
            s.read.parquet(str(t)).createOrReplaceTempView(t.name)
        cdm = connect_cdm("pyspark", backend=con)
    t1 = time.perf_counter()
    ext = extract_omop_cohort(cdm, spec)
    t2 = time.perf_counter()
    print(json.dumps({
        "engine": engine, "connect_s": round(t1 - t0, 2), "extract_s": round(t2 - t1, 2),
        "n_screened": int(ext.attrition["n_remaining"].iloc[0]),
        "n_cohort": int(ext.attrition["n_remaining"].iloc[-1]),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


def _export_parquet(db: Path) -> None:
    import duckdb

    out = db.with_suffix(".parquet")
    out.mkdir(exist_ok=True)
    con = duckdb.connect(str(db), read_only=True)
    for (t,) in con.execute("select table_name from information_schema.tables").fetchall():
        if not (out / t).exists():
            con.execute(f"copy {t} to '{out / t}' (format parquet, per_thread_output true)")
    con.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--db", default=None, help="DuckDB file (default /tmp/omop_<N>.duckdb)")
    ap.add_argument("--spark", action="store_true", help="also run on Spark local[2]")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        _child(*a.child)
        return 0
    db = Path(a.db or f"/tmp/omop_{a.persons}.duckdb")
    if not db.exists():
        from oncocohort.write.synthetic import write_omop_duckdb

        t0 = time.perf_counter()
        write_omop_duckdb(str(db), a.persons, progress=lambda d, n: print(
            f"  generated {d:,}/{n:,} persons", file=sys.stderr))
        print(json.dumps({"generate_s": round(time.perf_counter() - t0, 1),
                          "persons": a.persons, "file_mb": round(db.stat().st_size / 2**20)}))
    engines = ["duckdb"] + (["pyspark"] if a.spark else [])
    if a.spark:
        _export_parquet(db)
    for engine in engines:
        out = subprocess.run([sys.executable, __file__, "--child", engine, str(db)],
                             capture_output=True, text=True, check=True)
        print(out.stdout.strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
