"""Write a study's results into an output folder (atomically)."""

from __future__ import annotations

from pathlib import Path

from oncocohort.report.output import atomic_output_dir, render_frame_csv

__all__ = ["write_outputs", "render_problems"]


def render_problems(problems, path: Path) -> Path:
    """The validation report as plain text: one line per problem, errors first."""
    lines = [f"error: {p}" for p in problems.errors] + [f"warning: {p}" for p in problems.warnings]
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return path


def write_outputs(results, out: Path) -> Path:
    """Write every dataset of ``results`` (CSV and Parquet) and the validation report."""
    out = Path(out)
    with atomic_output_dir(out) as tmp:
        render_problems(results.problems, tmp / "validation.txt")
        data_dir = tmp / "datasets"
        data_dir.mkdir()
        for name, frame in sorted(results.datasets.items()):
            render_frame_csv(frame, data_dir / f"{name}.csv")
            frame.to_parquet(data_dir / f"{name}.parquet", index=False)
    return out.resolve()
