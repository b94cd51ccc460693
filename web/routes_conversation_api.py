"""The conversation in the REST API (issue 13; H-D3, H-R1.1; issue 9 item 5): write to the customer,
read the conversation, accept or reject an unverified mail, attachments (upload, list, download) and
the case's contacts. Plain `def` routes (the database work runs in the threadpool)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from services.attachments import add_upload, attachment_document, attachments_for, open_attachment
from services.auth import Principal
from services.case_access import may_work, require_read
from services.cases import get_case
from services.contacts import contacts_of, update_contacts
from services.conversation import conversation, write_to_customer
from services.customer_replies import decide_unverified
from services.runtime import Runtime
from web.auth import WORK_ROLES, requires
from web.deps import DbId, db_session, now, runtime
from web.routes_conversation import attachment_response

router = APIRouter(prefix="/api", tags=["api"])
READ_ROLES = (*WORK_ROLES, "admin")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=2, max_length=10000, description="the text of the mail (Danish)")
    title: str = Field(default="", max_length=150, description="subject; default 'Nyt om din sag: …'")


class ContactsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    end_user_name: str | None = None
    end_user_email: str | None = None
    end_user_phone: str | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accept", "reject"]


@router.post("/cases/{number}/messages", status_code=201, summary="Skriv til kunden: a mail from the case (H-D3)")
def api_write(number: str, body: MessageIn, principal: Principal = Depends(requires(*WORK_ROLES)),
              session: Session = Depends(db_session), at: datetime = Depends(now)) -> dict:
    row = write_to_customer(session, case_number=number, username=principal.username, message=body.message,
                            title=body.title, now=at)
    session.commit()
    return {"queued": row.id, "to": row.payload["to"]}


@router.get("/cases/{number}/conversation", summary="Mails in and out of the case, oldest first")
def api_conversation(request: Request, number: str, principal: Principal = Depends(requires(*READ_ROLES)),
                     session: Session = Depends(db_session)) -> list[dict]:
    case = get_case(session, number)
    require_read(session, username=principal.username, case=case)
    settings = request.app.state.settings
    return [{"direction": m.direction, "at": m.at.isoformat(), "subject": m.subject, "text": m.text,
             "party": m.party, "status": m.state, "mail_id": m.mail_id}
            for m in conversation(session, case, from_address=settings.smtp.from_address, domain=settings.mail_domain)]


@router.post("/cases/{number}/mails/{item_id}", summary="Accept or reject an unverified mail (issue 9)")
def api_decide(number: str, item_id: DbId, body: DecisionIn, principal: Principal = Depends(requires(*WORK_ROLES)),
               session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
               at: datetime = Depends(now)) -> dict:
    get_case(session, number)
    mail = decide_unverified(session, rt, mail_id=item_id, accept=body.decision == "accept",
                             username=principal.username, now=at)
    session.commit()
    return {"mail": mail.id, "disposition": mail.disposition}


@router.post("/cases/{number}/attachments", status_code=201, summary="Attach a file (sniffed type, size limit)")
def api_upload(request: Request, number: str, file: UploadFile = File(...),
               principal: Principal = Depends(requires(*WORK_ROLES)), session: Session = Depends(db_session),
               at: datetime = Depends(now)) -> dict:
    settings = request.app.state.settings.attachments
    row = add_upload(session, settings, case_number=number, filename=file.filename or "",
                     data=file.file.read(settings.max_bytes + 1), username=principal.username, now=at)
    session.commit()
    return attachment_document(row)


@router.get("/cases/{number}/attachments", summary="The case's attachments")
def api_attachments(number: str, principal: Principal = Depends(requires(*READ_ROLES)),
                    session: Session = Depends(db_session)) -> list[dict]:
    case = get_case(session, number)
    require_read(session, username=principal.username, case=case)
    works = may_work(session, username=principal.username, case=case)
    return [attachment_document(a) for a in attachments_for(session, case.id, include_hidden=works)]


@router.get("/cases/{number}/attachments/{item_id}", summary="Download one attachment")
def api_download(request: Request, number: str, item_id: DbId,
                 principal: Principal = Depends(requires(*READ_ROLES)), session: Session = Depends(db_session)):
    row, data = open_attachment(session, request.app.state.settings.attachments, case_number=number,
                                attachment_id=item_id, username=principal.username)
    return attachment_response(row, data)


@router.get("/cases/{number}/contacts", summary="The customer's and end user's contact data")
def api_contacts(number: str, principal: Principal = Depends(requires(*READ_ROLES)),
                 session: Session = Depends(db_session)) -> dict:
    case = get_case(session, number)
    require_read(session, username=principal.username, case=case)
    return contacts_of(case)


@router.post("/cases/{number}/contacts", summary="Change contact fields (only those sent), with Work Info")
def api_update_contacts(number: str, body: ContactsIn, principal: Principal = Depends(requires(*WORK_ROLES)),
                        session: Session = Depends(db_session), rt: Runtime = Depends(runtime),
                        at: datetime = Depends(now)) -> dict:
    changed = update_contacts(session, rt, case_number=number, username=principal.username,
                              values=body.model_dump(exclude_unset=True), now=at)
    session.commit()
    return {"changed": changed, "contacts": contacts_of(get_case(session, number))}
