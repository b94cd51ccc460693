"""Pages for the customer conversation on a case (issue 13; H-D3, H-R1.1; issue 9 items 4 and 5):
*Skriv til kunden*, unverified mails to accept or reject, attachments (upload, thumbnails, download),
the case's contacts, and the administrator's list of quarantined mails. Every route that touches the
database is a plain `def` (threadpool); the panel on the case page comes from `conversation_panel`."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import FormInvalid
from services.attachments import add_upload, attachment_document, attachments_for, open_attachment, thumbnail
from services.auth import Principal
from services.case_access import may_work
from services.cases import get_case
from services.contacts import FIELDS, contacts_of, update_contacts
from services.conversation import conversation, write_to_customer
from services.customer_replies import decide_unverified
from services.mail_quarantine import quarantined_mails, retry_quarantined
from services.runtime import Runtime
from services.reassignment import present_members
from web.auth import WORK_ROLES, requires
from web.deps import DbId, db_session, flash, now, redirect, render, runtime

router = APIRouter(include_in_schema=False)
VIEW_ROLES = (*WORK_ROLES, "admin")


def conversation_panel(request: Request, session: Session, *, number: str, username: str, case=None) -> dict:
    """What the case page's conversation include needs (called by the case page route, which passes
    the case it has read)."""
    case = case if case is not None and case.number == number else get_case(session, number)
    settings = request.app.state.settings
    works = may_work(session, username=username, case=case)
    return {"conversation": conversation(session, case, from_address=settings.smtp.from_address,
                                         domain=settings.mail_domain),
            "attachments": [attachment_document(a) for a in attachments_for(session, case.id, include_hidden=works)],
            "case_contacts": contacts_of(case), "contact_fields": FIELDS, "may_work_case": works,
            "note_types": handbook().note_types(), "has_email": bool(case.customer_email or case.end_user_email),
            "team_members": present_members(session, team=case.team) if case.team else [],
            "attachment_limit_mb": settings.attachments.max_bytes // (1024 * 1024)}


def _back(number: str, anchor: str) -> Response:
    return redirect(f"/cases/{number}#{anchor}")


def _refused(request: Request, exc: FormInvalid, number: str, anchor: str) -> Response:
    flash(request, " ".join(exc.errors.values()), "error")
    return _back(number, anchor)


@router.post("/cases/{number}/messages")
def write(request: Request, number: str, message: str = Form(""), title: str = Form(""),
          principal: Principal = Depends(requires(*WORK_ROLES)), session: Session = Depends(db_session),
          at: datetime = Depends(now)):
    try:
        write_to_customer(session, case_number=number, username=principal.username, message=message, title=title,
                          now=at)
    except FormInvalid as exc:
        session.rollback()
        return _refused(request, exc, number, "conversation")
    session.commit()
    flash(request, "Mailen til kunden er lagt i kø og sendes om lidt.", "ok")
    return _back(number, "conversation")


@router.post("/cases/{number}/mails/{item_id}/accept")
def accept(request: Request, number: str, item_id: DbId, principal: Principal = Depends(requires(*WORK_ROLES)),
           session: Session = Depends(db_session), rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    return _decide(request, session, rt, number=number, mail_id=item_id, accept=True, username=principal.username,
                   at=at)


@router.post("/cases/{number}/mails/{item_id}/reject")
def reject(request: Request, number: str, item_id: DbId, principal: Principal = Depends(requires(*WORK_ROLES)),
           session: Session = Depends(db_session), rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    return _decide(request, session, rt, number=number, mail_id=item_id, accept=False, username=principal.username,
                   at=at)


def _decide(request: Request, session: Session, rt: Runtime, *, number: str, mail_id: int, accept: bool,
            username: str, at: datetime) -> Response:
    get_case(session, number)
    decide_unverified(session, rt, mail_id=mail_id, accept=accept, username=username, now=at)
    session.commit()
    flash(request, "Mailen er godkendt som kundens svar." if accept else "Mailen er afvist.", "ok")
    return _back(number, "conversation")


@router.post("/cases/{number}/attachments")
def upload(request: Request, number: str, file: UploadFile = File(...),
           principal: Principal = Depends(requires(*WORK_ROLES)), session: Session = Depends(db_session),
           at: datetime = Depends(now)):
    settings = request.app.state.settings.attachments
    data = file.file.read(settings.max_bytes + 1)
    try:
        row = add_upload(session, settings, case_number=number, filename=file.filename or "", data=data,
                         username=principal.username, now=at)
    except FormInvalid as exc:
        session.rollback()
        return _refused(request, exc, number, "attachments")
    session.commit()
    flash(request, f"Filen {row.filename} er vedhæftet.", "ok")
    return _back(number, "attachments")


@router.get("/cases/{number}/attachments/{item_id}")
def download(request: Request, number: str, item_id: DbId, principal: Principal = Depends(requires(*VIEW_ROLES)),
             session: Session = Depends(db_session)):
    row, data = open_attachment(session, request.app.state.settings.attachments, case_number=number,
                                attachment_id=item_id, username=principal.username)
    return attachment_response(row, data)


@router.get("/cases/{number}/attachments/{item_id}/thumbnail")
def thumb(request: Request, number: str, item_id: DbId, principal: Principal = Depends(requires(*VIEW_ROLES)),
          session: Session = Depends(db_session)):
    data = thumbnail(session, request.app.state.settings.attachments, case_number=number,
                     attachment_id=item_id, username=principal.username)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


def attachment_response(row, data: bytes) -> Response:
    """Always a download (never rendered by the browser), with the sniffed type and a safe name."""
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return Response(data, media_type=row.content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})


@router.post("/cases/{number}/contacts")
def contacts(request: Request, number: str, principal: Principal = Depends(requires(*WORK_ROLES)),
             session: Session = Depends(db_session), rt: Runtime = Depends(runtime), at: datetime = Depends(now),
             customer_name: str = Form(""), customer_email: str = Form(""), customer_phone: str = Form(""),
             end_user_name: str = Form(""), end_user_email: str = Form(""), end_user_phone: str = Form("")):
    values = {"customer_name": customer_name, "customer_email": customer_email, "customer_phone": customer_phone,
              "end_user_name": end_user_name, "end_user_email": end_user_email, "end_user_phone": end_user_phone}
    try:
        changed = update_contacts(session, rt, case_number=number, username=principal.username, values=values, now=at)
    except FormInvalid as exc:
        session.rollback()
        return _refused(request, exc, number, "contacts")
    session.commit()
    flash(request, f"Ændret: {', '.join(changed)}." if changed else "Ingen ændringer.", "ok")
    return _back(number, "contacts")


@router.get("/admin/mail-quarantine")
def quarantine_page(request: Request, principal: Principal = Depends(requires("admin")),
                    session: Session = Depends(db_session)):
    return render(request, "admin_mail_quarantine.html", {"rows": quarantined_mails(session)})


@router.post("/admin/mail-quarantine/{item_id}/retry")
def quarantine_retry(request: Request, item_id: DbId, principal: Principal = Depends(requires("admin")),
                     rt: Runtime = Depends(runtime), at: datetime = Depends(now)):
    outcome = retry_quarantined(request.app.state.session_factory, rt, mail_id=item_id, now=at)
    flash(request, "Mailen er behandlet." if outcome == "handled" else "Mailen kan stadig ikke gemmes.",
          "ok" if outcome == "handled" else "error")
    return redirect("/admin/mail-quarantine")
