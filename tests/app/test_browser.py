"""The app in Chromium: upload, mapping, questions answered in the page, spec downloaded.

Each test walks a journey a clinician takes and saves a screenshot of every screen.
"""

from __future__ import annotations

import yaml

from oncocohort.spec import load_spec

WORKBOOKS = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "workbooks"


def _open(page, base, token, lang=None):
    page.goto(f"{base}/?token={token}" + (f"&lang={lang}" if lang else ""))


def _upload(page, path):
    page.set_input_files("#workbook", str(path))
    page.click("#upload-button")
    page.wait_for_load_state("load")


def _choose(page, select, value):
    """Pick ``value`` in a dropdown and wait for the page the form's submission loads."""
    with page.expect_navigation():
        select.select_option(value)


def _row(page, header):
    return page.locator(f'tr[data-header="{header}"]')


def test_clear_workbook_journey(live_app, page, shots, tmp_path):
    base, token, store, _ = live_app
    _open(page, base, token)
    assert "token=" not in page.url  # the token leaves the address bar
    shots(page, "01-upload-en")
    _upload(page, WORKBOOKS / "clear.xlsx")
    assert "/s/" in page.url
    todos = page.locator("#todos").inner_text()  # 'Name' is left out: no question
    assert "No open questions" in todos
    for header, role in {"Patient ID": "subject_id", "Treatment start date": "index_date",
                         "Date of death": "death_date", "Last follow-up": "last_alive_date",
                         "Name": "identifier"}.items():
        assert _row(page, header).locator("select.role-select").input_value() == role
    shots(page, "02-mapping-clear-en")
    with page.expect_download() as info:
        page.click("#download-spec")
    spec_path = tmp_path / "study.yaml"
    info.value.save_as(spec_path)
    (tmp_path / "clear.xlsx").write_bytes((WORKBOOKS / "clear.xlsx").read_bytes())
    spec = load_spec(spec_path)
    assert spec.sources.patients.columns["index_date"] == "Treatment start date"
    assert page.errors == []


def test_change_a_role_with_the_dropdown(live_app, page, shots):
    base, token, _, _ = live_app
    _open(page, base, token)
    _upload(page, WORKBOOKS / "clear.csv")
    _choose(page, _row(page, "Stage").locator("select.role-select"), "ignore")
    assert _row(page, "Stage").locator("select.role-select").input_value() == "ignore"
    assert "stage:" not in page.locator("#spec").text_content()
    shots(page, "03-role-changed")


def test_messy_workbook_questions_answered_in_chinese(live_app, page, shots, tmp_path):
    base, token, _, _ = live_app
    _open(page, base, token, lang="zh")
    shots(page, "04-upload-zh")
    _upload(page, WORKBOOKS / "messy_zh.xlsx")
    todos = page.locator("#todos").inner_text()
    assert "待回答的问题（2）" in todos and "哪个代表死亡" in todos
    sex = _row(page, "性别")
    assert "has-question" in sex.get_attribute("class")
    assert sex.locator("tr.unanswered").count() == 2  # the code table shows the open codes
    shots(page, "05-mapping-messy-zh")
    _choose(page, sex.locator('select[name="code-0"]'), "M")
    _choose(page, _row(page, "性别").locator('select[name="code-1"]'), "F")
    status = _row(page, "生存状态")
    _choose(page, status.locator('select[name="code-0"]'), "alive")
    _choose(page, _row(page, "生存状态").locator('select[name="code-1"]'), "dead")
    todos = page.locator("#todos").inner_text()
    assert "哪个代表死亡" not in todos and "男（M）" not in todos
    # the day-first dates are previewed as read
    dates = _row(page, "进展日期").locator("table.dates").inner_text()
    assert "读取为" in dates and "不是日期" not in dates
    shots(page, "06-questions-answered-zh")
    with page.expect_download() as info:
        page.click("#download-spec")
    path = tmp_path / "study.yaml"
    info.value.save_as(path)
    wide = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]["wide"]
    assert wide["values"]["sex"] == {"1": "M", "2": "F"}
    assert page.errors == []


def test_date_format_chosen_in_the_page(live_app, page, shots, tmp_path):
    base, token, _, _ = live_app
    src = tmp_path / "ambiguous.csv"
    src.write_text("Patient ID,Start date,Last follow-up,Age\n"
                   "P1,03/05/2023,2024-01-01,60\nP2,04/06/2023,2024-02-01,61\n"
                   "P3,01/02/2023,2024-03-01,62\n", encoding="utf-8")
    _open(page, base, token)
    _upload(page, src)
    row = _row(page, "Start date")
    assert "could be day/month or month/day" in row.inner_text()
    _choose(page, row.locator("select.date-format"), "%d/%m/%Y")
    row = _row(page, "Start date")
    assert "2023-05-03" in row.locator("table.dates").inner_text()
    assert "could be day/month" not in page.locator("#todos").inner_text()
    shots(page, "07-date-format-chosen")


def test_bad_files_are_messages_not_tracebacks(live_app, page, shots, tmp_path):
    base, token, store, config = live_app
    _open(page, base, token)
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"this is not a workbook")
    _upload(page, bad)
    text = page.locator("#problems").inner_text()
    assert "not a readable Excel workbook" in text and "Traceback" not in page.content()
    shots(page, "08-bad-file")
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * (config.max_upload_bytes // 4 + 10))
    _open(page, base, token)
    _upload(page, big)
    assert "larger than" in page.locator("#problems").inner_text()
    shots(page, "09-too-large")
    assert len(store) == 0  # failed uploads keep nothing


def test_ending_the_session_deletes_its_files(live_app, page, shots):
    base, token, store, _ = live_app
    _open(page, base, token)
    _upload(page, WORKBOOKS / "clear.csv")
    (folder,) = [p for p in store.root.iterdir()]
    assert (folder / "clear.csv").exists() and oct(folder.stat().st_mode)[-3:] == "700"
    page.click("#end-session")
    page.wait_for_load_state("load")
    assert page.locator("#ended").is_visible()
    assert not folder.exists() and len(store) == 0
    shots(page, "16-session-ended")


def test_a_fault_of_the_app_is_an_apology_page(live_app, page, shots, monkeypatch):
    import oncocohort.app.web as web

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(web, "render_study_yaml", boom)
    base, token, _, _ = live_app
    _open(page, base, token, lang="zh")
    _upload(page, WORKBOOKS / "clear.csv")
    assert "oncocohort 内部出错" in page.locator("#error-title").inner_text()
    assert "secret internals" not in page.content() and "Traceback" not in page.content()
    shots(page, "17-apology-zh")


def test_analysis_choices_reach_the_spec(live_app, page, shots, tmp_path):
    base, token, _, _ = live_app
    _open(page, base, token)
    _upload(page, WORKBOOKS / "clear.xlsx")
    form = page.locator("#analysis-form")
    assert form.locator('input[name="landmarks"]').input_value() == "12, 24"
    form.locator('input[name="name"]').fill("Second-line ESCC, real-world")
    form.locator('input[name="landmarks"]').fill("6, 12")
    form.locator('input[name="subgroup-stage"]').uncheck()
    form.locator('input[name="label-histology"]').fill("Histological type")
    age_groups = form.locator('select[name="reference-age_group"] option').all_inner_texts()
    form.locator('select[name="reference-age_group"]').select_option(age_groups[-1])
    shots(page, "10-analysis-choices")
    with page.expect_navigation():
        page.click("#save-analysis")
    spec = yaml.safe_load(page.locator("#spec").text_content())
    assert spec["study"]["name"] == "Second-line ESCC, real-world"
    assert spec["landmarks"] == [6, 12]
    assert [s["variable"] for s in spec["subgroups"]] == ["age_group", "sex", "ecog_group",
                                                           "histology"]
    assert spec["subgroups"][-1]["label"] == "Histological type"
    assert spec["variables"]["histology"]["label"] == "Histological type"
    assert spec["variables"]["sex"] == {"values": {"M": "Male", "F": "Female"}}
    assert spec["variables"]["age_group"] == {"reference": age_groups[-1]}  # a cut's group
    page.locator("#analysis-form input[name='landmarks']").fill("six")
    with page.expect_navigation():
        page.click("#save-analysis")
    assert "Landmarks must be numbers" in page.locator(".analysis-error").inner_text()
    assert yaml.safe_load(page.locator("#spec").text_content())["landmarks"] == [6, 12]
