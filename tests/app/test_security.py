"""The app's promises without a browser: token, Host, headers, uploads, errors, cleanup."""

from __future__ import annotations

import io
import os
from pathlib import Path

import httpx
import pytest

from oncocohort.app.i18n import UI
from oncocohort.app.sessions import SessionStore, safe_name

WORKBOOKS = Path(__file__).parents[1] / "fixtures" / "workbooks"


@pytest.fixture
def app_and_store(live_app):
    """The live app (127.0.0.1, a 2 MiB upload limit) seen as (base URL, store, config)."""
    base, _, store, config = live_app
    return base, store, config


def _client(base, config, *, authorised=True):
    client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
    if authorised:
        client.get(f"/?token={config.token}")
    return client


def _upload(client, name, data):
    return client.post("/upload", files={"workbook": (name, io.BytesIO(data))},
                       follow_redirects=False)


def test_every_page_needs_the_token(app_and_store):
    base, _, config = app_and_store
    client = _client(base, config, authorised=False)
    for path in ("/", "/static/app.css", "/s/x", "/upload"):
        assert client.get(path).status_code == 403
    assert client.get("/?token=wrong").status_code == 403
    first = client.get(f"/?token={config.token}&lang=zh", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/?lang=zh"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200


def test_other_host_names_are_refused(app_and_store):
    base, _, config = app_and_store
    client = _client(base, config)
    port = config.port
    assert client.get("/", headers={"host": f"evil.example:{port}"}).status_code == 403
    assert client.get("/", headers={"host": f"localhost:{port}"}).status_code == 200


def test_security_headers(app_and_store):
    base, _, config = app_and_store
    response = _client(base, config).get("/")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_upload_is_kept_in_a_private_session_folder(app_and_store):
    base, store, config = app_and_store
    client = _client(base, config)
    response = _upload(client, "../../clear.csv", (WORKBOOKS / "clear.csv").read_bytes())
    assert response.status_code == 303
    (folder,) = list(store.root.iterdir())
    assert [p.name for p in folder.iterdir()] == ["clear.csv"]
    assert oct(os.stat(folder).st_mode)[-3:] == "700"
    assert oct(os.stat(store.root).st_mode)[-3:] == "700"
    sid = response.headers["location"].rsplit("/", 1)[-1]
    spec = client.get(f"/s/{sid}/study.yaml")
    assert spec.headers["content-disposition"] == 'attachment; filename="study.yaml"'
    assert '"clear.csv"' in spec.text
    client.post(f"/s/{sid}/end")
    assert not folder.exists() and len(store) == 0


def test_too_large_and_bad_names_keep_nothing(app_and_store):
    base, store, config = app_and_store
    client = _client(base, config)
    big = b"a,b\n" + b"1,2\n" * (config.max_upload_bytes // 4 + 1)
    assert _upload(client, "big.csv", big).status_code == 413
    assert _upload(client, "notes.txt", b"a,b\n1,2\n").status_code == 400
    assert _upload(client, "empty.csv", b"").status_code == 400
    assert client.post("/upload", data={"x": "1"}).status_code == 400
    assert list(store.root.iterdir()) == []


def test_input_errors_and_unknown_pages_have_no_traceback(app_and_store):
    base, _, config = app_and_store
    client = _client(base, config)
    response = _upload(client, "broken.xlsx", b"not a workbook")
    assert response.status_code == 400 and "not a readable Excel workbook" in response.text
    for path in ("/s/nope", "/s/nope/study.yaml", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404 and "Traceback" not in response.text


def test_an_internal_fault_is_an_apology_without_traceback(app_and_store, monkeypatch):
    base, _, config = app_and_store
    client = _client(base, config)
    import oncocohort.app.web as web

    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web, "render_study_yaml", boom)
    location = _upload(client, "clear.csv", (WORKBOOKS / "clear.csv").read_bytes()).headers[
        "location"]
    response = client.get(location)
    assert response.status_code == 500
    assert UI["en"]["error_title"] in response.text
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_idle_sessions_are_swept(tmp_path):
    store = SessionStore(idle_seconds=0)
    session = store.new()
    assert session.folder.exists()
    store.sweep()
    assert not session.folder.exists() and store.get(session.id) is None
    store.close()
    assert not store.root.exists()


@pytest.mark.parametrize(("name", "safe"), [
    ("clear.xlsx", "clear.xlsx"), ("C:\\Users\\me\\随访.xlsx", "随访.xlsx"),
    ("../../etc/passwd", None), ("..xlsx", None), (".xlsx", None),
    ("a/b/c.csv", "c.csv"), ("x;rm -rf.csv", "x_rm -rf.csv"), ("data.CSV", "data.CSV"),
])
def test_safe_names(name, safe):
    assert safe_name(name) == safe


def test_ui_catalogues_match():
    import re

    en, zh = UI["en"], UI["zh"]
    assert set(en) == set(zh)
    for key in en:
        assert set(re.findall(r"\{(\w+)", en[key])) == set(re.findall(r"\{(\w+)", zh[key]))


def _started(process, deadline):
    """The URL ``oncocohort app`` prints once it listens."""
    import time

    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "open http" in line:
            return line.split("open ", 1)[1].strip()
    raise AssertionError("the app printed no address")


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_stopping_the_app_deletes_every_session_folder(tmp_path, stop):
    """``oncocohort app`` as a person runs it, stopped with Ctrl+C (or by the system): the
    uploaded workbook and the whole app folder are gone, not only the store's record."""
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "oncocohort", "app", "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env=env)
    try:
        url = _started(process, time.monotonic() + 60)
        base, token = url.split("/?token=")
        client = httpx.Client(base_url=base, follow_redirects=True, timeout=30)
        for _ in range(100):  # uvicorn listens a moment after the address is printed
            try:
                client.get(f"/?token={token}")
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        response = _upload(client, "clear.csv", (WORKBOOKS / "clear.csv").read_bytes())
        assert response.status_code == 303
        (root,) = tmp_path.glob("oncocohort-app-*")
        assert list(root.glob("s-*/clear.csv"))
        process.send_signal(getattr(signal, stop))
        code = process.wait(timeout=30)
        said = process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert "Traceback" not in said, said
    assert not root.exists() and list(tmp_path.iterdir()) == [], (code, said)
