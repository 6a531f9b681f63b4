"""The CLI end to end, in-process: simulate -> run, and the demo."""

from __future__ import annotations

import io
import json

import pandas as pd
from rich.console import Console

from oncocohort.cli import ExitStatus, main


def run(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=300, color_system=None))
    return code, buf.getvalue()


def test_simulate_then_run(tmp_path):
    sim = tmp_path / "sim"
    code, out = run(["simulate", "escc", "--patients", "300", "--seed", "7", "--out", str(sim),
                     "--no-progress"])
    assert code == ExitStatus.OK, out
    assert {p.name for p in sim.iterdir()} == {
        "patients.csv", "therapy.csv", "therapy_lines.csv", "lesions.csv",
        "adverse_events.csv", "study.yaml", ".oncocohort-output"}
    assert len(pd.read_csv(sim / "patients.csv")) == 300

    out_dir = tmp_path / "out"
    code, out = run(["run", str(sim / "study.yaml"), "--out", str(out_dir)])
    assert code == ExitStatus.OK, out
    for name in ("report.html", "report.docx", "results/ard.csv", "results/ard.json",
                 "datasets/tte.csv", "datasets/tte.parquet", "validation.txt"):
        assert (out_dir / name).is_file(), name
    attrition = pd.read_csv(out_dir / "datasets" / "attrition.csv")
    assert attrition["n_before"].iloc[0] == 300
    n_selected = int(attrition["n_remaining"].iloc[-1])
    patients = pd.read_csv(out_dir / "datasets" / "patients.csv")
    assert len(patients) == n_selected
    ard = json.loads((out_dir / "results" / "ard.json").read_text(encoding="utf-8"))
    assert len(ard) > 100
    # no temporary folders left next to the output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "sim"]


def test_demo_writes_the_report_and_says_where(tmp_path):
    out_dir = tmp_path / "demo"
    code, out = run(["demo", "--out", str(out_dir)])
    assert code == ExitStatus.OK, out
    assert "synthetic" in out
    assert str(out_dir.resolve()) in out.replace("\n", "")
    assert f"report.html: {(out_dir / 'report.html').resolve()}" in out
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org", "")
    attrition = pd.read_csv(out_dir / "datasets" / "attrition.csv")
    assert attrition["n_remaining"].iloc[-1] == 87
    # the multivariable model's forest plot (OS: ECOG, prior ICI, sites); none for PFS, where
    # prior ICI alone passed the screen (a model of one variable is not an adjusted one)
    figures = {p.name for p in (out_dir / "figures").iterdir()}
    assert "forest_os_multivariable.png" in figures
    assert "forest_pfs_multivariable.png" not in figures and "forest_pfs.png" in figures

    # same input, same outputs: every file byte-identical on a second run (figures, Word too)
    again = tmp_path / "again"
    assert run(["demo", "--out", str(again)])[0] == ExitStatus.OK
    first = {p.relative_to(out_dir): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_simulate_omop_database(tmp_path):
    duckdb = __import__("duckdb")
    path = tmp_path / "cdm.duckdb"
    code, out = run(["simulate", "omop", "--persons", "500", "--out", str(path), "--no-progress"])
    assert code == ExitStatus.OK, out
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.sql("select count(*) from person").fetchone()[0] == 500
    finally:
        con.close()
    assert [p.name for p in tmp_path.iterdir()] == ["cdm.duckdb"]  # no temporary file left


def test_a_cohort_left_empty_is_a_user_error(tmp_path):
    import shutil

    from oncocohort.study.demo import demo_spec_path

    folder = tmp_path / "study"
    shutil.copytree(demo_spec_path().parent, folder)
    spec = folder / "study.yaml"
    text = spec.read_text(encoding="utf-8").replace('rule: "age >= 18"', 'rule: "age >= 180"')
    spec.write_text(text, encoding="utf-8")
    for argv in (["validate", str(spec)], ["run", str(spec), "--out", str(tmp_path / "out")]):
        code, out = run(argv)
        assert code == ExitStatus.INPUT and "Traceback" not in out, out
        assert ("no patient is selected (none left after step 3, rule 'adult': Younger than 18 "
                "years)") in out
    assert not (tmp_path / "out").exists()


def test_a_run_reads_its_spec_once(tmp_path, monkeypatch):
    """The spec's paths (which ``--out`` must not hold) and the study come from one reading;
    no garbage collection while the study is analysed."""
    import gc

    import oncocohort.study.load as load
    import oncocohort.study.run as run_module
    import oncocohort.write.study as write

    read, collecting = [], []
    real = load.load_spec
    monkeypatch.setattr(load, "load_spec", lambda path: read.append(path) or real(path))
    for module, name in ((run_module, "run_study"), (write, "write_study_outputs")):
        def noting(*args, real=getattr(module, name), **kwargs):
            collecting.append(gc.isenabled())
            return real(*args, **kwargs)
        monkeypatch.setattr(module, name, noting)
    code, out = run(["demo", "--out", str(tmp_path / "demo")])
    assert code == ExitStatus.OK, out
    assert len(read) == 1
    # the collector is off while the study is analysed, on again to write it and after
    assert collecting == [False, True] and gc.isenabled()
