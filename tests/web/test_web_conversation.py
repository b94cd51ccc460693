"""The conversation on the case page and in the API (issue 13; H-D3, H-R1.1; issue 9 items 4 and 5):
Skriv til kunden queues a threaded mail and public Work Info, notes with a chosen type and visibility,
unverified mails accepted or rejected by a person, attachments (upload, sniffed type, limits, thumbnail,
access-checked download), editable contacts and the administrator's quarantine list."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from config.attachments import AttachmentSettings
from connectors.mail import parse_reply
from services.cases import case_document
from services.mail_inbox import InboxReport, handle_reply, quarantine
from store.models import AttachmentRow, CaseRow, InboundMailRow, OutboxRow, WorkInfoRow
from webclient import T0, register


@pytest.fixture(autouse=True)
def attachment_dir(runtime, tmp_path):
    runtime.settings.attachments = AttachmentSettings(directory=tmp_path / "files", max_bytes=200_000)
    return tmp_path / "files"


@pytest.fixture
def desk(web):
    return web("sd.tekniker")


@pytest.fixture
def number(desk, app):
    register(desk)
    with app.state.session_factory() as session:
        return session.execute(select(CaseRow.number)).scalar_one()


def png(size=(64, 48), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def rows(app, model, **where):
    with app.state.session_factory() as session:
        return list(session.execute(select(model).filter_by(**where)).scalars())


def test_h_d3_write_to_the_customer_queues_a_threaded_mail_and_public_work_info(desk, number, app):
    page = desk.get(f"/cases/{number}")
    assert "Skriv til kunden" in page.text and 'id="conversation"' in page.text
    response = desk.post(f"/cases/{number}/messages", {"message": "Vi kigger på det i eftermiddag.", "title": ""})
    assert response.status_code == 303
    [mail] = [r for r in rows(app, OutboxRow, kind="mail") if r.payload["purpose"] == "customer_message"]
    assert mail.payload["to"] == "kunde@example.org" and mail.payload["template"] == "customer_message"
    assert "Sara Servicedesk" in mail.payload["context"]["signature"]            # the writer's signature
    [info] = rows(app, WorkInfoRow, event="customer_message")
    assert info.view_access == "public" and info.notes == "Vi kigger på det i eftermiddag."
    page = desk.get(f"/cases/{number}")
    assert "Vi kigger på det i eftermiddag." in page.text and "Nyt om din sag" in page.text
    english = desk.get(f"/cases/{number}?lang=en").text
    assert "Write to the customer" in english and "Conversation with the customer" in english
    desk.get(f"/cases/{number}?lang=da")
    conversation = desk.api("GET", f"/api/cases/{number}/conversation").json()
    assert [m["direction"] for m in conversation] == ["out", "out"]              # the receipt, then ours
    assert desk.post(f"/cases/{number}/messages", {"message": ""}).status_code == 303     # refused, flashed
    assert len([r for r in rows(app, OutboxRow, kind="mail") if r.payload["purpose"] == "customer_message"]) == 1


def test_h_d3_api_write_and_a_case_without_e_mail_says_so_plainly(desk, app):
    register(desk, customer_email="")
    with app.state.session_factory() as session:
        number = session.execute(select(CaseRow.number)).scalar_one()
    page = desk.get(f"/cases/{number}")
    assert "Sagen har ingen e-mailadresse" in page.text
    refused = desk.api("POST", f"/api/cases/{number}/messages", json={"message": "Hej"})
    assert refused.status_code == 422 and "ingen e-mailadresse" in refused.json()["fields"]["message"]
    changed = desk.api("POST", f"/api/cases/{number}/contacts", json={"end_user_email": "slutbruger@example.org"})
    assert changed.status_code == 200 and changed.json()["changed"] == ["Slutbrugerens e-mail"]
    sent = desk.api("POST", f"/api/cases/{number}/messages", json={"message": "Hej igen", "title": "Status"})
    assert sent.status_code == 201 and sent.json()["to"] == "slutbruger@example.org"
    assert rows(app, WorkInfoRow, event="contacts_changed")[0].notes == "Slutbrugerens e-mail: – → slutbruger@example.org"
    bad = desk.api("POST", f"/api/cases/{number}/contacts", json={"customer_email": "ikke-en-adresse"})
    assert bad.status_code == 422


def test_h_r1_1_notes_get_the_chosen_type_and_visibility_and_unknown_fields_are_refused(desk, number, app):
    assert desk.post(f"/cases/{number}/notes", {"summary": "Ringede til kunden", "notes": "Aftalt besøg",
                                                "work_log_type": "Customer Communication",
                                                "view_access": "public"}).status_code == 303
    created = desk.api("POST", f"/api/cases/{number}/work-info",
                       json={"summary": "Intern bemærkning", "type": "Detail Clarification"})
    assert created.status_code == 201
    notes = {w.summary: (w.work_log_type, w.view_access) for w in rows(app, WorkInfoRow, event="note")}
    assert notes == {"Ringede til kunden": ("Customer Communication", "public"),
                     "Intern bemærkning": ("Detail Clarification", "internal")}
    assert desk.api("POST", f"/api/cases/{number}/work-info",
                    json={"summary": "Forkert type", "type": "Noget andet"}).status_code == 422
    assert desk.api("POST", f"/api/cases/{number}/work-info",
                    json={"summary": "Ukendt felt", "visibility": "public"}).status_code == 422


def _unverified(app, runtime, number: str, *, body: str, msgid: str, attachment: bytes | None = None) -> int:
    if attachment is None:
        raw = (f"From: fremmed@example.net\r\nTo: servicedesk@sagsflow.local\r\nSubject: SV: [{number}] Status\r\n"
               f"Message-ID: <{msgid}@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()
    else:
        from email.message import EmailMessage
        message = EmailMessage()
        message["From"], message["To"] = "fremmed@example.net", "servicedesk@sagsflow.local"
        message["Subject"], message["Message-ID"] = f"SV: [{number}] Status", f"<{msgid}@example.net>"
        message.set_content(body)
        message.add_attachment(attachment, maintype="image", subtype="png", filename="../../skærm billede.png")
        raw = message.as_bytes()
    reply = parse_reply(raw)
    assert handle_reply(app.state.session_factory, runtime, reply, key=f"<{msgid}@example.net>", now=T0,
                        report=InboxReport())
    return rows(app, InboundMailRow, message_key=f"<{msgid}@example.net>")[0].id


def test_issue_9_an_unverified_mail_is_shown_and_a_person_accepts_or_rejects_it(desk, number, app, runtime, web):
    first = _unverified(app, runtime, number, body="Jeg er kundens kollega", msgid="u1")
    second = _unverified(app, runtime, number, body="Køb ure", msgid="u2")
    page = desk.get(f"/cases/{number}")
    assert "Ubekræftet afsender" in page.text and f"/mails/{first}/accept" in page.text
    assert not [w for w in rows(app, WorkInfoRow) if w.view_access == "public" and "kollega" in w.notes]
    assert web("app.tekniker").post(f"/cases/{number}/mails/{first}/accept").status_code == 403   # not the case's team
    assert desk.post(f"/cases/{number}/mails/{first}/accept").status_code == 303
    assert desk.api("POST", f"/api/cases/{number}/mails/{second}", json={"decision": "reject"}).json() == {
        "mail": second, "disposition": "rejected"}
    public = [w.notes for w in rows(app, WorkInfoRow) if w.view_access == "public"]
    assert "Jeg er kundens kollega" in public and "Køb ure" not in public
    assert desk.post(f"/cases/{number}/mails/{first}/accept").status_code == 409                # decided once


def test_issue_13_upload_a_screenshot_with_thumbnail_and_access_checked_download(desk, number, app, web,
                                                                                 attachment_dir):
    image = png()
    response = desk.client.post(f"/cases/{number}/attachments", data={"csrf_token": desk.csrf},
                                files={"file": ("C:\\Users\\x\\skærm<1>.png", image, "application/octet-stream")},
                                follow_redirects=False)
    assert response.status_code == 303
    [row] = rows(app, AttachmentRow)
    assert (row.filename, row.content_type, row.size) == ("skærm_1_.png", "image/png", len(image))
    assert (attachment_dir / row.sha256[:2] / row.sha256[2:4] / row.sha256).read_bytes() == image   # outside the row
    page = desk.get(f"/cases/{number}")
    assert f"/cases/{number}/attachments/{row.id}/thumbnail" in page.text
    thumb = desk.get(f"/cases/{number}/attachments/{row.id}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(thumb.content)).size[0] <= 240
    download = desk.get(f"/cases/{number}/attachments/{row.id}")
    assert download.content == image and download.headers["content-disposition"].startswith("attachment;")
    assert web("app.tekniker").get(f"/cases/{number}/attachments/{row.id}").status_code == 403   # may not read
    listed = desk.api("GET", f"/api/cases/{number}/attachments").json()
    assert [a["filename"] for a in listed] == ["skærm_1_.png"]
    with app.state.session_factory() as session:   # `sagsflow case show --json` carries them too
        document = case_document(session, number)
    assert [(a["filename"], a["sha256"]) for a in document["attachments"]] == [("skærm_1_.png", row.sha256)]
    assert document["contacts"]["customer_email"] == "kunde@example.org"


def test_issue_13_uploads_are_sniffed_and_limited_and_a_refusal_stores_nothing(desk, number, app):
    disguised = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(range(256)) * 4       # a Windows program
    refused = desk.client.post(f"/api/cases/{number}/attachments", headers={"X-CSRF-Token": desk.csrf},
                               files={"file": ("skaermbillede.png", disguised, "image/png")})
    assert refused.status_code == 422 and "Filtypen er ikke tilladt" in refused.json()["fields"]["file"]
    too_big = desk.client.post(f"/api/cases/{number}/attachments", headers={"X-CSRF-Token": desk.csrf},
                               files={"file": ("stor.png", png((1200, 1200)) + b"\0" * 200_000, "image/png")})
    assert too_big.status_code == 422 and "for stor" in too_big.json()["fields"]["file"]
    huge = desk.client.post(f"/api/cases/{number}/attachments", headers={"X-CSRF-Token": desk.csrf},
                            files={"file": ("film.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 1_400_000, "image/png")})
    assert huge.status_code == 413                                  # refused before the body is read
    assert rows(app, AttachmentRow) == []
    ok = desk.client.post(f"/api/cases/{number}/attachments", headers={"X-CSRF-Token": desk.csrf},
                          files={"file": ("log.txt", "Fejl 500 kl. 10.02\n".encode(), "application/octet-stream")})
    assert ok.status_code == 201 and ok.json()["content_type"] == "text/plain"


def test_issue_13_an_image_in_an_unverified_mail_is_kept_hidden_until_accepted(desk, number, app, runtime, web):
    mail_id = _unverified(app, runtime, number, body="Se skærmbilledet", msgid="img1", attachment=png())
    [row] = rows(app, AttachmentRow)
    assert row.visible is False and row.filename == "skærm billede.png" and row.inbound_mail_id == mail_id
    assert desk.get(f"/cases/{number}/attachments/{row.id}").status_code == 200     # the desk may look first
    desk.post(f"/cases/{number}/mails/{mail_id}/accept")
    assert rows(app, AttachmentRow)[0].visible is True


def test_issue_9_the_admin_page_lists_quarantined_mails_and_handles_one_again(web, app, number):
    raw = (f"From: x@example.org\r\nSubject: [{number}] Odelagt\r\nMessage-ID: <q1@example.org>\r\n\r\n"
           f"hemmeligt\r\n").encode()
    assert quarantine(app.state.session_factory, raw, None, error=ValueError("boom"), now=T0 + timedelta(minutes=1))
    admin = web("admin")
    page = admin.get("/admin/mail-quarantine")
    assert page.status_code == 200 and "ValueError" in page.text and "hemmeligt" not in page.text
    assert web("sd.tekniker").get("/admin/mail-quarantine").status_code == 403
    [kept] = rows(app, InboundMailRow, disposition="quarantined")
    assert admin.post(f"/admin/mail-quarantine/{kept.id}/retry").status_code == 303   # the cause is gone now
    assert rows(app, InboundMailRow, disposition="quarantined") == []
    assert [m.from_address for m in rows(app, InboundMailRow, disposition="unverified")] == ["x@example.org"]
