"""Fuzzing the readers: random cell contents, column names, encodings and truncated files.

Whatever a file holds, ``oncocohort validate`` ends with exit 0 (valid) or 2 (problems
listed), never a traceback or an internal error, and ``read_table`` returns or raises
:class:`~oncocohort.problems.InputError`, nothing else. The examples are derived from a fixed
seed (``derandomize``) so CI is reproducible; set ``ONCOCOHORT_FUZZ_EXAMPLES`` to run more
(e.g. 2000 before a release).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adversarial._study import DEMO, DemoStudy
from oncocohort.problems import InputError
from oncocohort.sources.readers import read_table

SCALE = int(os.environ.get("ONCOCOHORT_FUZZ_EXAMPLES", "0"))
TABLES = ["patients.csv", "therapy.csv", "therapy_lines.csv", "lesions.csv",
          "adverse_events.csv"]
CODECS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "gb18030", "big5",
          "shift_jis", "latin-1", "cp1252", "koi8-r"]
FORMATS = ["csv", "xlsx", "parquet", "sav", "dta", "xpt"]

TRICKY = [  # values that broke, or could break, a reader or the typing of a cell
    "9999-12-31", "0001-01-01", "2023-02-29", "2023-05-03T25:61:00", "１９９０-０１-０１",
    "1e308", "-1e308", "1e309", "nan", "inf", "-0", "0x10", "１２", "٣", "1,5", "1" * 400,
    "[/b]", "[red]x", "=1+1", "@SUM(1)", "\x00", "\r\n", '"', "'", "True", "NA", ".", "",
    " ", "-", "N/A", "2020-01", "2020", "10/10/2020", "姓名", "\ufeff",
]
CELLS = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=30),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
)


def fuzz_settings(examples: int):
    return settings(max_examples=max(examples, SCALE), deadline=None, derandomize=True,
                    database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def formats(tmp_path_factory) -> dict[str, bytes]:
    """The demo's patients table (and hospital workbook) as bytes in every format read."""
    folder = tmp_path_factory.mktemp("formats")
    text = pd.read_csv(DEMO / "patients.csv", dtype=str, keep_default_na=False)
    typed = pd.read_csv(DEMO / "patients.csv")
    text.to_excel(folder / "patients.xlsx", index=False)
    text.to_parquet(folder / "patients.parquet", index=False)
    pyreadstat.write_sav(typed, str(folder / "patients.sav"))
    pyreadstat.write_dta(typed, str(folder / "patients.dta"))
    short = typed.iloc[:, :6].rename(columns=lambda c: c[:8])  # XPORT: 8-character names
    pyreadstat.write_xport(short, str(folder / "patients.xpt"))
    blobs = {f"patients.{k}": (folder / f"patients.{k}").read_bytes() for k in FORMATS[1:]}
    blobs["patients.csv"] = (DEMO / "patients.csv").read_bytes()
    blobs["hospital.xlsx"] = (DEMO / "hospital.xlsx").read_bytes()
    return blobs


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> DemoStudy:
    """One demo copy reused by every example (each example restores what it changes)."""
    folder = tmp_path_factory.mktemp("fuzz") / "study"
    shutil.copytree(DEMO, folder)
    return DemoStudy(folder)


def _restore(study: DemoStudy) -> None:
    for f in list(study.folder.glob("patients.*")) + [study.spec_path]:
        f.unlink()
    for name in [*TABLES, "study.yaml"]:
        shutil.copy(DEMO / name, study.folder / name)


def _validates_cleanly(study: DemoStudy, what) -> None:
    outcome = study.validate()
    assert outcome.code in (0, 2), (what, outcome.output[-2000:])
    assert "Traceback" not in outcome.output and "internal error" not in outcome.output, what


def test_truncated_files_and_any_encoding_read_or_raise_input_error(formats, tmp_path):
    @fuzz_settings(300)
    @given(name=st.sampled_from(sorted(formats)), cut=st.floats(0, 1),
           encoding=st.sampled_from([None, *CODECS]))
    def check(name, cut, encoding):
        data = formats[name]
        path = tmp_path / f"cut{Path(name).suffix}"
        path.write_bytes(data[:int(len(data) * cut)])
        try:
            frame, rows = read_table(path, encoding=encoding)
        except InputError as exc:
            assert all(p.severity == "error" and p.file for p in exc.problems)
        else:
            assert len(frame) == len(rows)

    check()


def test_random_cells_never_crash_validate(study):
    @fuzz_settings(40)
    @given(data=st.data())
    def check(data):
        _restore(study)
        planted = []
        for _ in range(data.draw(st.integers(1, 4))):
            file = data.draw(st.sampled_from(TABLES))
            rows = study.rows(file)
            column = data.draw(st.sampled_from(rows[0]))
            row = data.draw(st.integers(2, min(len(rows), 40)))
            value = data.draw(CELLS)
            study.set_cell(file, row, column, value)
            planted.append((file, row, column, value))
        _validates_cleanly(study, planted)

    check()


def test_random_column_names_never_crash_validate(study):
    @fuzz_settings(30)
    @given(data=st.data())
    def check(data):
        _restore(study)
        file = data.draw(st.sampled_from(TABLES))
        rows = study.rows(file)
        rows[0][data.draw(st.integers(0, len(rows[0]) - 1))] = data.draw(CELLS)
        if data.draw(st.booleans()):  # one more column, possibly a duplicate name
            rows[0].append(data.draw(st.one_of(CELLS, st.sampled_from(rows[0]))))
            rows[1].append(data.draw(CELLS))
        study.write_rows(file, rows)
        _validates_cleanly(study, (file, rows[0]))

    check()


def test_any_encoding_splice_or_truncation_of_a_source_never_crashes_validate(study,
                                                                              formats):
    text = formats["patients.csv"].decode("utf-8").replace("middle", "中段 middle")

    @fuzz_settings(40)
    @given(fmt=st.sampled_from(FORMATS[:-1]), written=st.sampled_from(CODECS),
           read=st.sampled_from([None, *CODECS]), cut=st.one_of(st.just(1.0), st.floats(0, 1)),
           splice=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.text(max_size=8))))
    def check(fmt, written, read, cut, splice):
        _restore(study)
        (study.folder / "patients.csv").unlink()
        if fmt == "csv":
            data = text.encode(written, errors="replace")
            if splice is not None:
                at = int(len(data) * splice[0])
                data = data[:at] + splice[1].encode("utf-8") + data[at:]
        else:
            data = formats[f"patients.{fmt}"]
        (study.folder / f"patients.{fmt}").write_bytes(data[:int(len(data) * cut)])

        def point(spec):
            spec["sources"]["patients"]["file"] = f"patients.{fmt}"
            if read is not None and fmt == "csv":
                spec["sources"]["patients"]["encoding"] = read

        study.edit_spec(point)
        _validates_cleanly(study, (fmt, written, read, cut, splice))

    check()


def test_a_subgroup_cut_from_a_missing_column_is_a_spec_problem(study):
    """Found by the fuzzer: renaming ``n_metastatic_sites`` crashed validate (KeyError)."""
    _restore(study)
    rows = study.rows("patients.csv")
    rows[0][rows[0].index("n_metastatic_sites")] = "sites"
    study.write_rows("patients.csv", rows)
    outcome = study.validate()
    assert outcome.code == 2 and "Traceback" not in outcome.output
    assert "derive.from: 'n_metastatic_sites' (to derive subgroup 'sites_group' from) is " \
           "not a column of the patients table" in outcome.output
