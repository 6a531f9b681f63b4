"""The column-wise speed rewrites of this session (a43f062, 81f5a08, 7799644, cbbc733, 39355ba,
9731533, a24582f, d7feabd, da7c7c3, e568418, 1a53ac6) against the code they replaced, on inputs the
benchmarks' clean generated data never hold: mixed types in one column (``1``, ``1.0``,
``True``, ``"1"``, numpy scalars, ``Decimal``), every kind of missing value, ``-0.0``, huge
ints, unicode, dates with times, empty and one-valued columns, text CSV must quote.

The old implementation is read from git (the parent of the commit that replaced it) and loaded
as a separate module; without git history these tests skip."""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _old(commit: str, path: str):
    """The module at ``path`` as it was before ``commit``."""
    name = f"_old_{commit}_" + path.removesuffix(".py").replace("/", "_")
    if name in sys.modules:
        return sys.modules[name]
    try:
        source = subprocess.run(["git", "show", f"{commit}^:{path}"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no git history to read the old implementation from")
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = path.removeprefix("src/").removesuffix(".py").rsplit("/", 1)[0] \
        .replace("/", ".")
    sys.modules[name] = module
    exec(compile(source, f"<{commit}^:{path}>", "exec"), module.__dict__)  # noqa: S102
    return module


def _obj(values) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


MIXED = [1, 1.0, True, "1", "1.0", Decimal("1"), np.int64(1), np.float64(1.0), np.bool_(True),
         0, 0.0, -0.0, False, "0", None, np.nan, pd.NA, pd.NaT, "", "  ", "\u00a0", "NA",
         2**70, -(2**63), "\uff11", "一", "é", 1.5, np.float64(0.1), float("inf")]


# ---------------------------------------------------------------------------- a43f062: CSV

def _old_csv(frame: pd.DataFrame) -> str:
    from oncocohort.report.results import _neutralised
    return _neutralised(frame).to_csv(index=False, date_format="%Y-%m-%d", lineterminator="\n")


CSV_COLUMNS = {
    "text": ["a", "=SUM(1)", "+1", "-1.5", "@x", " -x", 'say "hi"', "a,b", "line\nbreak",
             "cr\rx", "\ttab", "", None, np.nan, "一二", "\uff11", "\u00a0", "'q", "-", "a"],
    "mixed": [1, 1.0, True, "1", Decimal("1.10"), np.int64(7), np.float64(0.1), np.bool_(False),
              None, np.nan, pd.NaT, pd.NA, -0.0, 2**70, "=x", dt.date(2020, 1, 2),
              pd.Timestamp("2020-01-02 03:04"), float("inf"), np.float32(0.1), "a,b"],
    "float": [0.1, -0.0, 0.0, 1e16, 1e-7, np.nan, np.inf, -np.inf, 1 / 3, 2.5, 123456789.125,
              1e300, -1e-300, 5e-324, 0.30000000000000004, 100.0, np.nan, 1.0, -0.0, 7.0],
    "int": [0, -1, 2**62, -(2**63), 5, 5, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
    "bool": [True, False] * 10,
    "date": pd.to_datetime(["2020-01-01 23:59:59", "1969-12-31 23:00:00", "1970-01-01 00:00:01",
                            None, "2020-01-01", "1678-01-01", "2262-04-10 12:00",
                            "2024-02-29", None, "1900-03-01 00:00:00.000000001"] * 2,
                           format="ISO8601"),
    "Int64": pd.array([1, None, -3, 2**62, 0] * 4, dtype="Int64"),
    "boolean": pd.array([True, None, False, True] * 5, dtype="boolean"),
    "blank": [None] * 20,
    "nans": [np.nan] * 20,
    "one": ["same"] * 20,
    "uint": np.array([2**64 - 1, 0] * 10, dtype=np.uint64),
    "f32": np.array([0.1, np.nan, 1e10, -0.0] * 5, dtype=np.float32),
    "dates_s": np.array(["2020-01-01T12:00", "NaT", "1000-01-01", "9999-12-31T23:59",
                         "1969-12-31T23:59:59"] * 4, dtype="datetime64[s]"),
    "dates_old": np.array(["0999-12-31", "2020-01-01"] * 10, dtype="datetime64[s]"),
}


@pytest.mark.parametrize("name", list(CSV_COLUMNS))
def test_render_frame_csv_column_kinds(name: str) -> None:
    from oncocohort.report.results import render_frame_csv
    n = len(CSV_COLUMNS[name])
    frame = pd.DataFrame({"id": [f"P{i}" for i in range(n)], name: CSV_COLUMNS[name]})
    assert render_frame_csv(frame) == _old_csv(frame)


def test_render_frame_csv_all_kinds_together_and_quoted_names() -> None:
    from oncocohort.report.results import render_frame_csv
    frame = pd.DataFrame(CSV_COLUMNS)
    frame.columns = ["=a", "b,c", 'd"', "e\nf", "-1", "一", " g", "h", "i", "j", "k", "l", "m",
                     "o", "n"]
    assert render_frame_csv(frame) == _old_csv(frame)


def test_render_frame_csv_object_columns_of_one_kind_each() -> None:
    from oncocohort.report.results import render_frame_csv
    frame = pd.DataFrame({
        "floats": _obj([0.1, 1e16, -0.0, np.nan, 2.0]),
        "np_floats": _obj([np.float64(0.1), np.float64(1e16), np.float64(-0.0), None, 2.0]),
        "np_ints": _obj([np.int64(3), np.int64(-1), None, np.int64(2**62), np.int64(0)]),
        "bools": _obj([True, False, None, np.bool_(True), True]),
        "dates": _obj([dt.date(2020, 1, 2), None, dt.datetime(2020, 1, 2, 3, 4),
                       pd.Timestamp("2021-05-06", tz="UTC"), pd.NaT]),
        "decimal": _obj([Decimal("1.10"), Decimal("-0"), None, Decimal("1E+3"), Decimal("2")]),
    })
    for a in frame.columns:
        sub = frame[["floats", a]] if a != "floats" else frame[["floats", "bools"]]
        assert render_frame_csv(sub) == _old_csv(sub), a


def test_render_frame_csv_edge_shapes() -> None:
    from oncocohort.report.results import render_frame_csv
    for frame in (pd.DataFrame({"a": [], "b": []}), pd.DataFrame({"a": ["x"]}),
                  pd.DataFrame({"a": [None], "b": [None]}),
                  pd.DataFrame({"a": ["", ""], "b": ["", ""]}),
                  pd.DataFrame({"a": pd.Categorical(["x", "y"]), "b": [1, 2]}),
                  pd.DataFrame({"a": pd.array(["x", None], dtype="string"), "b": [1, 2]}),
                  pd.DataFrame([[1, "x"], [2, "y"]], columns=["a", "a"])):
        assert render_frame_csv(frame) == _old_csv(frame)


# --------------------------------------------------------------- 81f5a08, e568418: rules

RULE_FRAME = pd.DataFrame({
    "mixed": _obj(MIXED),
    "mixed2": _obj(MIXED[::-1]),
    "yesno": _obj([True, 1, 1.0, "yes", " Y ", "0", 0.0, np.float64(1.0), np.int64(0),
                   np.bool_(False), "no", "N", "maybe", 2, 0.5, None, np.nan, "", " ",
                   "\u00a0", Decimal("1"), "TRUE", "1.0", -0.0, pd.NA, pd.NaT, 1, True,
                   "true", "false"]),
    "dates": _obj([pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-01 12:00"),
                   dt.date(2020, 1, 1), np.datetime64("2020-01-01"), "2020-01-01", None,
                   pd.NaT, dt.datetime(2019, 12, 31, 23, 59)] * 3 + ["x"] * 6),
    "text": _obj(["a", "A", " a", "a ", "一", "\uff11", "1", "", None, "b"] * 3),
    "num": _obj([1, 2.5, -0.0, 0.0, np.nan, 2**70, np.int64(3), np.float32(0.5), None,
                 Decimal("2.50")] * 3),
})

RULES = ["mixed == 1", "mixed != 1", "mixed == '1'", "mixed in (1, 'a', true)",
         "mixed not in (0, '0')", "mixed in ('1', '1.0')", "mixed == mixed2", "mixed < mixed2",
         "mixed > 0", "mixed == true", "yesno", "not yesno", "yesno == true",
         "yesno != false", "dates >= '2020-01-01'", "dates == '2020-01-01'",
         "dates < mixed", "text == 'a'", "text in ('a', '一')", "text != 1",
         "num >= 0", "num == 0", "num in (0, 2.5)", "num < 3",
         "-1 < num <= 2.5", "text == mixed", "num == mixed and yesno", "yesno or num > 1"]


def _same_rule_result(text: str, frame: pd.DataFrame) -> None:
    """The rule ``text`` on ``frame``: the same values, failing rows and reasons before
    81f5a08 and now (or the same error)."""
    from oncocohort.cohort import rules as new
    old = _old("81f5a08", "src/oncocohort/cohort/rules.py")
    try:
        want = old.compute_rule(old.parse_rule(text), frame)
    except Exception as error:  # noqa: BLE001 - the same error is expected
        with pytest.raises(type(error)):
            new.compute_rule(new.parse_rule(text), frame)
        return
    got = new.compute_rule(new.parse_rule(text), frame)
    assert got.bad.tolist() == want.bad.tolist(), text
    assert got.reason.tolist() == want.reason.tolist(), text
    assert got.value[~got.bad].tolist() == want.value[~want.bad].tolist(), text


@pytest.mark.parametrize("text", RULES)
def test_rules_same_values_bad_rows_and_reasons(text: str) -> None:
    _same_rule_result(text, RULE_FRAME)


@pytest.mark.parametrize("column", [
    pd.Series(_obj(MIXED)), pd.Series(["", " ", "\u00a0", "\t\n", "x", None], dtype="string"),
    pd.Series(_obj([b"", b" ", "", 0, False, 0.0, "\u3000", "\u200b", np.str_(" ")])),
    pd.Series(_obj([[1], "", None])), pd.Series(pd.Categorical(["", "a", None])),
    pd.Series([], dtype=object), pd.Series([None, None], dtype=object)])
def test_rules_missing_mask(column: pd.Series) -> None:
    from oncocohort.cohort import rules as new
    old = _old("81f5a08", "src/oncocohort/cohort/rules.py")
    assert new._missing_mask(column).tolist() == old._missing_mask(column).tolist()


# ------------------------------------------------------------------- a24582f: variables

def test_variables_levels_and_labels() -> None:
    from oncocohort.analysis import variables as new
    old = _old("a24582f", "src/oncocohort/analysis/variables.py")
    patients = pd.DataFrame({
        "mixed": _obj([v for v in MIXED if not isinstance(v, Decimal)] + ["z"]),
        "codes": _obj(["1", 1, 1.0, True, "01", "1", None, np.nan, 2, "2"] * 3),
        "zeros": _obj([0.0, -0.0, 0, False, np.float64(-0.0), None] * 5),
        "text": _obj(["b", "a", "B", "一", "\uff11", "a\u00a0", " a", "a", None, "c"] * 3),
        "one": ["x"] * 30, "none": [None] * 30,
        "cut": pd.Categorical(["lo", "hi", None] * 10, categories=["lo", "hi"]),
    })
    for col in patients.columns:
        for spec_new, spec_old in (
                (new.VariableLevels(col), old.VariableLevels(col)),
                (new.VariableLevels(col, {"1": "One", "a": "A"}, ("1", "a", "x"),
                                    by_frequency=True),
                 old.VariableLevels(col, {"1": "One", "a": "A"}, ("1", "a", "x"),
                                    by_frequency=True))):
            got = new.apply_levels(patients, [spec_new])[col]
            want = old.apply_levels(patients, [spec_old])[col]
            assert list(got.cat.categories) == list(want.cat.categories), col
            assert got.astype(object).tolist() == want.astype(object).tolist(), col
        values = patients[col].dropna().tolist()
        assert [(type(v), v) for v in new._distinct(values)] == \
            [(type(v), v) for v in old._distinct(values)], col


# ------------------------------------------------------- 9731533, da7c7c3: sources, model

READ_CELLS = ["", " ", "NA", " NA ", ".", "na", "N/A", "\u00a0", "\u3000x", " x ", "x", "一",
              np.str_(" NA "), np.str_("y "), b" z ", 1, 1.0, True, np.int64(2), 2**70,
              np.float64(1e16), 0.1, -0.0, float("nan"), None, pd.NA, pd.NaT,
              dt.date(2020, 1, 2), pd.Timestamp("2020-01-02 03:04"), Decimal("1.10")]


def test_cell_text_is_missing_and_coerce_text() -> None:
    from oncocohort.model import coerce as new_coerce
    from oncocohort.sources import readers as new_readers
    old_readers = _old("9731533", "src/oncocohort/sources/readers.py")
    old_coerce = _old("9731533", "src/oncocohort/model/coerce.py")
    for v in READ_CELLS:
        assert new_readers.cell_text(v) == old_readers.cell_text(v), repr(v)
        assert new_coerce.is_missing(v) == old_coerce.is_missing(v), repr(v)
    for cells in (READ_CELLS, [c for c in READ_CELLS if isinstance(c, str)],
                  ["a", "a", None, " a", "NA"], []):
        for values in (cells, pd.Series(_obj(cells), index=range(100, 100 + len(cells)))):
            got, want = new_coerce.coerce_text(values), old_coerce.coerce_text(values)
            assert got.values.tolist() == want.values.tolist()
            assert got.codes == want.codes
            assert got.failed.tolist() == [c is not None for c in want.codes]


def test_read_frame_rows_kept() -> None:
    from oncocohort.sources import readers as new
    old = _old("9731533", "src/oncocohort/sources/readers.py")
    records = [["", "NA", None], [" 1 ", "", "x"], [None, None, None], [1, 1.0, True],
               ["\u00a0", " ", "."], ["一", np.nan, pd.NaT]]
    header = ["a", "b", "c"]
    for rows in (records, records[2:3], [], [r for r in records if r[0] is None] * 3):
        args = (header, rows, range(2, 2 + len(rows)), "f.csv", None)
        (got, got_rows), (want, want_rows) = new._frame(*args), old._frame(*args)
        pd.testing.assert_frame_equal(new.text_frame(got), want)  # coded: compared as text
        assert got_rows.tolist() == want_rows.tolist()


def test_numbers_failed_mask_and_free_column() -> None:
    from oncocohort.model import coerce as new
    from oncocohort.model import typed as new_typed
    old_typed = _old("9731533", "src/oncocohort/model/typed.py")
    for cells in (READ_CELLS, ["1", "2", None, "NA"], ["1", "x", "1"], [None, None], []):
        for integer in (False, True):
            res = new.coerce_numbers(cells, integer=integer)
            assert res.failed.tolist() == [c is not None for c in res.codes]
        raw = pd.Series(_obj(cells), index=range(7, 7 + len(cells)))
        got, want = new_typed._free_column(raw), old_typed._free_column(raw)
        pd.testing.assert_series_equal(got, want)


# ------------------------------------------------------------------- d7feabd: mapping

def test_recode_column_pass_through() -> None:
    from oncocohort.sources import mapping as new
    old = _old("d7feabd", "src/oncocohort/sources/mapping.py")
    # what the readers give: text or None (cell_text); NaN and the like as missing too
    for cells in (["a", " a", "A", None, "1", "01", "一", "\u00a0", ""],
                  [None, np.nan, pd.NA, pd.NaT, "x"], [], [None]):
        values = pd.Series(_obj(cells), index=range(3, 3 + len(cells)))
        got, want = new.recode_column(values, {}, None), old.recode_column(values, {}, None)
        assert got.index.tolist() == want.index.tolist()
        assert [(type(v), v) for v in got] == [(type(v), v) for v in want]


# ---------------------------------------------------------------------- 7799644: safety

AE = pd.DataFrame({
    "subject_id": _obj(["01", "01", "02", "02", 3, 3.0, "3", None, "一", "01", "02", "04"]),
    "ae_term": _obj(["Nausea", " nausea ", "Rash", 1, 1.0, True, None, np.nan, "皮疹",
                     "Diarrhoea", "", "Nausea"]),
    "ctcae_term": _obj([None, "Nausea", "", 1, "Rash maculo-papular", np.nan, " ", None,
                        "Nausea", None, "Diarrhea", pd.NA]),
    "ae_group": _obj(["GI", "GI", None, "Skin", "Skin", 1, "GI", "GI", "皮", "GI", "", "GI"]),
    "related_drugs": _obj(["drugA; drugB", " DrugA ", None, "", ";", 1, 1.0, True, np.nan,
                           "drugB;drugA", "drugC", "drugA; drugB"]),
})


def test_safety_term_mapping_and_drug_lists() -> None:
    from oncocohort.derive import safety as new
    old = _old("7799644", "src/oncocohort/derive/safety.py")
    for ae in (AE, AE.iloc[:0], AE.drop(columns=["ctcae_term", "related_drugs"])):
        # no records: the new columns are object, the old float64 (no rows either way)
        pd.testing.assert_frame_equal(new._map_terms(ae, new.SafetyOptions()),
                                      old._map_terms(ae, old.SafetyOptions()),
                                      check_dtype=len(ae) > 0)
        codes, lists = new._drug_lists(ae)
        assert [lists[c] for c in codes] == old._drug_lists(ae).tolist()


def test_safety_dose_changes_for_an_adverse_event() -> None:
    from oncocohort.analysis import safety as new
    old = _old("7799644", "src/oncocohort/analysis/safety.py")
    exposure = pd.DataFrame({
        "subject_id": _obj(["01", "01", "02", 3, "3", "一", None, "04", "05"]),
        "reason": _obj(["nausea", "RASH; GI", " Rash ", "nausea", "skin", "皮疹; x", "GI",
                        None, 1]),
        "ae": _obj([None, "Diarrhoea", "rash", 1, None, "皮", np.nan, "gi", ""]),
    })
    ids = {"01", "02", 3, "3", "一", "04", "05", None}
    for ae in (AE, AE.dropna(subset=["subject_id"]), AE.iloc[:0]):
        for reason, name in (("reason", "ae"), ("reason", "missing"), ("ae", "reason")):
            assert new._for_ae(new._AePairs.of(ae), exposure, ids, reason, name) == \
                old._for_ae(ae, exposure, ids, reason, name), (reason, name)


# -------------------------------------------------------------- cbbc733, 39355ba: derive

def test_check_known_subjects_message() -> None:
    from oncocohort.derive import _common as new
    old = _old("cbbc733", "src/oncocohort/derive/_common.py")
    known = ["01", 2, "一", "\uff13"]
    for ids in (["01", "02", 2, "2", 2.0, None, np.nan, "一", "\uff13", "3", np.int64(2)],
                pd.Series(["01", "x", "x"]), np.array(["b", "a"]), ["01"], [],
                pd.Index(["a", None])):
        messages = []
        for module in (new, old):
            try:
                module.check_known_subjects(ids, known, "visits")
                messages.append(None)
            except Exception as error:  # noqa: BLE001 - compared below
                messages.append((type(error).__name__, str(error)))
        assert messages[0] == messages[1]


def test_pd_new_lesion() -> None:
    from oncocohort.derive import response as new
    old = _old("cbbc733", "src/oncocohort/derive/response.py")
    best = pd.DataFrame({
        "subject_id": _obj(["01", "02", 3, "04", "05", "06", "一"]),
        "first_pd_date": pd.to_datetime(["2020-01-01", "2020-02-01 10:00", "2020-03-01", None,
                                         "2020-05-01", "2020-06-01", "2020-07-01"],
                                        format="ISO8601"),
    })
    visits = pd.DataFrame({
        "subject_id": _obj(["01", "01", "02", "3", "04", "05", "05", 6, "一"]),
        "visit_date": pd.to_datetime(["2020-01-01", "2020-01-01", "2020-02-01", "2020-03-01",
                                      "2020-04-01", "2020-05-01", None, "2020-06-01",
                                      "2020-07-01 00:00:01"], format="ISO8601"),
        "new_lesion": _obj([False, True, None, True, True, np.nan, True, True, True]),
    })
    for v in (visits, visits.iloc[:1], visits.iloc[:0], None,
              visits.assign(visit_date=visits["visit_date"].dt.strftime("%Y-%m-%d"))):
        assert new._pd_new_lesion(best, v).tolist() == old._pd_new_lesion(best, v).tolist()


def test_interruption_reasons() -> None:
    from oncocohort.derive import exposure as new
    old = _old("39355ba", "src/oncocohort/derive/exposure.py")
    reason = _obj([" a ", "b", "a", None, "", "  ", np.nan, 1, "一", "a", "\u00a0", "c", "b",
                   pd.NA, "a; b"])
    gid = np.array([0, 0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 5, 5, 5, 0])
    for g, r, n in ((gid, reason, 7), (gid[:0], reason[:0], 3), (gid[::-1], reason, 6)):
        assert new._reasons(g, r, n).tolist() == old._reasons(g, r, n).tolist()


def test_dates_already_datetime() -> None:
    from oncocohort.derive import dates as new_dates
    from oncocohort.model import validate as new_validate
    old_dates = _old("e568418", "src/oncocohort/derive/dates.py")
    old_validate = _old("da7c7c3", "src/oncocohort/model/validate.py")
    for series in (pd.Series(pd.to_datetime(["2020-01-01 10:00", None])),
                   pd.Series(np.array(["2020-01-01T10:00", "NaT"], dtype="datetime64[s]")),
                   pd.Series(pd.to_datetime(["2020-01-01 10:00", None]).tz_localize("UTC")),
                   pd.Series(["2020-01-01", None])):
        frame = pd.DataFrame({"d": series})
        for new_f, old_f, args in ((new_dates._as_dates, old_dates._as_dates, (series,)),
                                   (new_validate._dates, old_validate._dates, (frame, "d"))):
            assert _outcome(new_f, *args) == _outcome(old_f, *args)


def _outcome(function, *args):
    """What ``function(*args)`` gives, as a list, or the type of the error it raises."""
    try:
        return list(np.asarray(function(*args)).astype("datetime64[ns]").view("int64"))
    except Exception as error:  # noqa: BLE001 - compared by the caller
        return type(error)


def test_derive_ae_whole() -> None:
    from oncocohort.derive import safety as new
    old = _old("7799644", "src/oncocohort/derive/safety.py")
    ae = AE.dropna(subset=["subject_id"]).assign(related=_obj([True, None, False] * 4)[:11])
    patients = pd.DataFrame({"subject_id": ["01", "02", "3", "3.0", "True", "一", "04"]})
    for drugs in ((), ("drugA", "DrugB", "drugC")):
        got = new.derive_ae(ae, patients, options=new.SafetyOptions(regimen_drugs=drugs))
        want = old.derive_ae(ae, patients, options=old.SafetyOptions(regimen_drugs=drugs))
        pd.testing.assert_frame_equal(got, want)
    # no records: the same (header-only) table; its text columns now object, were float64
    none = ae.iloc[:0]
    got = new.derive_ae(none, patients, options=new.SafetyOptions())
    want = old.derive_ae(none, patients, options=old.SafetyOptions())
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert got["ctcae_term"].dtype == object and got["term_source"].dtype == object


# ------------------------------------------------------------- seeded random mixtures

def test_render_frame_csv_random_columns() -> None:
    from oncocohort.report.results import render_frame_csv
    rng = np.random.default_rng(20261206)
    n = 400
    bits = rng.integers(-(2**63), 2**63 - 1, size=n, dtype=np.int64)
    floats = bits.view(np.float64)  # every kind of float: subnormal, huge, NaN payloads, inf
    with np.errstate(over="ignore"):
        floats32 = floats.astype(np.float32)  # huge ones: inf
    pool = _obj(CSV_COLUMNS["text"] + CSV_COLUMNS["mixed"])
    frame = pd.DataFrame({
        "f64": floats,
        "f64_round": np.round(rng.normal(size=n) * 10.0 ** rng.integers(-8, 17, size=n), 3),
        "f32": floats32,
        "f16": rng.normal(size=n).astype(np.float16),
        "i64": bits, "u8": rng.integers(0, 255, size=n).astype(np.uint8),
        "dates": pd.to_datetime(rng.integers(-(2**62), 2**62, size=n)),
        "pool": pool[rng.integers(0, len(pool), size=n)],
        "text_pool": _obj(CSV_COLUMNS["text"])[rng.integers(0, 20, size=n)],
    })
    assert render_frame_csv(frame) == _old_csv(frame)


def test_rules_random_mixtures() -> None:
    rng = np.random.default_rng(6)
    n = 300
    frame = pd.DataFrame({c: RULE_FRAME[c].to_numpy()[rng.integers(0, len(RULE_FRAME), n)]
                          for c in RULE_FRAME.columns})
    for text in RULES:
        _same_rule_result(text, frame)


def test_recode_column_pass_through_keeps_each_cell() -> None:
    """Before d7feabd the pass-through went through pd.factorize, which merged equal cells of
    other types or signs into the first one seen (``True`` -> ``1``, ``-0.0`` -> ``0.0``);
    the readers only give text, so no table changed, but each cell is now kept as it is."""
    from oncocohort.sources import mapping
    cells = [1, True, 1.0, 0.0, -0.0, "1", None, np.nan, pd.NaT]
    got = mapping.recode_column(pd.Series(_obj(cells)), {}, None)
    assert [(type(v), str(v)) for v in got] == [(type(v), str(v)) for v in cells[:6]] + \
        [(type(None), "None")] * 3


def test_rules_unhashable_cells() -> None:
    from oncocohort.cohort import rules as new
    old = _old("81f5a08", "src/oncocohort/cohort/rules.py")
    frame = pd.DataFrame({"x": _obj([[1], 1, "1", (1,), None, 1.0])})
    for text in ("x == 1", "x in (1, '1')", "x"):
        got = new.compute_rule(new.parse_rule(text), frame)
        want = old.compute_rule(old.parse_rule(text), frame)
        assert got.bad.tolist() == want.bad.tolist()
        assert got.reason.tolist() == want.reason.tolist()
        assert got.value[~got.bad].tolist() == want.value[~want.bad].tolist()


def test_apply_levels_random_mixtures() -> None:
    """1a53ac6: the labelled column built from the codes of the distinct values; the same
    Series as the Categorical of every row's label, with labels, a declared order, the
    frequency order, and a column already categorical."""
    from oncocohort.analysis import variables as new
    old = _old("1a53ac6", "src/oncocohort/analysis/variables.py")
    rng = np.random.default_rng(1206)
    for trial in range(200):
        pool = [MIXED[i] for i in rng.choice(len(MIXED), rng.integers(1, 8), replace=False)]
        values = _obj([pool[i] for i in rng.integers(0, len(pool), 30)])
        columns = [pd.Series(values)]
        if all(isinstance(v, str) for v in values):
            columns.append(columns[0].astype("category"))
        args = ({"1": "One", "0": "Zero", "é": "E"} if trial % 2 else {},
                ("é", "0") if trial % 3 == 0 else (), trial % 5 == 0)
        for col in columns:
            got, want = (_result_or_error(lambda m=m: m.apply_levels(
                pd.DataFrame({"v": col}), [m.VariableLevels("v", *args)])["v"])
                for m in (new, old))
            if isinstance(want, pd.Series):
                pd.testing.assert_series_equal(got, want)
            else:  # a mixture the order of levels cannot sort (2**70 with text): both raise
                assert repr(got) == repr(want)


def _result_or_error(f):
    try:
        return f()
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        return exc
