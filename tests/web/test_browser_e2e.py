"""End to end in a real browser (issue 5): Debian's chromium driven by Playwright against the app
served by uvicorn on 127.0.0.1. A case goes from registration (H-V1) to closed through the pages,
worked by the service desk, the team's coordinator (H-R1.5) and a technician; the SLA badge (H-S)
and the diagram highlight are checked; screenshots go to test-artifacts/."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from config.handbook import organisation
from config.settings import ROOT, Settings
from services.auth import ensure_demo_passwords
from services.runtime import Runtime
from store.db import make_engine, session_factory
from store.directory import seed_organisation
from web.app import create_app
from web.settings import WebSettings
from webclient import ANSWERS, actor_for

from conftest import FAST_HASHER

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, sqlite_template, shared_engine):
    """The real app with uvicorn in a thread on 127.0.0.1 (an ephemeral port) and the real clock."""
    import uvicorn

    path = tmp_path / "e2e.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    factory = session_factory(engine)
    with factory() as session:
        seed_organisation(session, organisation())
        ensure_demo_passwords(session, hasher=FAST_HASHER)
        session.commit()
    settings = Settings(database_url=f"sqlite:///{path}")
    runtime = Runtime(settings, engine=shared_engine)
    with factory() as session:
        runtime.deploy_current(session, actor="system", now=datetime.now(timezone.utc))
        session.commit()
    app = create_app(settings, session_factory=factory, runtime=runtime,
                     web=WebSettings(secret_file=tmp_path / "secret", _env_file=None))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    sock.close()
    engine.dispose()


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("/usr/bin/chromium is missing: run .ci/ensure-chromium")
        pytest.skip("/usr/bin/chromium is missing: run .ci/ensure-chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def sign_in(browser, base: str, username: str):
    context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 900}, locale="da-DK")
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", username)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def fill_form(page, answers: dict) -> None:
    """Answer a task form the way a person does: choose, tick, type."""
    for field, value in answers.items():
        control = page.locator(f"#task-form [name={field}]").first
        if not control.is_visible():   # hidden by show_if: not asked in this situation (issue 12)
            continue
        kind = control.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            control.select_option(str(value))
        elif kind.endswith(":radio"):
            page.check(f"#task-form input[name={field}][value='{value}']")
        elif kind.endswith(":checkbox"):
            page.check(f"#task-form input[name={field}]") if value else page.uncheck(f"#task-form input[name={field}]")
        else:
            control.fill(str(value))


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_h_v1_to_closed_in_a_real_browser_with_sla_badge_and_diagram_highlight(server, browser):
    pages = {name: sign_in(browser, server, name) for name in ("sd.tekniker", "app.koordinator", "app.tekniker")}
    desk = pages["sd.tekniker"]

    desk.goto("/cases/new")
    desk.check("input[name=case_type][value=incident]")
    desk.fill("input[name=summary]", "Journalsystemet svarer ikke på afsnit 3")
    desk.select_option("select[name=impact]", "2")
    desk.select_option("select[name=urgency]", "2")
    desk.select_option("select[name=sla_level]", "gold")
    desk.fill("input[name=customer_name]", "Test Kunde")
    desk.fill("input[name=customer_email]", "kunde@example.org")
    desk.fill("input[name=customer_phone]", "12345678")
    shot(desk, "01-registration")
    desk.click("#new-case-form button[type=submit]")
    desk.wait_for_selector("h1[data-bpmn-id=classify_case]")
    number = desk.locator(".crumbs a").first.inner_text()
    assert number.startswith("SF-INC-")

    # a wrong answer first: the error is shown at the field and nothing moves
    desk.click("#task-form button[type=submit]")   # classification is prefilled: completes
    desk.wait_for_selector("h1[data-bpmn-id=first_triage]")
    with desk.expect_navigation():
        desk.click("#task-form button[type=submit]")
    assert desk.locator("#err-what_not_working").inner_text() == "Feltet skal udfyldes."
    shot(desk, "02-field-errors")

    steps = []
    for _ in range(20):
        tasks = desk.request.get(f"/api/tasks?case={number}").json()
        if not tasks:
            break
        task = tasks[0]
        assert task["bpmn_id"] in ANSWERS, f"no answer for {task['bpmn_id']}"
        page = pages[actor_for(task)]
        if actor_for(task) == "app.tekniker":   # the technician starts from the worklist
            page.goto("/worklist?view=team")
            page.click(f"tr[data-task='{task['id']}'] a.task-link")
        else:
            page.goto(f"/tasks/{task['id']}")
        page.wait_for_selector(f"h1[data-bpmn-id={task['bpmn_id']}]")
        fill_form(page, ANSWERS[task["bpmn_id"]])
        if task["bpmn_id"] == "distribute_case":
            shot(page, "04-coordinator-distributes")
        with page.expect_navigation():
            page.click("#task-form button[type=submit]")
        assert page.locator(".field-error").count() == 0, (task["bpmn_id"], page.locator(".has-error").evaluate_all("els => els.map(e => e.dataset.field)"))
        steps.append(task["bpmn_id"])
        if task["bpmn_id"] == "questionnaire_application_operations":
            coordinator = pages["app.koordinator"]
            coordinator.goto("/worklist?view=team")
            badge = coordinator.locator(f"tr[data-case='{number}'] .badge[data-sla]").first
            assert badge.get_attribute("data-sla") in ("ok", "warning", "breach")
            assert "Reaktion" in badge.inner_text()
            shot(coordinator, "03-worklist-sla-badge")
        if task["bpmn_id"] == "work_on_case":
            case_page = pages["app.tekniker"]
            case_page.goto(f"/cases/{number}")
            case_page.wait_for_selector("#diagram[data-ready=true]", timeout=20000)
            assert case_page.locator(".djs-element.path-current").count() >= 1
            assert int(case_page.locator("#diagram").get_attribute("data-highlight-current")) >= 1
            assert case_page.locator("#diagram-fallback").is_hidden()
            shot(case_page, "05-case-diagram-highlight")

    assert steps[0] == "first_triage" and "distribute_case" in steps and steps[-1] == "closure_checklist", steps
    final = pages["app.tekniker"]
    final.goto(f"/cases/{number}")
    assert "Lukket" in final.locator(".case-head .badge.status").inner_text()
    final.wait_for_selector("#diagram[data-ready=true]", timeout=20000)
    assert final.locator(".djs-element.path-done").count() >= 1
    assert final.locator(".wi-summary", has_text="Sagen er lukket").count() == 1
    shot(final, "06-closed-case")


def test_diagram_fallback_without_javascript(server, browser):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", "sd.tekniker")
    page.fill("input[name=password]", "sd.tekniker")
    page.click("#login-form button[type=submit]")
    page.goto("/cases/new")
    page.fill("input[name=summary]", "Printer virker ikke")
    page.fill("input[name=customer_name]", "Test Kunde")
    page.click("#new-case-form button[type=submit]")
    page.wait_for_selector("h1[data-bpmn-id=classify_case]")
    page.goto(page.locator(".crumbs a").first.get_attribute("href"))
    assert page.locator("#diagram-fallback").is_visible()
    assert page.locator("#diagram-fallback strong.current").inner_text() == "Klassificér henvendelsen"
    shot(page, "07-no-javascript-fallback")


def test_process_owner_sees_validation_problems_on_the_elements_in_the_modeler(server, browser):
    page = sign_in(browser, server, "procesejer")
    page.goto("/definitions/1/edit?file=incident_handling.bpmn")
    page.wait_for_selector("#modeler[data-ready=true]", timeout=20000)
    assert page.locator("textarea#xml").is_hidden()       # the modeler replaces the XML box
    page.evaluate("""() => {
        const modeler = document.getElementById("modeler").bpmnModeler;
        const task = modeler.get("elementRegistry").get("distribute_case");
        modeler.get("modeling").updateProperties(task, { id: "Start" });
    }""")
    page.click("#validate-button")
    page.wait_for_selector("#problems li[data-element=Start]")
    assert page.locator(".problem-note").count() >= 1
    assert int(page.locator("#modeler").get_attribute("data-problems-marked")) >= 1
    shot(page, "08-modeler-validation-overlay")
