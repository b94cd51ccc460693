"""Work Info written in Remedy reaches the case (H-R1.1; issue 14; owners in docs/remedy.md).

For every linked incident the import handles, its ``HPD:WorkLog`` entries are searched by Incident
Number (``'Incident Number'="INC…"``, as BMC documents it) — many incidents per search, OR-ed
(``('Incident Number'="A") OR ('Incident Number'="B")``), in chunks bounded by count and length
(``remedy.sync.work_log_batch_size``, ``work_log_qualification_max``). An entry becomes Work Info on the case —
*Fra Remedy: <summary>*, with the Remedy author and the Copenhagen time — once: the Work Log ID is
kept on the row (unique), so later syncs skip it. Entries the integration user wrote (Sagsflow's own,
also those carrying the ``[sagsflow:<key>]`` marker) are skipped, and what came from Remedy is never
sent back (``remedy_queued_at`` is set). Text passes the text boundary (domain/text.py) like every
other Work Info.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config.handbook import handbook
from config.settings import Settings
from connectors.mail.compose import danish_time
from connectors.remedy.client import RemedyClient, RemedyEntry
from connectors.remedy.errors import RemedyDataError, RemedyPermanentError
from connectors.remedy.incoming import WORK_LOG_FIELDS, ImportedWorkLog, work_log_from_remedy
from connectors.remedy.mapping import _INCIDENT_NUMBER, WORK_LOG_TYPES
from connectors.remedy.qualification import Qualification, field_equals, or_
from store.cases import add_work_info
from store.models import CaseRow, WorkInfoRow

EVENT = "remedy_work_log"
MARKER = "[sagsflow:"
SORT = "Submit Date.asc,Work Log ID.asc"   # a total order: pages of many incidents' entries never overlap
FIELD = "Incident Number"


def work_log_qualification(numbers: Sequence[str]) -> Qualification:
    """``('Incident Number'="A") OR ('Incident Number'="B") …`` — every value quoted by the builder."""
    return or_(*(field_equals(FIELD, number) for number in numbers))


class WorkLogReader:
    """Reads the Work Log of the incidents of one sync, many incidents per search (chunks of
    ``remedy.sync.work_log_batch_size`` incidents whose qualification stays within
    ``work_log_qualification_max`` characters). A refusal (no access to the form, an unknown field) is
    reported once and ends the reading for that sync — the incidents are still imported. Transient
    faults propagate: the caller has not moved the watermark past the chunk's incidents."""

    def __init__(self, client: RemedyClient, settings: Settings, errors: list[str]):
        self.client, self.settings, self.errors, self.refused = client, settings, errors, False
        self.searches = 0    # Work Log searches sent (each may be several pages)

    def wanted(self, incident_number: object) -> bool:
        """Whether this incident's Work Log is read: an incident number the import can accept."""
        return not self.refused and isinstance(incident_number, str) and bool(_INCIDENT_NUMBER.match(incident_number))

    def fits(self, chunk: Sequence[str], incident_number: str) -> bool:
        """Whether ``incident_number`` can join ``chunk`` within the configured count and length."""
        sync_settings = self.settings.remedy.sync
        if not chunk:
            return True
        if len(chunk) >= sync_settings.work_log_batch_size:
            return False
        # or_() parenthesises each of several terms and joins them with " OR "
        length = sum(len(field_equals(FIELD, n)) + 2 for n in (*chunk, incident_number)) + 4 * len(chunk)
        return length <= sync_settings.work_log_qualification_max

    def entries(self, chunk: Sequence[str]) -> dict[str, list[RemedyEntry]]:
        """The Work Log entries of the incidents in ``chunk``, by Incident Number, in Submit Date order
        (one search, paged with ``_links.next``); empty after a refusal."""
        numbers = list(dict.fromkeys(n for n in chunk if self.wanted(n)))
        if not numbers:
            return {}
        remedy = self.settings.remedy
        found: dict[str, list[RemedyEntry]] = {n: [] for n in numbers}
        self.searches += 1
        try:
            for entry in self.client.search_all(remedy.forms.work_log, work_log_qualification(numbers), sort=SORT,
                                                page_size=remedy.sync.page_size, fields=list(WORK_LOG_FIELDS)):
                number = entry.values.get(FIELD)
                if isinstance(number, str) and number in found:   # a server that ignored the qualification
                    found[number].append(entry)
        except RemedyPermanentError as exc:   # transient faults propagate: the watermark has not moved
            self.refused = True
            self.errors.append(f"Work Info fra Remedy ({remedy.forms.work_log}) kunne ikke læses: {exc}")
            return {}
        return found


def import_work_logs(session: Session, case: CaseRow, entries: list[RemedyEntry], *, settings: Settings,
                     now: datetime, errors: list[str]) -> int:
    """Add the entries written in Remedy as Work Info on ``case``, each once; returns how many."""
    added = 0
    for entry in entries:
        try:
            log = work_log_from_remedy(entry.values)
        except RemedyDataError as exc:
            errors.append(f"Work Info fra Remedy til {case.remedy_incident_number} ikke importeret: {exc}")
            continue
        if log.incident_number != case.remedy_incident_number or _ours(log, settings):
            continue
        if session.execute(select(WorkInfoRow.id).where(WorkInfoRow.remedy_work_log_id == log.work_log_id)).first():
            continue
        _add(session, case, log, now=now)
        added += 1
    if added:
        session.flush()
    return added


def _ours(log: ImportedWorkLog, settings: Settings) -> bool:
    """Written by the integration user, or carrying Sagsflow's marker: Sagsflow's own Work Info."""
    return log.written_by(settings.remedy.username) or MARKER in (log.notes or "") or MARKER in (log.summary or "")


def _add(session: Session, case: CaseRow, log: ImportedWorkLog, *, now: datetime) -> None:
    when = danish_time(log.logged_at) if log.logged_at else "ukendt tidspunkt"
    header = f"Skrevet i Remedy af {log.author or 'ukendt'}, {when}"
    work_log_type = log.work_log_type if log.work_log_type in WORK_LOG_TYPES else handbook().work_log_type(EVENT)
    add_work_info(session, case_id=case.id, event=EVENT, work_log_type=work_log_type,
                  summary=f"Fra Remedy: {log.summary or 'Work Info'}",
                  notes=f"{header}\n\n{log.notes}" if log.notes else header, author="remedy",
                  view_access="public" if log.public else "internal", now=now,
                  remedy_work_log_id=log.work_log_id, remedy_queued_at=now)   # came from Remedy: never sent back
