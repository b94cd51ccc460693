"""Attachments on a case (issue 13; H-V2 screen dumps, H-D1): uploads from the web and the API and the
files of inbound mails. Content type sniffed from the bytes (domain.filetypes), names sanitised,
size/type/count limits from settings (config.attachments); bytes content-addressed on disk
(store.blobs), metadata in `attachment`; downloads only for those who may read the case. A file
refused from a customer's mail is never dropped silently: the case gets Work Info saying so.
Service functions: the caller commits."""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config.handbook import handbook
from domain.errors import FormInvalid, NotFound
from domain.filetypes import safe_filename, sniff
from services.case_access import require_read, require_work
from services.cases import get_case
from store.blobs import BlobStore
from store.cases import add_work_info
from store.models import AttachmentRow, CaseRow, InboundMailRow

if TYPE_CHECKING:   # the settings are passed in; reading a case's attachments needs no pydantic (issue 15)
    from config.attachments import AttachmentSettings

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f}".replace(".", ",") + " KB"
    return f"{size / 1024 / 1024:.1f}".replace(".", ",") + " MB"


def check_file(settings: AttachmentSettings, *, data: bytes, count_on_case: int) -> str:
    """The sniffed content type, or a Danish reason the file is refused (FormInvalid)."""
    if not data:
        raise FormInvalid({"file": "Filen er tom."})
    if len(data) > settings.max_bytes:
        raise FormInvalid({"file": f"Filen er for stor (højst {_megabytes(settings.max_bytes)})."})
    if count_on_case >= settings.max_per_case:
        raise FormInvalid({"file": f"Sagen har allerede {settings.max_per_case} vedhæftede filer."})
    kind = sniff(data)
    if kind is None or kind not in settings.allowed_types:
        raise FormInvalid({"file": "Filtypen er ikke tilladt (fx skærmbilleder PNG/JPEG, PDF eller tekst)."})
    return kind


def _count(session: Session, case_id: int) -> int:
    return session.execute(select(func.count(AttachmentRow.id)).where(AttachmentRow.case_id == case_id)).scalar_one()


def _save(session: Session, settings: AttachmentSettings, *, case: CaseRow, filename: str, data: bytes,
          kind: str, username: str, now: datetime, mail: InboundMailRow | None = None,
          visible: bool = True) -> AttachmentRow:
    digest = BlobStore(settings.directory).put(data)
    row = AttachmentRow(case_id=case.id, inbound_mail_id=mail.id if mail else None, filename=safe_filename(filename),
                        content_type=kind, size=len(data), sha256=digest, uploaded_by=username, visible=visible,
                        created_at=now)
    session.add(row)
    session.flush()
    return row


def add_upload(session: Session, settings: AttachmentSettings, *, case_number: str, filename: str, data: bytes,
               username: str, now: datetime) -> AttachmentRow:
    """A person attaches a file to a case they work (web, API)."""
    case = get_case(session, case_number)
    require_work(session, username=username, case=case)
    kind = check_file(settings, data=data, count_on_case=_count(session, case.id))
    row = _save(session, settings, case=case, filename=filename, data=data, kind=kind, username=username, now=now)
    add_work_info(session, case_id=case.id, event="attachment", work_log_type=handbook().work_log_type("note"),
                  summary=f"Fil vedhæftet: {row.filename}", notes=f"{kind}, {_megabytes(row.size)}",
                  author=username, view_access="internal", now=now)
    return row


def store_mail_attachments(session: Session, settings: AttachmentSettings, *, case: CaseRow, mail: InboundMailRow,
                           attachments: Sequence, visible: bool, now: datetime) -> list[AttachmentRow]:
    """Keep the files of an inbound mail; those refused by the limits are named in Work Info."""
    kept, refused = [], []
    for item in attachments:
        name = safe_filename(item.filename)
        try:
            kind = check_file(settings, data=item.data, count_on_case=_count(session, case.id))
        except FormInvalid as exc:
            refused.append(f"{name}: {exc.errors['file']}")
            continue
        kept.append(_save(session, settings, case=case, filename=name, data=item.data, kind=kind, username="mail",
                          now=now, mail=mail, visible=visible))
    if kept or refused:
        lines = [f"Gemt: {row.filename}" for row in kept] + [f"Ikke gemt – {line}" for line in refused]
        add_work_info(session, case_id=case.id, event="attachment", work_log_type=handbook().work_log_type("note"),
                      summary=f"Vedhæftede filer fra kundens mail: {len(kept)} gemt, {len(refused)} afvist",
                      notes="\n".join(lines), author="mail", view_access="internal", now=now)
    return kept


def attachments_for(session: Session, case_id: int, *, include_hidden: bool = False) -> list[AttachmentRow]:
    query = select(AttachmentRow).where(AttachmentRow.case_id == case_id).order_by(AttachmentRow.id)
    if not include_hidden:
        query = query.where(AttachmentRow.visible.is_(True))
    return list(session.execute(query).scalars())


def attachment_document(row: AttachmentRow) -> dict:
    return {"id": row.id, "filename": row.filename, "content_type": row.content_type, "size": row.size,
            "sha256": row.sha256, "uploaded_by": row.uploaded_by, "created_at": row.created_at.isoformat(),
            "from_mail": row.inbound_mail_id is not None, "image": row.content_type in IMAGE_TYPES,
            "visible": row.visible}


def open_attachment(session: Session, settings: AttachmentSettings, *, case_number: str, attachment_id: int,
                    username: str) -> tuple[AttachmentRow, bytes]:
    """The file, for a person who may read the case (an unverified mail's file: who may work it)."""
    case = get_case(session, case_number)
    row = session.get(AttachmentRow, attachment_id)
    if row is None or row.case_id != case.id:
        raise NotFound(f"unknown attachment {attachment_id} on {case_number}")
    require_read(session, username=username, case=case)
    if not row.visible:
        require_work(session, username=username, case=case)
    return row, BlobStore(settings.directory).get(row.sha256)


def thumbnail(session: Session, settings: AttachmentSettings, *, case_number: str, attachment_id: int,
              username: str) -> bytes:
    """A small PNG of an image attachment, made once and kept next to the file."""
    row, data = open_attachment(session, settings, case_number=case_number, attachment_id=attachment_id,
                                username=username)
    if row.content_type not in IMAGE_TYPES:
        raise NotFound("only images have a thumbnail")
    store, suffix = BlobStore(settings.directory), f".thumb{settings.thumbnail_px}.png"
    if store.exists(row.sha256, suffix):
        return store.get(row.sha256, suffix)
    from PIL import Image   # Pillow: decoding untrusted images is its job; bombs are refused below
    Image.MAX_IMAGE_PIXELS = 50_000_000
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((settings.thumbnail_px, settings.thumbnail_px))
            out = io.BytesIO()
            image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB").save(out, "PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise NotFound("the image cannot be shown as a thumbnail") from None
    store.write(row.sha256, out.getvalue(), suffix)
    return out.getvalue()
