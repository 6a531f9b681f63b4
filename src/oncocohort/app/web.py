"""The web app: Starlette routes over the proposal engine, pages rendered on the server.

Pages: ``/`` (upload), ``/s/<id>`` (the mapping screen of a session, with the analysis form
and the value labels of the code tables), ``/s/<id>/study.yaml`` (the spec to download). Forms post back and are redirected (post/redirect/get), so the app
works without JavaScript; ``static/app.js`` only submits a form when a choice changes.
Every error is a page in the person's language: problems of the file (what ``validate``
would say: file, sheet, row, column) or, for a fault of the app itself, a short apology with
no traceback (the traceback goes to the terminal).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from oncocohort.app.analysis_form import analysis_form, read_analysis_form
from oncocohort.app.config import AppConfig
from oncocohort.app.i18n import pick_language, translator
from oncocohort.app.mapping import CANONICAL_CODES, mapping_rows, todo_list
from oncocohort.app.results import download, place_problems
from oncocohort.app.runner import RESULTS, STAGES, start_run
from oncocohort.app.security import SecurityMiddleware
from oncocohort.app.sessions import Session, SessionStore
from oncocohort.app.upload import BadUpload, TooLarge, receive_upload
from oncocohort.problems import InputError
from oncocohort.propose import (
    propose_sheet,
    render_study_yaml,
    with_codes,
    with_date_format,
    with_role,
)
from oncocohort.propose.analysis import AnalysisChoices, categorical_levels
from oncocohort.propose.engine import split_sheet
from oncocohort.propose.read import read_sheet
from oncocohort.propose.roles import ROLES

__all__ = ["create_app"]

HERE = Path(__file__).parent
LOG = logging.getLogger("oncocohort.app")
TODO_CHOICE = "?"


def _lang(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get("lang"),
                         request.headers.get("accept-language"))


def _page(request: Request, name: str, context: dict, status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    lang = _lang(request)
    config: AppConfig = request.app.state.config
    ctx = {"t": translator(lang), "lang": lang, "other_lang": "en" if lang == "zh" else "zh",
           "mb": config.max_upload_bytes // (1024 * 1024), **context}
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    if request.query_params.get("lang") == lang:
        response.set_cookie("lang", lang, httponly=True, samesite="strict")
    return response


def _session(request: Request) -> Session:
    store: SessionStore = request.app.state.sessions
    session = store.get(request.path_params["sid"])
    if session is None or "proposal" not in session.state:
        raise HTTPException(404)
    return session


def _load(session: Session, sheet: str | None) -> None:
    """Read the session's workbook (one sheet) and propose; keep the cells for previews."""
    path: Path = session.state["path"]
    read = read_sheet(path, sheet=sheet, label=path.name)
    _, _, cells = split_sheet(read.grid)
    session.state.update(
        proposal=propose_sheet(read.grid, file=path.name, sheet=read.sheet, sheets=read.sheets,
                               encoding=read.encoding, labels=read.labels),
        cells=cells, grid=read.grid)
    session.state.pop("run", None)


async def home(request: Request) -> Response:
    return _page(request, "upload.html", {"message": request.query_params.get("ended")})


async def upload(request: Request) -> Response:
    store: SessionStore = request.app.state.sessions
    config: AppConfig = request.app.state.config
    session = store.new()
    t = translator(_lang(request))
    try:
        path = await receive_upload(request, session.folder, config.max_upload_bytes)
        session.state["path"] = path
        _load(session, None)
    except TooLarge:
        store.end(session.id)
        too_large = t("too_large", mb=config.max_upload_bytes // 2**20)
        return _page(request, "problems.html", {"problems": [too_large]}, 413)
    except BadUpload:
        store.end(session.id)
        return _page(request, "problems.html", {"problems": [t("bad_upload")]}, 400)
    except InputError as exc:
        store.end(session.id)
        problems = [str(p) for p in exc.problems]
        return _page(request, "problems.html", {"problems": problems}, 400)
    return RedirectResponse(f"/s/{session.id}", status_code=303)


def _spec(session: Session, lang: str):
    return render_study_yaml(session.state["proposal"], spec_file=session.state["path"].name,
                             lang=lang, choices=session.state.get("choices"))


def _default_name(session: Session) -> str:
    return session.state["path"].stem


async def mapping(request: Request) -> Response:
    session = _session(request)
    lang = _lang(request)
    proposal = session.state["proposal"]
    spec = _spec(session, lang)
    choices = session.state.get("choices") or AnalysisChoices()
    return _page(request, "mapping.html", {
        "sid": session.id, "sheet": proposal,
        "rows": mapping_rows(proposal, session.state["cells"], lang, choices),
        "todos": todo_list(proposal, spec.todos, lang), "spec": spec.text,
        "analysis": analysis_form(proposal, choices, _default_name(session), lang),
        "analysis_errors": session.state.pop("analysis_errors", [])})


async def change_analysis(request: Request) -> Response:
    session = _session(request)
    form = await request.form()
    fields = {k: str(v) for k, v in form.items()}
    choices, errors = read_analysis_form(session.state["proposal"], fields,
                                         _default_name(session))
    if errors:
        session.state["analysis_errors"] = errors
    else:
        before = session.state.get("choices") or AnalysisChoices()
        session.state["choices"] = replace(choices, values=before.values)
    return RedirectResponse(f"/s/{session.id}#analysis", status_code=303)


async def change_values(request: Request) -> Response:
    """The labels typed in a column's code table: kept where they differ from the
    suggestion (an empty one goes back to it)."""
    session = _session(request)
    form = await request.form()
    proposal = session.state["proposal"]
    col = next((c for c in proposal.columns
                if str(c.position) == request.path_params["pos"]), None)
    suggested = categorical_levels(proposal, _lang(request))
    if col is None or col.variable not in suggested:
        raise HTTPException(404)
    typed = {}
    for i, (code, label) in enumerate(suggested[col.variable]):
        text = " ".join(str(form.get(f"value-{i}") or "").split())
        if text and text != label:
            typed[code] = text
    choices = session.state.get("choices") or AnalysisChoices()
    values = {**choices.values, col.variable: typed}
    session.state["choices"] = replace(choices, values={k: v for k, v in values.items() if v})
    return RedirectResponse(f"/s/{session.id}#col-{col.position}", status_code=303)


async def choose_sheet(request: Request) -> Response:
    session = _session(request)
    form = await request.form()
    name = str(form.get("sheet", ""))
    if name in session.state["proposal"].sheets:
        _load(session, name)
        session.state.pop("choices", None)
    return RedirectResponse(f"/s/{session.id}", status_code=303)


def _apply(session: Session, position: int, form) -> None:
    proposal = session.state["proposal"]
    col = next(c for c in proposal.columns if c.position == position)
    role = str(form.get("role", col.role))
    if role != col.role and role in ROLES:
        col = with_role(col, role, others=proposal.columns)
    else:
        choices = CANONICAL_CODES.get(col.role, ())
        answers = {}
        for i, (code, _) in enumerate(col.codes):
            value = form.get(f"code-{i}")
            if value in choices:
                answers[code] = str(value)
            elif value == TODO_CHOICE:
                answers[code] = None
        if answers:
            col = with_codes(col, answers)
        fmt = form.get("date_format")
        if fmt is not None and ROLES[col.role].kind == "date" and (fmt or None) != \
                col.date_format:
            col = with_date_format(col, session.state["cells"][position], str(fmt) or None)
    columns = tuple(col if c.position == position else c for c in proposal.columns)
    session.state["proposal"] = replace(proposal, columns=columns)


async def change_column(request: Request) -> Response:
    session = _session(request)
    form = await request.form()
    try:
        position = int(request.path_params["pos"])
    except ValueError:
        raise HTTPException(404) from None
    if not any(c.position == position for c in session.state["proposal"].columns):
        raise HTTPException(404)
    _apply(session, position, form)
    return RedirectResponse(f"/s/{session.id}#col-{position}", status_code=303)


async def download_spec(request: Request) -> Response:
    session = _session(request)
    spec = _spec(session, _lang(request))
    return Response(spec.text.encode("utf-8"), media_type="application/x-yaml",
                    headers={"content-disposition": 'attachment; filename="study.yaml"'})


async def run(request: Request) -> Response:
    session = _session(request)
    current = session.state.get("run")
    if current is None or current.finished:
        session.state["run"] = start_run(session.folder, _spec(session, _lang(request)).text)
    return RedirectResponse(f"/s/{session.id}/progress", status_code=303)


def _run_state(session: Session):
    state = session.state.get("run")
    if state is None:
        raise HTTPException(404)
    return state


async def progress(request: Request) -> Response:
    session = _session(request)
    state = _run_state(session)
    if state.stage == "done":
        return RedirectResponse(f"/s/{session.id}/report", status_code=303)
    if state.problems or state.failed:
        return RedirectResponse(f"/s/{session.id}/problems", status_code=303)
    return _page(request, "progress.html", {"sid": session.id, "state": state,
                                            "stages": [s for s, _ in STAGES]})


async def data_problems(request: Request) -> Response:
    session = _session(request)
    state = _run_state(session)
    placed = place_problems(state.problems, session.state["grid"], session.state["proposal"])
    return _page(request, "data_problems.html", {"sid": session.id, "placed": placed,
                                                 "failed": state.failed})


async def report(request: Request) -> Response:
    session = _session(request)
    if _run_state(session).stage != "done":
        raise HTTPException(404)
    return _page(request, "report.html", {"sid": session.id})


async def output_file(request: Request) -> Response:
    session = _session(request)
    if _run_state(session).stage != "done":
        raise HTTPException(404)
    name = request.path_params["name"]
    if name == "study.yaml":
        found = ((session.folder / "study.yaml").read_bytes(), "application/x-yaml")
    else:
        found = download(session.folder / RESULTS, name)
    if found is None:
        raise HTTPException(404)
    body, media = found
    inline = name == "report.html" and request.query_params.get("view") == "1"
    disposition = "inline" if inline else f'attachment; filename="{name}"'
    return Response(body, media_type=media, headers={"content-disposition": disposition})


async def end_session(request: Request) -> Response:
    request.app.state.sessions.end(request.path_params["sid"])
    return RedirectResponse("/?ended=1", status_code=303)


async def not_found(request: Request, exc: Exception) -> Response:
    return _page(request, "error.html", {"title_key": "not_found", "help_key": None}, 404)


async def internal_error(request: Request, exc: Exception) -> Response:
    LOG.exception("internal error while serving %s", request.url.path, exc_info=exc)
    return _page(request, "error.html", {"title_key": "error_title", "help_key": "error_help"},
                 500)


def create_app(config: AppConfig | None = None, store: SessionStore | None = None
               ) -> Starlette:
    """The ASGI app. Its sessions' folders are deleted when the app shuts down."""
    config = config or AppConfig()
    store = SessionStore(config.idle_seconds) if store is None else store

    @asynccontextmanager
    async def lifespan(app):
        try:
            yield
        finally:
            store.close()

    routes = [
        Route("/", home),
        Route("/upload", upload, methods=["POST"]),
        Route("/s/{sid}", mapping),
        Route("/s/{sid}/sheet", choose_sheet, methods=["POST"]),
        Route("/s/{sid}/column/{pos}", change_column, methods=["POST"]),
        Route("/s/{sid}/analysis", change_analysis, methods=["POST"]),
        Route("/s/{sid}/values/{pos}", change_values, methods=["POST"]),
        Route("/s/{sid}/study.yaml", download_spec),
        Route("/s/{sid}/run", run, methods=["POST"]),
        Route("/s/{sid}/progress", progress),
        Route("/s/{sid}/problems", data_problems),
        Route("/s/{sid}/report", report),
        Route("/s/{sid}/files/{name}", output_file),
        Route("/s/{sid}/end", end_session, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found,
                                        Exception: internal_error})
    app.state.config = config
    app.state.sessions = store
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    return SecurityMiddleware(app, config)  # type: ignore[return-value]
