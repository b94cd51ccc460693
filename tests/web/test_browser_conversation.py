"""The conversation and an upload in a real browser (issue 13 item 7; H-D3): Debian's chromium driven by
Playwright against the app served by uvicorn. The service desk writes to the customer from the case page,
sees the mail in the conversation and as public Work Info, attaches a screenshot and sees its thumbnail."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from test_browser_e2e import browser, server, shot, sign_in  # noqa: F401 - the fixtures are reused

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def attachment_dir(tmp_path, monkeypatch):
    """Before the server starts: the files go to this test's folder, not var/."""
    monkeypatch.setenv("SAGSFLOW_ATTACHMENTS__DIRECTORY", str(tmp_path / "files"))


def test_issue_13_write_to_the_customer_and_attach_a_screenshot_in_a_real_browser(server, browser, tmp_path):  # noqa: F811
    desk = sign_in(browser, server, "sd.tekniker")
    desk.goto("/cases/new")
    desk.check("input[name=case_type][value=incident]")
    desk.fill("input[name=summary]", "Printeren på afsnit 3 skriver ikke ud")
    desk.select_option("select[name=impact]", "3")
    desk.select_option("select[name=urgency]", "3")
    desk.select_option("select[name=sla_level]", "bronze")
    desk.fill("input[name=customer_name]", "Test Kunde")
    desk.fill("input[name=customer_email]", "kunde@example.org")
    desk.click("#new-case-form button[type=submit]")
    desk.wait_for_selector("h1[data-bpmn-id=classify_case]")
    number = desk.locator(".crumbs a").first.inner_text()

    desk.goto(f"/cases/{number}")
    desk.fill("#write-form textarea[name=message]", "Vi har bestilt en ny toner. Den kommer i morgen.")
    desk.click("#write-form button[type=submit]")
    desk.wait_for_selector("#conversation .msg-out >> text=Vi har bestilt en ny toner")
    assert "I kø" in desk.locator("#conversation").inner_text()
    assert desk.locator("#work-info .wi-public >> text=Mail til kunden").count() == 1

    image = tmp_path / "skaermbillede.png"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (30, 90, 200)).save(buffer, "PNG")
    image.write_bytes(buffer.getvalue())
    desk.set_input_files("#upload-form input[type=file]", str(image))
    desk.click("#upload-form button[type=submit]")
    desk.wait_for_selector("#attachments img.thumb")
    loaded = desk.locator("#attachments img.thumb").evaluate("img => img.complete && img.naturalWidth")
    assert 0 < loaded <= 240                                       # the server-made thumbnail was shown
    assert "skaermbillede.png" in desk.locator("#attachments").inner_text()
    shot(desk, "13-conversation-and-attachment")
