"""Item 7: a database password is never printed, whatever the URL looks like.

The password is masked in the URL of every message (any scheme, a password holding ``/``,
``@``, ``#`` or ``?``, ``password=`` in the query) and redacted wherever a driver's message
quotes it. A password with such characters reaches the driver whole (percent-encoded), so the
driver neither fails on nor echoes a piece of it.
"""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit

import pytest

from adversarial._study import DEMO, assert_user_error, run_cli
from oncocohort.sources.omop import connect

OMOP_SPEC = DEMO / "study-omop.yaml"
CLOSED = "127.0.0.1:1"  # nothing listens on port 1: the driver fails at once

URLS = [  # (url, the password in it)
    (f"postgres://alice:pa/ss9X@{CLOSED}/db", "pa/ss9X"),
    (f"postgresql://alice:p@ss#w0rd@{CLOSED}/db", "p@ss#w0rd"),
    (f"postgres://alice:q?x=1&y@{CLOSED}/db", "q?x=1&y"),
    (f"postgresql+psycopg://alice:pa55wordX@{CLOSED}/db", "pa55wordX"),
    ("mysql://alice:pa55wordX@db.example/db", "pa55wordX"),
    (f"postgres://{CLOSED}/db?user=alice&password=s3cr3tX", "s3cr3tX"),
    (f"postgres://alice:p%40ss%2Fw0rd@{CLOSED}/db", "p%40ss%2Fw0rd"),
]


def _fragments(password: str) -> list[str]:
    """Pieces of the password a driver might quote when it mis-parses the URL."""
    pieces = {password, unquote_plus(password)}
    for sep in "/@#?&=":
        pieces |= {p for p in password.split(sep) if len(p) >= 3}
    return sorted(pieces)


@pytest.mark.parametrize("url, password", URLS)
def test_the_password_is_not_printed_for_a_url_on_the_command_line(url, password):
    outcome = run_cli(["validate", OMOP_SPEC, "--database", url])
    assert_user_error(outcome, "--database", "***")
    for piece in _fragments(password):
        assert piece not in outcome.output, piece


@pytest.mark.parametrize("url, password", URLS[:3])
def test_the_password_is_not_printed_for_a_url_in_the_spec(url, password, tmp_path):
    spec = tmp_path / "study.yaml"
    spec.write_text(OMOP_SPEC.read_text(encoding="utf-8").replace(
        "url: omop.duckdb", f"url: '{url}'"), encoding="utf-8")
    outcome = run_cli(["validate", spec])
    assert_user_error(outcome, "database.url", "***")
    for piece in _fragments(password):
        assert piece not in outcome.output, piece


def test_a_driver_message_quoting_the_password_is_redacted(monkeypatch):
    password = "p@ss#w0rd/x"
    seen = {}

    def refuse(engine, target, parquet_dir=None):
        seen["target"] = target
        raise RuntimeError(f'FATAL: password "{password}" rejected; also p%40ss {password}')

    monkeypatch.setattr(connect, "_open", refuse)
    outcome = run_cli(["validate", OMOP_SPEC, "--database",
                       f"postgres://alice:{password}@db.example:5432/cdm"])
    assert_user_error(outcome, "FATAL: password \"***\" rejected")
    for piece in _fragments(password):
        assert piece not in outcome.output, piece
    # the driver was given the whole password, percent-encoded, and the right host
    parts = urlsplit(seen["target"])
    assert unquote_plus(parts.password) == password
    assert (parts.hostname, parts.port, parts.path) == ("db.example", 5432, "/cdm")


def test_redact_url_masks_every_form():
    r = connect.redact_url
    assert r("postgres://u:pa/ss@h/db") == "postgres://u:***@h/db"
    assert r("postgresql+psycopg://u:x@h/db") == "postgresql+psycopg://u:***@h/db"
    assert r("mysql://u:x@h/db") == "mysql://u:***@h/db"
    assert r("postgres://u@h/db?password=a%26b&x=1") == "postgres://u@h/db?password=***&x=1"
    assert r("postgres://u@h:5432/db") == "postgres://u@h:5432/db"
    assert r("duckdb:///data/cdm.duckdb") == "duckdb:///data/cdm.duckdb"
    assert r("cannot reach u:hunter2 at h", "postgres://u:hunter2@h/db") == \
        "cannot reach u:*** at h"
