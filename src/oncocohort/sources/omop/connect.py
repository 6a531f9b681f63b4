"""Connecting to an OMOP CDM through Ibis: DuckDB (embedded, default), PostgreSQL, Spark.

One code path for every engine: the cohort is built as Ibis expressions on the tables of
:class:`Cdm`, compiled to the engine's SQL and executed there; only small results (counts,
the cohort's records) come back to Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

from oncocohort.problems import InputError, Problem

__all__ = ["Cdm", "connect_cdm", "parse_database_url", "describe_error", "redact_url",
           "CDM_TABLES"]

CDM_TABLES = ("person", "observation_period", "condition_occurrence", "drug_exposure",
              "procedure_occurrence", "measurement", "observation", "death", "concept",
              "concept_ancestor", "episode", "episode_event")
REQUIRED = ("person", "observation_period", "condition_occurrence", "drug_exposure")

# scheme://user:password@host...: the password runs to the *last* "@" (people write "/", "@",
# "#" or "?" in passwords without percent-encoding them).
_USERINFO = re.compile(r"^(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://(?P<user>[^:@/?#]*))"
                       r"(?::(?P<password>.*))?@(?P<rest>[^@]*)$", re.DOTALL)
_QUERY_PASSWORD = re.compile(r"(?i)([?&;]password=)([^&]*)")
# characters a raw password cannot carry inside a URL's userinfo (ibis decodes "+" as a space)
_RESERVED = "/?#@[] +"


def _secrets(url: str) -> list[str]:
    """Every form of every password ``url`` holds (raw and decoded), longest first."""
    found: list[str] = []
    if (m := _USERINFO.match(url.strip())) and m["password"]:
        pw = m["password"]
        found += [pw, unquote_plus(pw), quote(pw, safe=_safe_chars())]
    for _, value in _QUERY_PASSWORD.findall(url):
        found += [value, unquote_plus(value)]
    return sorted({f for f in found if f}, key=len, reverse=True)


def redact_url(text: str, url: str | None = None) -> str:
    """``text`` with every password masked: ``scheme://user:***@host/db`` for any scheme, a
    password containing ``/``, ``@``, ``#`` or ``?``, ``password=***`` in a query, and, when
    ``url`` is given, each of its passwords (raw or decoded) wherever it appears in ``text``
    (a driver's message may quote it)."""
    for secret in _secrets(url) if url else ():
        text = text.replace(secret, "***")
    if (m := _USERINFO.match(text.strip())) and m["password"] is not None:
        text = f"{m['head']}:***@{m['rest']}"
    text = re.sub(r"([A-Za-z][A-Za-z0-9+.\-]*://[^:@/\s'\"]*):[^@\s'\"]*@", r"\1:***@", text)
    return _QUERY_PASSWORD.sub(r"\1***", text)


def _encoded_userinfo(url: str) -> str:
    """``url`` with the characters a raw password cannot hold percent-encoded, so that the
    driver reads the password the user wrote (``p@ss#w0rd``) instead of cutting it up."""
    m = _USERINFO.match(url)
    if not m or m["password"] is None:
        return url
    return f"{m['head']}:{quote(m['password'], safe=_safe_chars())}@{m['rest']}"


def _safe_chars() -> str:
    """Characters left as written in a password: all printable ASCII except the reserved."""
    return "".join(chr(c) for c in range(33, 127) if chr(c) not in _RESERVED)


def parse_database_url(url: str, base_dir: Path | None = None) -> tuple[str, str | None]:
    """Split a spec URL into ``(engine, target)``.

    ``duckdb:///abs/path.duckdb`` / ``duckdb://rel/path.duckdb`` / ``path.duckdb`` ->
    ``("duckdb", path)`` with a relative path resolved against ``base_dir``;
    ``postgres://...`` / ``postgresql://...`` -> ``("postgres", url)``; ``pyspark`` /
    ``spark`` / ``pyspark://`` -> ``("pyspark", None)``.
    """
    u = url.strip()
    low = u.lower()
    if low.startswith(("postgres://", "postgresql://")):
        return "postgres", _encoded_userinfo("postgres://" + u.split("://", 1)[1])
    if low in ("pyspark", "spark", "pyspark://", "spark://local"):
        return "pyspark", None
    if low.startswith("duckdb://"):
        path = u[len("duckdb://"):]  # duckdb:///abs/f.duckdb -> "/abs/f.duckdb"
    elif low.endswith((".duckdb", ".db")) or low == ":memory:":
        path = u
    else:
        raise InputError([Problem("error", f"database url {redact_url(url, url)!r} is not "
                                  "duckdb:///<file>, postgres://... or pyspark",
                                  location="database.url", code="bad_url")])
    if path not in (":memory:", "") and not Path(path).is_absolute() and base_dir is not None:
        path = str(Path(base_dir) / path)
    return "duckdb", path or ":memory:"


@dataclass(frozen=True)
class Cdm:
    """The OMOP tables of one connection (lazy Ibis tables) and the backend."""

    backend: Any
    engine: str
    tables: dict[str, Any]
    present: frozenset[str] = frozenset()

    def has(self, name: str) -> bool:
        """The table exists and, for optional tables, holds at least one row (checked once,
        when connecting)."""
        return name in self.present

    def __getitem__(self, name: str):
        try:
            return self.tables[name]
        except KeyError:
            raise InputError([Problem("error", f"the database has no {name} table, which the "
                                      "spec's cohort definition needs", location="database.url",
                                      code="missing_table")]) from None


def _open(engine: str, target: str | None, parquet_dir: Path | None = None) -> Any:
    """A new Ibis backend for ``engine`` (DuckDB read-only, PostgreSQL, local Spark; with
    ``parquet_dir`` each ``<table>.parquet`` there becomes a temporary view of the session)."""
    import ibis

    if engine == "duckdb":
        return ibis.duckdb.connect(target, read_only=True)
    if engine == "postgres":
        return ibis.connect(target)
    import tempfile

    from pyspark.sql import SparkSession

    warehouse = Path(tempfile.gettempdir()) / "oncocohort-spark-warehouse"
    session = (SparkSession.builder.master("local[1]").appName("oncocohort")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.warehouse.dir", str(warehouse))
               .config("spark.ui.enabled", "false").getOrCreate())
    for name in CDM_TABLES if parquet_dir is not None else ():
        path = Path(parquet_dir) / f"{name}.parquet"
        if path.exists():
            session.read.parquet(str(path)).createOrReplaceTempView(name)
    return ibis.pyspark.connect(session)


def describe_error(exc: BaseException, url: str | None = None) -> str:
    """``Type: first line of the message``, any password in it masked (for user errors);
    with ``url``, the passwords of that URL are masked wherever the message quotes them."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {redact_url(text[0], url) if text else ''}"


def connect_cdm(url: str, *, base_dir: Path | None = None, schema: str | None = None,
                backend: Any | None = None, parquet_dir: str | Path | None = None) -> Cdm:
    """Open the OMOP CDM at ``url`` (see :func:`parse_database_url`).

    ``backend`` may be an already connected Ibis backend (a Spark session's, for example);
    then ``url`` only names its engine. ``parquet_dir`` (``pyspark`` only; relative to
    ``base_dir``) is a folder of ``<table>.parquet`` files read as the CDM tables. Raises
    :class:`InputError` naming ``database.url`` when the file does not exist, the database
    cannot be opened (not a DuckDB file, server unreachable, driver not installed; the
    message gives the driver's first line, passwords masked) or a required table (person,
    observation_period, condition_occurrence, drug_exposure) is missing.
    """
    engine, target = parse_database_url(url, base_dir)
    if backend is None:
        if engine == "duckdb" and target != ":memory:" and not Path(target).exists():
            raise InputError([Problem("error", f"database file {target} does not exist",
                                      location="database.url", code="no_database")])
        folder = None
        if parquet_dir is not None:
            if engine != "pyspark":
                raise InputError([Problem("error", "parquet_dir is only read with the pyspark "
                                          "engine", location="database.parquet_dir",
                                          code="bad_option")])
            folder = Path(parquet_dir)
            if not folder.is_absolute() and base_dir is not None:
                folder = Path(base_dir) / folder
            if not folder.is_dir():
                raise InputError([Problem("error", f"parquet_dir {folder} is not a folder",
                                          location="database.parquet_dir",
                                          code="no_database")])
        try:
            backend = _open(engine, target, folder)
        except Exception as exc:  # noqa: BLE001 - any driver failure is the user's database
            raise InputError([Problem("error", f"cannot open the {engine} database "
                                      f"{redact_url(target, url) if target else ''}: "
                                      f"{describe_error(exc, url)}",
                                      location="database.url", code="no_database")]) from None
    kw = {"database": schema} if schema else {}
    names = set(backend.list_tables(**kw))
    missing = [t for t in REQUIRED if t not in names]
    if missing:
        raise InputError([Problem("error", f"the database has no {', '.join(missing)} "
                                  "table(s) of the OMOP CDM", location="database.url",
                                  code="missing_table")])
    tables = {t: backend.table(t, **kw) for t in CDM_TABLES if t in names}
    present = {t for t in tables
               if t in REQUIRED or tables[t].limit(1).count().execute() > 0}
    return Cdm(backend=backend, engine=engine, tables=tables, present=frozenset(present))
