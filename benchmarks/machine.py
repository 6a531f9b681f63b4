"""Describe the machine a benchmark ran on: cores, CPU, memory, Python/numpy/BLAS/R versions."""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["describe_machine"]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _openblas_core() -> str | None:
    """The kernel numpy's bundled OpenBLAS picked (threadpoolctl's 'architecture')."""
    import numpy as np

    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for lib in sorted(libs.glob("libscipy_openblas*.so*")):
        try:
            handle = ctypes.CDLL(str(lib))
        except OSError:
            continue
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename"):
            fn = getattr(handle, symbol, None)
            if fn is not None:
                fn.restype = ctypes.c_char_p
                return fn().decode()
    return None


def _r_info() -> dict:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {"r_version": None}
    script = Path(__file__).resolve().parent / "r_bench.R"
    try:
        out = subprocess.run(
            [rscript, str(script), "info"], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    except (subprocess.SubprocessError, OSError) as exc:
        return {"r_version": None, "r_error": str(exc)[:200]}
    info = {}
    for line in out.splitlines():
        if "\t" in line:
            key, value = line.split("\t", 1)
            info[key] = value.strip()
    return info


def describe_machine() -> dict:
    """Return a flat dict describing this machine and the software versions in use."""
    import numpy as np

    info = {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "openblas_core": _openblas_core(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE"),
    }
    for package in ("scipy", "pandas", "oncocohort", "lifelines", "statsmodels"):
        info[package] = _version(package)
    info.update(_r_info())
    return info
