"""What a file is, from its content — never from its name (issue 13 attachments), and a safe name.

`sniff` knows the few types a service desk receives (screenshots, PDF, text, zip/Office files, mails);
anything else is None and refused unless configured."""
from __future__ import annotations

import re
import unicodedata

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
    (b"PK\x03\x04", 0, "application/zip"),     # also .docx/.xlsx/.pptx
)
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*\u2028\u2029\x85]')
_MAIL_HEADER = re.compile(rb"^(?:Received|From|Return-Path|Message-ID|Date|MIME-Version):", re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    for magic, offset, kind in _SIGNATURES:
        if data[offset:offset + len(magic)] == magic:
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    head = data[:4096]
    if b"\x00" in head:
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:   # not just a character cut at the 4 KB boundary
            return None
    return "message/rfc822" if _MAIL_HEADER.match(head) else "text/plain"


def safe_filename(name: str, *, fallback: str = "fil") -> str:
    """A plain file name: no path, no control or reserved characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        return fallback
    stem, dot, extension = name.rpartition(".")
    if dot and len(extension) <= 10:
        return stem[:110].rstrip(" .") + "." + extension if stem else name[:120]
    return name[:120]
