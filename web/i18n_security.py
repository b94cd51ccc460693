"""User-facing text of sign-in security (issue 9): the audit log. Merged into web.i18n's tables."""
from __future__ import annotations

DA = {
    "audit": "Log ind-log", "audit_intro": "Log ind, forkerte forsøg, spærringer og log ud — nyeste først.",
    "audit_time": "Tidspunkt", "audit_kind": "Hændelse", "audit_user": "Brugernavn", "audit_client": "Adresse",
    "audit_detail": "Detaljer", "audit_sign_in_ok": "Logget ind", "audit_sign_in_failed": "Forkert adgangskode",
    "audit_locked": "Spærret", "audit_sign_out": "Logget ud", "audit_sessions_revoked": "Sessioner afsluttet",
}
EN = {
    "audit": "Sign-in log", "audit_intro": "Sign-ins, failed attempts, locks and sign-outs — newest first.",
    "audit_time": "Time", "audit_kind": "Event", "audit_user": "Username", "audit_client": "Address",
    "audit_detail": "Details", "audit_sign_in_ok": "Signed in", "audit_sign_in_failed": "Wrong password",
    "audit_locked": "Locked", "audit_sign_out": "Signed out", "audit_sessions_revoked": "Sessions ended",
}
