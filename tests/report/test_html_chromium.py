"""The HTML report opened in headless Chromium: it renders, every table and figure is in the
rendered DOM, the console stays clean; the screenshot is kept in ``test-artifacts/``.

Chromium is the Debian ``chromium`` package (``.ci/run`` installs it). Without it the test is
skipped on a developer machine and fails on CI (``CI`` set), so CI can never pass by skipping.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from oncocohort.report.assemble import build_report_tables

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def chromium():
    exe = _chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed (apt-get install chromium)")
        pytest.skip("chromium not installed (apt-get install chromium); required on CI")
    return exe


def _run(exe: str, profile: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
           *extra, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def _console_errors(stderr: str) -> list[str]:
    bad = []
    for line in stderr.splitlines():
        if "CONSOLE" in line or "Uncaught" in line or "Failed to load resource" in line:
            bad.append(line)
    return bad


def test_report_renders_in_chromium(chromium, written_report, tmp_path):
    out, results = written_report
    url = (out / "report.html").resolve().as_uri()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-screenshot.png"
    shot.unlink(missing_ok=True)
    r = _run(chromium, tmp_path / "profile-shot", url, f"--screenshot={shot}",
             "--window-size=1280,6000", "--hide-scrollbars")
    assert r.returncode == 0, r.stderr[-2000:]
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a blank page is a few kB
    assert _console_errors(r.stderr) == []

    d = _run(chromium, tmp_path / "profile-dom", url, "--dump-dom")
    assert d.returncode == 0, d.stderr[-2000:]
    dom = d.stdout
    assert _console_errors(d.stderr) == []
    tables = set(re.findall(r'<table class="oc-table" id="table-([A-Za-z0-9_]+)"', dom))
    assert tables == {t.name for t in build_report_tables(results.analysis, results.options)}
    figures = re.findall(r'<figure class="oc-figure" id="figure-([A-Za-z0-9_]+)"[^>]*><svg', dom)
    assert sorted(figures) == sorted(p.stem for p in (out / "figures").glob("*.svg"))
    (ARTIFACTS / "report-dom.html").write_text(dom, encoding="utf-8")


def test_console_error_detection():
    """The stderr filter catches what Chromium logs for a script error (line from a real run)."""
    line = ('[25446:25446:1123/224503.071647:INFO:CONSOLE:1] "Uncaught ReferenceError: '
            'undefinedFn is not defined", source: file:///tmp/bad.html (1)')
    noise = "[1:1:1123/224129.281426:ERROR:dbus/bus.cc:405] Failed to connect to the bus"
    assert _console_errors(f"{noise}\n{line}\n") == [line]


def test_printed_report_keeps_headings_with_their_text(chromium, written_report, tmp_path):
    """The HTML report printed to PDF (A4, the report's print stylesheet): no section heading
    or caption is the last line of a page (orphaned from what it introduces); the pages are
    kept as PNG in ``test-artifacts/report-html/`` for a person to look at."""
    tools = {n: shutil.which(n) for n in ("pdftotext", "pdftoppm")}
    if None in tools.values():
        if os.environ.get("CI"):
            pytest.fail("CI is set but poppler-utils is not installed")
        pytest.skip("poppler-utils not installed (apt-get install poppler-utils)")
    out, _ = written_report
    pdf = tmp_path / "report.pdf"
    r = _run(chromium, tmp_path / "profile-pdf", (out / "report.html").resolve().as_uri(),
             f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert r.returncode == 0 and pdf.exists(), r.stderr[-2000:]
    pages_dir = ARTIFACTS / "report-html"
    shutil.rmtree(pages_dir, ignore_errors=True)
    pages_dir.mkdir(parents=True)
    subprocess.run([tools["pdftoppm"], "-r", "60", "-png", str(pdf), str(pages_dir / "page")],
                   check=True, timeout=300)
    text = subprocess.run([tools["pdftotext"], "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=300).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 3 and len(list(pages_dir.glob("page-*.png"))) == len(pages)
    headings = {"Methods", "Results summary", "Data quality"}
    for i, page in enumerate(pages[:-1]):
        last = [line.strip() for line in page.splitlines() if line.strip()][-1]
        assert last not in headings, f"heading {last!r} alone at the foot of page {i + 1}"
        assert not re.match(r"(Table|Figure) \d+[.:] ", last), (
            f"caption {last!r} at the foot of page {i + 1}")
