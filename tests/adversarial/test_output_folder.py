"""Item 1: the output folder never destroys anything the user made.

``--out`` is written as a new folder, or replaces an existing one only if it is empty or holds
an earlier run's outputs unchanged (its manifest, ``.oncocohort-output``, lists every file with
its SHA-256). Anything else is exit 2 before the analysis starts, with what to do, and nothing
touched. The cases are built from the demo study at test time.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from adversarial._study import DEMO, assert_user_error, run_cli
from oncocohort.write.ownership import MARKER


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _analysis_started(outcome) -> bool:
    """Did the run load the study? (its problems or its outputs would be printed)"""
    return "Outputs written" in outcome.output or "warning" in outcome.output


@pytest.fixture(scope="module")
def earlier_run(tmp_path_factory):
    """A folder written by an earlier ``oncocohort demo`` (to copy and tamper with)."""
    out = tmp_path_factory.mktemp("earlier") / "results"
    outcome = run_cli(["demo", "--out", out])
    assert outcome.code == 0, outcome.output
    return out


def test_a_folder_holding_the_users_thesis_is_left_as_it_is(demo, tmp_path):
    mywork = tmp_path / "mywork"
    mywork.mkdir()
    (mywork / "thesis.txt").write_text("three years of work", encoding="utf-8")
    outcome = demo.run(mywork)
    assert_user_error(outcome, str(mywork), "thesis.txt", "Name a new folder")
    assert not _analysis_started(outcome)
    assert _snapshot(mywork) == {"thesis.txt": b"three years of work"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mywork", "study"]


def test_the_study_folder_is_never_the_output(demo):
    before = _snapshot(demo.folder)
    outcome = demo.run(demo.folder)
    assert_user_error(outcome, "study.yaml")
    assert _snapshot(demo.folder) == before


def test_the_study_folder_of_a_simulated_cohort_is_never_the_output(tmp_path):
    """A simulated cohort's folder is oncocohort's own (it has a manifest), and holds the
    study's spec: still refused."""
    sim = tmp_path / "sim"
    assert run_cli(["simulate", "escc", "--patients", "50", "--out", sim,
                    "--no-progress"]).code == 0
    before = _snapshot(sim)
    assert_user_error(run_cli(["run", sim / "study.yaml", "--out", sim]), "study.yaml")
    assert _snapshot(sim) == before


def test_out_dot_is_refused_without_touching_anything(demo, monkeypatch):
    monkeypatch.chdir(demo.folder)
    before = _snapshot(demo.folder)
    outcome = run_cli(["run", "study.yaml", "--out", "."])
    assert_user_error(outcome, "current folder")
    assert _snapshot(demo.folder) == before
    outcome = run_cli(["demo", "--out", ".."])  # a folder holding the working folder
    assert_user_error(outcome, "current folder")
    assert _snapshot(demo.folder) == before


def test_an_existing_file_is_left_untouched(demo, tmp_path):
    target = tmp_path / "results"
    target.write_bytes(b"my notes")
    outcome = demo.run(target)
    assert_user_error(outcome, "existing file")
    assert not _analysis_started(outcome)
    assert target.read_bytes() == b"my notes"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results", "study"]


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_an_unwritable_out_is_reported_before_the_analysis(demo, tmp_path, where):
    """Root-proof cases: a path under a regular file, a folder under /proc."""
    if where == "under_a_file":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        out = tmp_path / "file" / "results"
    else:
        out = Path("/proc") / "oncocohort-results"
    outcome = demo.run(out)
    assert_user_error(outcome, "cannot write")
    assert not _analysis_started(outcome)
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x" if where == "under_a_file" \
        else not out.exists()


def test_a_read_only_folder_is_reported_before_the_analysis(demo, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(locked, os.W_OK) and _can_write(locked):
            pytest.skip("this user can write in a read-only folder (root)")
        outcome = demo.run(locked / "results")
        assert_user_error(outcome, "not writable")
        assert not _analysis_started(outcome)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(stat.S_IRWXU)


@pytest.mark.parametrize("command", ["run", "init"])
def test_a_read_only_folder_is_reported_even_to_root(demo, tmp_path, monkeypatch, command):
    """The case above where root can write anywhere (CI runs as root): the folder refuses
    the probe as a read-only mount would, and nothing is started."""
    import errno

    import oncocohort.propose.workbook as workbook
    import oncocohort.study.load as load
    import oncocohort.write.ownership as ownership

    locked = tmp_path / "locked"
    locked.mkdir()
    probe = ownership._probe

    def read_only(folder: Path) -> None:
        if Path(folder).resolve() == locked.resolve():
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
        probe(folder)

    def started(*args, **kwargs):
        raise AssertionError("the work started before the --out was refused")

    monkeypatch.setattr(ownership, "_probe", read_only)
    monkeypatch.setattr(load, "load_study", started)
    monkeypatch.setattr(workbook, "init_spec", started)
    if command == "run":
        outcome = demo.run(locked / "results")
    else:
        outcome = run_cli(["init", DEMO / "hospital.xlsx", "--out", locked / "s.yaml"])
    assert_user_error(outcome, str(locked), "not writable", "Permission denied")
    assert list(locked.iterdir()) == []


def _can_write(folder: Path) -> bool:
    try:
        (folder / "probe").mkdir()
    except OSError:
        return False
    (folder / "probe").rmdir()
    return True


def test_an_empty_folder_becomes_the_output(demo, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    outcome = demo.run(empty)
    assert outcome.code == 0, outcome.output
    assert (empty / "report.html").is_file()


def test_an_earlier_output_is_replaced_and_carries_a_manifest(earlier_run, tmp_path):
    import shutil

    out = tmp_path / "results"
    shutil.copytree(earlier_run, out)
    (out / "report.html").unlink()  # a file of ours deleted: still ours
    manifest = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert manifest["written_by"] == "oncocohort" and "report.html" in manifest["files"]
    assert manifest["files"]["results/ard.csv"] and "figures" in manifest["folders"]
    outcome = run_cli(["demo", "--out", out])
    assert outcome.code == 0, outcome.output
    assert (out / "report.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]  # no .old or .tmp left


@pytest.mark.parametrize("change", ["added_file", "edited_file", "added_folder",
                                    "no_manifest", "forged_manifest"])
def test_an_earlier_output_the_user_changed_is_left_as_it_is(earlier_run, tmp_path, change):
    import shutil

    out = tmp_path / "results"
    shutil.copytree(earlier_run, out)
    if change == "added_file":
        (out / "tables" / "my-notes.txt").write_text("notes", encoding="utf-8")
        expected = "tables/my-notes.txt"
    elif change == "edited_file":
        (out / "results" / "summary.txt").write_text("my edited summary", encoding="utf-8")
        expected = "results/summary.txt"
    elif change == "added_folder":
        (out / "drafts").mkdir()
        expected = "drafts/"
    elif change == "no_manifest":
        (out / MARKER).unlink()
        expected = "report.html"
    else:
        (out / MARKER).write_text('{"written_by": "someone else"}', encoding="utf-8")
        expected = "report.html"
    before = _snapshot(out)
    outcome = run_cli(["demo", "--out", out])
    assert_user_error(outcome, expected, "move those files elsewhere")
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]


def test_simulate_refuses_what_it_cannot_replace(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "data.csv").write_text("a\n1\n", encoding="utf-8")
    outcome = run_cli(["simulate", "escc", "--out", mine, "--no-progress"])
    assert_user_error(outcome, "data.csv")
    db = tmp_path / "cdm.duckdb"
    db.write_bytes(b"my database")
    outcome = run_cli(["simulate", "omop", "--persons", "300", "--out", db, "--no-progress"])
    assert_user_error(outcome, "exists")
    assert db.read_bytes() == b"my database"
    outcome = run_cli(["simulate", "omop", "--persons", "300", "--out", mine, "--no-progress"])
    assert_user_error(outcome, "is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdm.duckdb", "mine"]


def test_the_temporary_folder_is_private_until_it_is_in_place(tmp_path):
    from oncocohort.write.folder import atomic_output_dir

    umask = os.umask(0o022)
    try:
        with atomic_output_dir(tmp_path / "out") as tmp:
            assert tmp.stat().st_mode & 0o777 == 0o700
            (tmp / "patients.csv").write_text("id\n1\n", encoding="utf-8")
    finally:
        os.umask(umask)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755


def test_stale_temporaries_of_a_dead_run_are_removed_and_nothing_else(tmp_path):
    """What ``kill -9`` leaves: ours (marker, dead pid) go; a live run's, a look-alike of the
    user's and another output's stay."""
    import subprocess
    import sys

    from oncocohort.write.folder import atomic_output_dir
    from oncocohort.write.ownership import write_manifest, write_marker

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    live_pid = os.getpid()

    def folder(name: str, marker) -> Path:
        path = tmp_path / name
        path.mkdir()
        (path / "datasets.csv").write_text("id\n1\n", encoding="utf-8")
        if marker:
            marker(path)
        return path

    def forged_marker(pid: int):
        def write(path: Path) -> None:
            write_marker(path)
            data = json.loads((path / MARKER).read_text(encoding="utf-8"))
            data["pid"] = pid
            (path / MARKER).write_text(json.dumps(data), encoding="utf-8")
        return write

    gone = [folder(f".out.tmp-{dead_pid}-abc", forged_marker(dead_pid)),
            folder(f".out.old-{dead_pid}", write_manifest)]
    kept = [folder(f".out.tmp-{live_pid}-abc", forged_marker(live_pid)),  # still writing
            folder(f".out.tmp-{dead_pid}-mine", None),  # no marker: the user's
            folder(f".out.old-{dead_pid}x", write_manifest),  # not our name
            folder(f".other.tmp-{dead_pid}-abc", forged_marker(dead_pid))]  # another output
    edited = folder(f".out.old-{dead_pid}0", write_manifest)
    (edited / "datasets.csv").write_text("edited\n", encoding="utf-8")  # changed: the user's
    kept.append(edited)
    with atomic_output_dir(tmp_path / "out") as tmp:
        (tmp / "a.txt").write_text("a", encoding="utf-8")
    assert not [p for p in gone if p.exists()]
    assert all(p.exists() for p in kept)


def test_the_data_a_study_reads_are_never_the_output(tmp_path, monkeypatch):
    """A simulated cohort's folder (oncocohort's own: it has a manifest) read by a spec kept
    elsewhere (``../simx/*.csv``): ``run --out simx`` deleted the input CSVs, exit 0."""
    import oncocohort.study.load as load

    monkeypatch.chdir(tmp_path)
    assert run_cli(["simulate", "escc", "--patients", "50", "--out", "simx",
                    "--no-progress"]).code == 0
    Path("spec").mkdir()
    text = Path("simx/study.yaml").read_text(encoding="utf-8")
    assert "{file: patients.csv}" in text
    Path("spec/study.yaml").write_text(text.replace("{file: ", "{file: ../simx/"),
                                       encoding="utf-8")
    before = _snapshot(Path("simx"))

    def loaded(*args, **kwargs):
        raise AssertionError("the study was loaded before its --out was refused")

    monkeypatch.setattr(load, "load_study", loaded)
    outcome = run_cli(["run", "spec/study.yaml", "--out", "simx"])
    assert_user_error(outcome, "simx", "patients.csv", "Name a new folder")
    assert _snapshot(Path("simx")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["simx", "spec"]


def test_a_published_arm_and_a_database_file_are_never_the_output(tmp_path):
    """The other files a spec reads: a published arm's CSVs (comparisons.external) and the
    DuckDB file of an OMOP spec, named in the spec or with --database. Each folder carries
    an output manifest, as if oncocohort had written it: only the inputs protect it."""
    import shutil

    from oncocohort.study.demo import demo_spec_path
    from oncocohort.write.ownership import write_manifest

    example = Path(__file__).parents[2] / "examples" / "escc-comparisons"
    study = tmp_path / "comparisons"
    shutil.copytree(example, study)
    spec = study / "study.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("../../src/oncocohort/data/demo",
                                                             str(DEMO)), encoding="utf-8")
    write_manifest(study / "published")
    before = _snapshot(study / "published")
    outcome = run_cli(["run", study / "study.yaml", "--out", study / "published"])
    assert_user_error(outcome, "study's own files", "os_curve.csv")
    assert _snapshot(study / "published") == before

    db = tmp_path / "db"
    db.mkdir()
    (db / "omop.duckdb").write_bytes(b"the hospital's database")
    write_manifest(db)
    spec = tmp_path / "spec" / "study.yaml"
    spec.parent.mkdir()
    spec.write_text(demo_spec_path(omop=True).read_text(encoding="utf-8")
                    .replace("url: omop.duckdb", "url: ../db/omop.duckdb"), encoding="utf-8")
    outcome = run_cli(["run", spec, "--out", db])
    assert_user_error(outcome, "study's own files", "omop.duckdb")
    outcome = run_cli(["run", demo_spec_path(omop=True), "--database", db / "omop.duckdb",
                       "--out", db])
    assert_user_error(outcome, "study's own files", "omop.duckdb")
    assert _snapshot(db)["omop.duckdb"] == b"the hospital's database"
