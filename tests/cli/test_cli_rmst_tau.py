"""An RMST tau beyond the follow-up is a user error naming the largest usable tau (exit 2,
nothing written, no traceback)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from rich.console import Console

from oncocohort.cli import ExitStatus, main
from oncocohort.study.demo import demo_spec_path

EXAMPLE = Path(__file__).parents[2] / "examples" / "escc-competing-risks" / "study.yaml"


def run(argv: list[str]) -> tuple[int, str]:
    buf = io.StringIO()
    code = main(argv, console=Console(file=buf, width=300, color_system=None))
    return code, buf.getvalue()


def test_tau_beyond_follow_up_names_the_largest_usable_tau(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(demo_spec_path().parent, folder)  # the demo's data files
    spec = folder / "study.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace("../../src/oncocohort/data/demo/", "")
    assert text.count("rmst: {tau: 12}") == 3  # OS, PFS and TTP (time lost to progression)
    spec.write_text(text.replace("rmst: {tau: 12}", "rmst: {tau: 120}"), encoding="utf-8")
    for argv in (["validate", str(spec)], ["run", str(spec), "--out", str(tmp_path / "out")]):
        code, out = run(argv)
        assert code == ExitStatus.INPUT and "Traceback" not in out, out
        # both endpoints reported together, each at its YAML path, with the largest usable tau
        for name in ("os", "pfs", "ttp"):
            assert f"endpoints.{name}.rmst.tau" in out, out
            assert f"rmst tau = 120 months is beyond the follow-up of endpoint '{name}'" in out
        assert out.count("the largest usable tau is") == 3
    assert not (tmp_path / "out").exists()
