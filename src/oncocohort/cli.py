"""The command-line interface: options declared in one place, ``main(argv) -> exit code``.

The CLI only wires the stages together (spec -> sources -> model -> cohort -> derive ->
analysis -> report). User errors are printed as a list of problems with exit code 2 and no
traceback; nothing is written when the input has errors. Anything else that goes wrong is a bug:
exit code 1, one line saying so and naming a log file that holds the traceback (printed too with
``--debug``); Ctrl-C exits with 130 and SIGTERM with 143, leaving nothing behind. Text that comes from the user (file names, column names,
codes, labels) is escaped before it reaches the console, so ``[red]`` in a cell is printed as
written, never read as console markup.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import os
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from enum import IntEnum
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from oncocohort import __version__
from oncocohort.problems import InputError, Problems
from oncocohort.study.demo import DEMO_PERSONS, DEMO_SCREENED, demo_spec_path
from oncocohort.write.interrupt import (
    Interrupted,
    ignore_interrupts,
    install_interrupt_handlers,
    last_output,
    stop_interrupting,
)

# The commands import the study and writing layers when they run, not here: they bring in
# scipy, matplotlib and the database drivers (seconds), which --help and a usage error do not
# need. (Not an import cycle: the layers never import the CLI; tests/test_layers.py.)

__all__ = ["ExitStatus", "build_parser", "main", "run_main"]


class ExitStatus(IntEnum):
    OK = 0
    INTERNAL = 1
    INPUT = 2
    INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
    TERMINATED = 143  # 128 + SIGTERM (a scheduler's time limit, kill)


DESCRIPTION = """\
Real-world oncology outcome studies, reproducibly: from patient-level records to cohort,
response, survival, subgroup and safety analyses and a report, in one command."""

EPILOG = """\
exit codes: 0 success; 2 the input has errors (all of them are listed, nothing is written);
1 an unexpected internal error (a bug: the message names a log file with the details;
--debug prints them); 130 interrupted (Ctrl-C), 143 terminated (SIGTERM): nothing is written.

examples:
  oncocohort init hospital.xlsx --out study.yaml   # propose a study spec from a workbook
  oncocohort app                               # the same in the browser (local web app)
  oncocohort demo                              # the bundled synthetic cohort, end to end
  oncocohort demo --from-database              # the same study found in a synthetic OMOP CDM
  oncocohort validate study.yaml               # check a study's spec and data, write nothing
  oncocohort run study.yaml --out results/     # the whole analysis into results/
  oncocohort run study-omop.yaml --database postgres://me@host/cdm --out results/
  oncocohort simulate escc --patients 100000 --out big/   # a synthetic cohort of any size
  oncocohort simulate omop --persons 1000000 --out cdm.duckdb   # a synthetic OMOP database
"""


def _database_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database", metavar="URL", default=None,
                   help="for a spec with database/omop blocks: the OMOP CDM to read instead of "
                   "database.url (a .duckdb file, postgres://user@host/db, or pyspark)")


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of the CLI, declared in one place."""
    parser = argparse.ArgumentParser(
        prog="oncocohort",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"oncocohort {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the traceback (it is always written "
                        "to a log file whose name is printed)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "init",
        help="propose a commented study spec from a workbook (one row per patient)",
        description="Read one sheet of a workbook (xlsx, csv, sav, dta, sas7bdat...), propose "
        "the role of every column from its header (English and Chinese clinical terms) and "
        "its cells, and write a commented study spec: the mappings it is sure of, every "
        "guess with its evidence, a TODO for what it cannot decide, the direct identifiers "
        "it left out, and a starting analysis. `validate` then lists the TODOs still open.",
    )
    p.add_argument("workbook", type=Path, help="the workbook or table file")
    p.add_argument("--sheet", default=None, help="the sheet to read (default: the first)")
    p.add_argument("--out", type=Path, default=Path("study.yaml"),
                   help="the spec to write (default: ./study.yaml); never overwritten "
                   "without --force")
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.add_argument("--lang", choices=["en", "zh"], default="en",
                   help="language of the spec's comments and of this summary (default en)")

    p = sub.add_parser(
        "app",
        help="the local web app: from a workbook to a study spec in the browser",
        description="Serve the web app on this computer (127.0.0.1 by default) and print its "
        "address, which carries a random access token. Uploaded files stay in a private "
        "temporary folder (0700), deleted when the session ends or the app stops (Ctrl+C).",
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=0,
                   help="port to listen on (default: a free one)")
    p.add_argument("--max-upload-mb", type=int, default=50,
                   help="largest workbook accepted, in MiB (default 50)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")

    p = sub.add_parser(
        "validate",
        help="check a study spec and its data; list every problem; write nothing",
        description="Load the study spec and every source it names, type and check the data, "
        "and list all problems found (file, sheet, row, column). Exit code 2 on errors.",
    )
    p.add_argument("study", type=Path, help="the study YAML file")
    _database_option(p)

    p = sub.add_parser(
        "run",
        help="run the study's analysis into an output folder",
        description="Validate, then run the study's analysis and write the outputs into "
        "--out (written to a temporary folder and moved into place when complete).",
    )
    p.add_argument("study", type=Path, help="the study YAML file")
    p.add_argument("--out", type=Path, required=True,
                   help="output folder: new, empty, or an earlier run's outputs unchanged "
                   "(anything else is refused and left as it is)")
    _database_option(p)

    p = sub.add_parser(
        "demo",
        help="run the bundled synthetic ESCC cohort end to end",
        description="Run the bundled synthetic demo study (calibrated to a published ESCC "
        "cohort; the data are synthetic) into --out. With --from-database the same study is "
        "found in a synthetic hospital OMOP CDM database (DuckDB, written to a temporary "
        "folder): the cohort is selected in the database, then analysed as usual.",
    )
    p.add_argument("--out", type=Path, default=Path("oncocohort-demo"),
                   help="output folder (default: ./oncocohort-demo): new, empty, or an "
                   "earlier run's outputs unchanged")
    p.add_argument("--from-database", action="store_true",
                   help="select the cohort in a synthetic OMOP CDM database instead of reading "
                   "the bundled CSV files")
    p.add_argument("--persons", type=int, default=DEMO_PERSONS,
                   help=f"with --from-database: persons in the synthetic database (default "
                   f"{DEMO_PERSONS}; the demo's 231 screened patients among others)")

    p = sub.add_parser(
        "simulate",
        help="write a synthetic cohort's raw tables, or a synthetic OMOP database",
        description="Write the raw canonical tables of a synthetic cohort (deterministic from "
        "the seed). 'escc' mirrors the demo study at any size, streamed in chunks.",
    )
    p.add_argument("kind", choices=["escc", "omop"],
                   help="escc: the raw canonical tables (CSV) of the demo-like cohort; omop: a "
                   "synthetic hospital OMOP CDM v5.4 database (DuckDB file) that contains the "
                   "demo's 231 screened patients")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the demo's)")
    p.add_argument("--patients", type=int, default=None,
                   help="escc: number of screened patients (default: the demo's 231)")
    p.add_argument("--persons", type=int, default=10_000,
                   help="omop: number of persons in the database (default 10000)")
    p.add_argument("--episodes", action="store_true",
                   help="omop: also fill episode/episode_event with one treatment episode per "
                   "line of therapy (OMOP oncology extension)")
    p.add_argument("--out", type=Path, required=True,
                   help="escc: output folder; omop: the .duckdb file to write")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    for command in sub.choices.values():  # also accepted after the command
        command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                             help="on an internal error, print the traceback")
    return parser


def _print_problems(console: Console, problems: Problems) -> None:
    errors, warnings = problems.errors, problems.warnings
    if errors:
        console.print(f"[bold red]{len(errors)} error{'s' if len(errors) != 1 else ''}[/]")
        for p in errors:
            console.print(f"  [red]error[/]   {escape(str(p))}", highlight=False, soft_wrap=True)
    if warnings:
        console.print(f"[bold yellow]{len(warnings)} warning{'s' if len(warnings) != 1 else ''}[/]")
        for p in warnings:
            console.print(f"  [yellow]warning[/] {escape(str(p))}", highlight=False,
                          soft_wrap=True)


def _print_text(console: Console, text: str) -> None:
    """Plain text that may hold user-supplied names: never read as markup."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _cmd_validate(args: argparse.Namespace, console: Console) -> int:
    from oncocohort.study.load import load_study
    from oncocohort.study.run import check_study

    loaded = load_study(args.study, database_url=args.database)
    _print_problems(console, loaded.problems)
    if not loaded.problems.ok:
        console.print("[red]The input has errors; nothing was run or written.[/]")
        return ExitStatus.INPUT
    summary = loaded.data.summary()[["table", "rows", "subjects"]]
    _print_text(console, summary.to_string(index=False))
    selection = check_study(loaded)  # rules, variables and derivations: what run checks
    attrition = selection.attrition[["kind", "rule", "n_excluded", "n_remaining"]]
    where = f" (in the OMOP CDM, {loaded.engine})" if loaded.engine else ""
    _print_text(console, f"\nCohort selection{where}:")
    _print_text(console, attrition.to_string(index=False))
    if loaded.lines_source:
        _print_text(console, f"Lines of therapy from: {loaded.lines_source}")
    console.print("[green]No errors.[/]")
    return ExitStatus.OK


def _refused(console: Console, problems: Problems) -> bool:
    """Print why an output cannot be written where asked (checked before any work)."""
    if not len(problems):
        return False
    _print_problems(console, problems)
    console.print("[red]Nothing was run or written.[/]")
    return True


def _run_and_write(study: Path, out: Path, console: Console,
                   database: str | None = None) -> int:
    from oncocohort.report.figure_workers import FigureWorkers
    from oncocohort.study.load import input_paths, load_study, read_options
    from oncocohort.study.run import run_study
    from oncocohort.write.figure_job import submit_figures
    from oncocohort.write.ownership import check_output_folder

    gc.freeze()  # what the imports made lives as long as the process: no collection walks it
    try:
        options = read_options(study)  # the spec, read once
    except InputError:
        options = None  # load_study says what is wrong with it
    inputs = input_paths(study, database_url=database, options=options)  # never in --out
    if _refused(console, check_output_folder(out, keep=inputs)):
        return ExitStatus.INPUT
    # the figure workers load matplotlib while this process loads and analyses the study
    with FigureWorkers.started() as figures:
        with _no_cycle_collection():
            loaded = load_study(study, database_url=database, options=options)
            _print_problems(console, loaded.problems)
            if not loaded.problems.ok:
                console.print("[red]The input has errors; nothing was run or written.[/]")
                return ExitStatus.INPUT
            results = run_study(loaded)
            submit_figures(figures, results.analysis, results.options.report)
        # the report's renderers load while the workers draw
        from oncocohort.write.study import write_study_outputs

        with last_output():  # once the folder is in place, a late Ctrl-C no longer undoes it
            written = write_study_outputs(results, out, keep=inputs, figures=figures)
    console.print(f"Outputs written to [bold]{escape(str(written))}[/]", soft_wrap=True)
    for name in ("report.html", "report.docx"):
        if (written / name).is_file():
            _print_text(console, f"  {name}: {written / name}")
    return ExitStatus.OK


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """No garbage collection while the study is loaded and analysed, until it is given to
    the figure workers: what that makes is mostly frames and arrays freed by their reference
    counts, and the collector's passes over it were an eighth of the demo's loading and
    analysing (0.08 s). Collected again as usual afterwards."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _cmd_run(args: argparse.Namespace, console: Console) -> int:
    return _run_and_write(args.study, args.out, console, args.database)


def _too_few_persons(persons: int, console: Console) -> bool:
    """A synthetic OMOP database holds the demo's screened patients: say so when too small."""
    if persons >= DEMO_SCREENED:
        return False
    console.print(f"[red]--persons must be at least {DEMO_SCREENED} (the demo's screened "
                  "patients are in every synthetic OMOP database).[/]")
    return True


def _cmd_demo(args: argparse.Namespace, console: Console) -> int:
    console.print("oncocohort demo: a synthetic cohort calibrated to a published study "
                  "(the data are synthetic).")
    if not args.from_database:
        return _run_and_write(demo_spec_path(), args.out, console)
    from oncocohort.write.ownership import check_output_folder
    from oncocohort.write.synthetic import write_simulated_omop

    if _too_few_persons(args.persons, console):
        return ExitStatus.INPUT
    if _refused(console, check_output_folder(args.out)):
        return ExitStatus.INPUT
    with tempfile.TemporaryDirectory(prefix="oncocohort-omop-") as tmp:
        db = write_simulated_omop(Path(tmp) / "omop.duckdb", persons=args.persons,
                                  progress=False)
        console.print(f"Synthetic OMOP CDM database of {args.persons} persons written to a "
                      "temporary folder; selecting the cohort in it.")
        return _run_and_write(demo_spec_path(omop=True), args.out, console, str(db))


def _cmd_simulate(args: argparse.Namespace, console: Console) -> int:
    from oncocohort.write.ownership import check_output_file, check_output_folder
    from oncocohort.write.synthetic import write_simulated_escc, write_simulated_omop

    if args.kind == "omop" and _too_few_persons(args.persons, console):
        return ExitStatus.INPUT
    if args.kind == "escc" and args.patients is not None and args.patients < 1:
        console.print("[red]--patients must be at least 1.[/]")
        return ExitStatus.INPUT
    check = check_output_file if args.kind == "omop" else check_output_folder
    if _refused(console, check(args.out)):
        return ExitStatus.INPUT
    if args.kind == "omop":
        with last_output():
            out = write_simulated_omop(args.out, persons=args.persons, seed=args.seed,
                                       episodes=args.episodes, progress=not args.no_progress)
        console.print(f"Synthetic OMOP CDM database written to [bold]{escape(str(out))}[/]")
        return ExitStatus.OK
    with last_output():
        out = write_simulated_escc(
            args.out, seed=args.seed, n_patients=args.patients, progress=not args.no_progress
        )
    console.print(f"Synthetic tables written to [bold]{escape(str(out))}[/]")
    return ExitStatus.OK


def _cmd_init(args: argparse.Namespace, console: Console) -> int:
    from oncocohort.propose.summary import summary_lines
    from oncocohort.propose.workbook import init_spec
    from oncocohort.write.folder import write_text_file
    from oncocohort.write.ownership import check_output_file

    out = args.out
    if not out.is_dir() and (out.exists() or out.is_symlink()) and not args.force:
        console.print(f"[red]{escape(str(out))} exists; choose another --out, or --force to "
                      "overwrite it.[/]", soft_wrap=True)
        return ExitStatus.INPUT
    if not out.is_dir() and not out.parent.is_dir():
        console.print(f"[red]The folder of --out does not exist: {escape(str(out.parent))}[/]",
                      soft_wrap=True)
        return ExitStatus.INPUT
    if _refused(console, check_output_file(out, replace=True)):  # a folder, or unwritable
        return ExitStatus.INPUT
    proposal, spec = init_spec(args.workbook, args.out, sheet=args.sheet, lang=args.lang)
    with last_output():
        write_text_file(args.out, spec.text)
    for line in summary_lines(proposal, spec, str(args.out), lang=args.lang):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    return ExitStatus.OK


def _cmd_app(args: argparse.Namespace, console: Console) -> int:
    from oncocohort.app.config import AppConfig
    from oncocohort.app.server import free_port, serve

    if args.max_upload_mb < 1:
        console.print("[red]--max-upload-mb must be at least 1.[/]")
        return ExitStatus.INPUT
    port = args.port or free_port(args.host)
    config = AppConfig(host=args.host, port=port,
                       max_upload_bytes=args.max_upload_mb * 1024 * 1024)
    serve(config, open_browser=not args.no_browser,
          say=lambda line: console.print(line, highlight=False, markup=False, soft_wrap=True))
    return ExitStatus.OK


COMMANDS = {
    "init": _cmd_init,
    "app": _cmd_app,
    "validate": _cmd_validate,
    "run": _cmd_run,
    "demo": _cmd_demo,
    "simulate": _cmd_simulate,
}


def _report_bug(console: Console, exc: BaseException, debug: bool) -> int:
    """An unexpected exception: one line for the user, the traceback in a private log file.

    The line names the exception type only (its message may hold values from the data); the
    log file (mode 0600, in the system's temporary folder) holds the whole traceback.
    """
    import tempfile
    import traceback

    text = "".join(traceback.format_exception(exc))
    log = None
    try:
        fd, name = tempfile.mkstemp(prefix="oncocohort-error-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"oncocohort {__version__}\n{text}")
        log = name
    except OSError:
        debug = True  # nowhere to keep it: show it
    where = f"; the details are in {log}" if log else ""
    _print_text(console, f"oncocohort: internal error ({type(exc).__name__}). This is a bug in "
                f"oncocohort, not a problem with your input; please report it{where}.")
    if debug:
        _print_text(console, text.rstrip())
    return ExitStatus.INTERNAL


def _interrupted(console: Console, exc: BaseException) -> int:
    code = exc.exit_code if isinstance(exc, Interrupted) else ExitStatus.INTERRUPTED
    what = "terminated" if code == ExitStatus.TERMINATED else "interrupted"
    _print_text(console, f"{what}; nothing was written")
    return code


def main(argv: Sequence[str] | None = None, *, console: Console | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    console = console or Console(highlight=False)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return int(exc.code or 0)
    try:
        return int(COMMANDS[args.command](args, console))
    except InputError as exc:
        _print_problems(console, exc.problems)
        console.print("[red]The input has errors; nothing was run or written.[/]")
        return ExitStatus.INPUT
    except (KeyboardInterrupt, Interrupted) as exc:
        stop_interrupting()  # a second Ctrl-C does not cut this message short
        return _interrupted(console, exc)
    except Exception as exc:  # noqa: BLE001 - the last resort: a bug, said as one
        return _report_bug(console, exc, args.debug)


#: numpy's linear algebra (BLAS) on one thread, unless the environment says otherwise: a run
#: has its own processes on the cores (the figure workers), the Cox fits' small matrices
#: spend more on synchronising threads than they gain (0.2 s instead of 1.9 s of CPU for the
#: 84 fits of the 100,000-patient screen), and the sums of a multi-threaded BLAS, split by
#: the number of cores, change in their last digits from one machine to the next.
_ONE_BLAS_THREAD = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_main() -> None:
    """Console-script entry point.

    Python warnings (numpy, pandas, matplotlib) are not shown to users unless asked for with
    ``python -W``: problems in the input are reported as problems, never as warnings. numpy
    is not imported yet: its BLAS runs on one thread (:data:`_ONE_BLAS_THREAD`).
    """
    for name in _ONE_BLAS_THREAD:
        os.environ.setdefault(name, "1")
    install_interrupt_handlers()  # Ctrl-C and SIGTERM stop the run and leave nothing
    if not sys.warnoptions:
        import warnings

        warnings.simplefilter("ignore")
    try:
        code = main()
    except Interrupted as exc:  # before main() could report it, or a second signal
        ignore_interrupts()
        code = exc.exit_code
        print("interrupted; nothing was written", file=sys.stderr)
    ignore_interrupts()  # the work is done: exit with its code
    _exit(code)


def _exit(code: int) -> None:
    """End the process with ``code`` as Python's exit does, but for tearing the interpreter
    down: the exit handlers run (the app's session folders, multiprocessing's, logging's,
    pending finalizers), the standard streams are flushed, and then the process ends without
    deallocating every module's objects one by one (0.1 s after a report, a thirtieth of the
    demo; the system frees the memory at once). Every file the run wrote is closed by then.
    While a thread that is not a daemon still runs (none of the package's: a library's
    executor, say), Python's own exit waits for it, as it would."""
    if any(t.is_alive() and not t.daemon and t is not threading.main_thread()
           for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``) or stream: nothing to add
            pass
    os._exit(code)
