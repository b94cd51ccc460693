"""User-facing text of the worklist (issue 5): Danish by default, English via `?lang=en` (kept in
a cookie). Handbook labels (statuses, priorities) come from config/handbook.yaml in Danish; their
English names are here. Form labels come from the diagrams and are shown as written."""
from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request

from config.handbook import handbook
from web import i18n_conversation as conversation
from web import i18n_security as security
from web import i18n_workspace as workspace

LANGUAGES = ("da", "en")

DA = {
    "app": "Sagsflow", "worklist": "Arbejdsliste", "new_case": "Ny sag", "diagrams": "Procesdiagrammer",
    "admin": "Administration", "sign_in": "Log ind", "sign_out": "Log ud", "username": "Brugernavn",
    "password": "Adgangskode", "signed_in_as": "Logget ind som", "language": "Sprog",
    "view_mine": "Mine", "view_team": "Mit team", "view_unassigned": "Ikke tildelt",
    "view_absent": "Fraværende kollegers sager", "search": "Søg", "search_placeholder": "Sagsnummer eller tekst",
    "filter": "Filtrér", "all": "Alle", "priority": "Prioritet", "status": "Status", "team": "Team",
    "case": "Sag", "task": "Opgave", "summary": "Beskrivelse", "deadline": "Frist", "claimed_by": "Taget af",
    "assignee": "Tekniker", "claim": "Tag opgaven", "unclaim": "Slip opgaven", "open": "Åbn",
    "no_tasks": "Ingen opgaver i denne visning.", "reassign": "Flyt til", "reassign_button": "Flyt",
    "sla_none": "ingen frist", "sla_paused": "pause", "sla_breach": "overskredet", "sla_warning": "snart",
    "sla_ok": "i tide", "reaction": "Reaktion", "resolution": "Løsning", "left": "tilbage", "ago": "siden",
    "register": "Registrér sagen", "case_type": "Sagstype", "impact": "Påvirkning", "urgency": "Hastende",
    "sla_level": "SLA-niveau", "customer_name": "Kundens navn", "customer_email": "Kundens e-mail",
    "customer_phone": "Kundens telefon", "new_case_intro": "Registrér henvendelsen; derefter følger første visitation.",
    "impact_1": "1 – Omfattende", "impact_2": "2 – Betydelig", "impact_3": "3 – Moderat", "impact_4": "4 – Mindre",
    "urgency_1": "1 – Kritisk", "urgency_2": "2 – Høj", "urgency_3": "3 – Medium", "urgency_4": "4 – Lav",
    "work_info": "Work Info", "open_tasks": "Åbne opgaver", "deadlines": "Frister", "pauses": "Pauser",
    "process": "Proces", "path_taken": "Forløb", "current_position": "Nuværende position",
    "diagram_fallback": "Diagrammet kræver JavaScript. Forløbet indtil nu:", "received": "Modtaget",
    "started": "Påbegyndt", "resolved": "Løst", "closed": "Lukket", "customer": "Kunde",
    "add_note": "Tilføj Work Info", "note_summary": "Overskrift", "note_text": "Tekst", "save": "Gem",
    "complete": "Udfør", "required": "skal udfyldes", "form_errors": "Formularen har fejl – se felterne nedenfor.",
    "claimed_by_other": "Opgaven er taget af", "back_to_case": "Tilbage til sagen", "yes": "Ja", "no": "Nej",
    "choose": "Vælg …", "no_open_tasks": "Ingen åbne opgaver.", "open_since": "oprettet",
    "versions": "Versioner", "version": "Version", "deployed": "Udrullet", "deployed_by": "Udrullet af",
    "files": "Filer", "running_instances": "Kørende sager", "view": "Vis", "edit": "Redigér", "compare": "Sammenlign",
    "upload": "Upload fil", "validate": "Validér", "deploy": "Udrul som ny version", "problems": "Problemer",
    "no_problems": "Ingen problemer fundet – diagrammerne kan udrulles.", "diff": "Ændringer",
    "diff_files_added": "Nye filer", "diff_files_removed": "Fjernede filer", "diff_added": "Tilføjede elementer",
    "diff_removed": "Fjernede elementer", "diff_renamed": "Omdøbte elementer", "diff_forms": "Ændrede formularer",
    "diff_conditions": "Ændrede betingelser", "diff_other": "Andre ændringer", "diff_empty": "Ingen ændringer.",
    "file": "Fil", "edit_hint": "Redigér i browseren, validér og udrul. Kørende sager beholder deres version.",
    "sla_dashboard": "SLA-overblik", "open_cases": "Åbne sager", "warnings": "Advarsler", "breaches": "Brud",
    "paused_cases": "På pause", "compliance": "Overholdelse pr. team og uge", "week": "Uge", "finished": "Afsluttet",
    "breached": "Brudt", "met_percent": "Overholdt %", "outbox": "Udbakke", "dead_letters": "Døde breve",
    "retry": "Prøv igen", "attempts": "Forsøg", "last_error": "Sidste fejl", "kind": "Type",
    "instances": "Fejlede eller hængende sager", "error": "Fejl", "stuck": "hænger", "updated": "Opdateret",
    "prefect_runs": "Flow-kørsler i Prefect", "no_rows": "Intet at vise.", "created": "Oprettet",
    "error_title": "Noget gik galt", "forbidden": "Du har ikke adgang til dette.", "not_found": "Findes ikke.",
    "conflict": "Handlingen passer ikke til sagens tilstand.", "sign_in_intro": "Log ind med dit brugernavn.", "sign_in_oidc": "Log ind med regionens login",
    "claimed": "Du har taget opgaven.", "released": "Opgaven er sluppet.", "completed": "Opgaven er udført.",
    "case_opened": "Sagen er registreret.", "note_added": "Work Info er tilføjet.", "retried": "Sat i kø igen.",
    "deployed_ok": "Diagrammerne er udrullet som version", "reassigned": "Opgaven er flyttet.",
    "api_docs": "API-dokumentation", "chart_title": "Overholdt løsningsfrist pr. uge (%)", "back": "Tilbage",
    "home": "Forside", "no_area": "Din bruger har ingen rolle i arbejdslisten.", "public": "offentlig",
    "internal": "intern",
}

EN = {
    "app": "Sagsflow", "worklist": "Worklist", "new_case": "New case", "diagrams": "Process diagrams",
    "admin": "Administration", "sign_in": "Sign in", "sign_out": "Sign out", "username": "Username",
    "password": "Password", "signed_in_as": "Signed in as", "language": "Language",
    "view_mine": "Mine", "view_team": "My team", "view_unassigned": "Unassigned",
    "view_absent": "Absent colleagues' cases", "search": "Search", "search_placeholder": "Case number or text",
    "filter": "Filter", "all": "All", "priority": "Priority", "status": "Status", "team": "Team",
    "case": "Case", "task": "Task", "summary": "Summary", "deadline": "Deadline", "claimed_by": "Claimed by",
    "assignee": "Technician", "claim": "Claim", "unclaim": "Release", "open": "Open",
    "no_tasks": "No tasks in this view.", "reassign": "Move to", "reassign_button": "Move",
    "sla_none": "no deadline", "sla_paused": "paused", "sla_breach": "breached", "sla_warning": "due soon",
    "sla_ok": "on time", "reaction": "Reaction", "resolution": "Resolution", "left": "left", "ago": "ago",
    "register": "Register the case", "case_type": "Case type", "impact": "Impact", "urgency": "Urgency",
    "sla_level": "SLA level", "customer_name": "Customer name", "customer_email": "Customer e-mail",
    "customer_phone": "Customer phone", "new_case_intro": "Register the request; the first triage follows.",
    "impact_1": "1 – Extensive", "impact_2": "2 – Significant", "impact_3": "3 – Moderate", "impact_4": "4 – Minor",
    "urgency_1": "1 – Critical", "urgency_2": "2 – High", "urgency_3": "3 – Medium", "urgency_4": "4 – Low",
    "work_info": "Work Info", "open_tasks": "Open tasks", "deadlines": "Deadlines", "pauses": "Pauses",
    "process": "Process", "path_taken": "Path taken", "current_position": "Current position",
    "diagram_fallback": "The diagram needs JavaScript. The path so far:", "received": "Received",
    "started": "Started", "resolved": "Resolved", "closed": "Closed", "customer": "Customer",
    "add_note": "Add Work Info", "note_summary": "Heading", "note_text": "Text", "save": "Save",
    "complete": "Complete", "required": "required", "form_errors": "The form has errors – see the fields below.",
    "claimed_by_other": "The task is claimed by", "back_to_case": "Back to the case", "yes": "Yes", "no": "No",
    "choose": "Choose …", "no_open_tasks": "No open tasks.", "open_since": "created",
    "versions": "Versions", "version": "Version", "deployed": "Deployed", "deployed_by": "Deployed by",
    "files": "Files", "running_instances": "Running cases", "view": "View", "edit": "Edit", "compare": "Compare",
    "upload": "Upload file", "validate": "Validate", "deploy": "Deploy as a new version", "problems": "Problems",
    "no_problems": "No problems found – the diagrams can be deployed.", "diff": "Changes",
    "diff_files_added": "New files", "diff_files_removed": "Removed files", "diff_added": "Added elements",
    "diff_removed": "Removed elements", "diff_renamed": "Renamed elements", "diff_forms": "Changed forms",
    "diff_conditions": "Changed conditions", "diff_other": "Other changes", "diff_empty": "No changes.",
    "file": "File", "edit_hint": "Edit in the browser, validate and deploy. Running cases keep their version.",
    "sla_dashboard": "SLA dashboard", "open_cases": "Open cases", "warnings": "Warnings", "breaches": "Breaches",
    "paused_cases": "Paused", "compliance": "Compliance per team and week", "week": "Week", "finished": "Finished",
    "breached": "Breached", "met_percent": "Met %", "outbox": "Outbox", "dead_letters": "Dead letters",
    "retry": "Retry", "attempts": "Attempts", "last_error": "Last error", "kind": "Kind",
    "instances": "Failed or stuck cases", "error": "Error", "stuck": "stuck", "updated": "Updated",
    "prefect_runs": "Flow runs in Prefect", "no_rows": "Nothing to show.", "created": "Created",
    "error_title": "Something went wrong", "forbidden": "You do not have access to this.", "not_found": "Not found.",
    "conflict": "The action does not fit the case's state.", "sign_in_intro": "Sign in with your username.", "sign_in_oidc": "Sign in with the region's login",
    "claimed": "You claimed the task.", "released": "The task was released.", "completed": "The task is completed.",
    "case_opened": "The case is registered.", "note_added": "Work Info added.", "retried": "Queued again.",
    "deployed_ok": "The diagrams are deployed as version", "reassigned": "The task was moved.",
    "api_docs": "API documentation", "chart_title": "Resolution deadline met per week (%)", "back": "Back",
    "home": "Home", "no_area": "Your user has no role in the worklist.", "public": "public",
    "internal": "internal",
}

DA.update(workspace.DA)   # issue 12's texts live in their own table
EN.update(workspace.EN)
DA.update(security.DA)   # issue 9's texts
EN.update(security.EN)
DA.update(conversation.DA)   # issue 13's texts (conversation, attachments, notifications, absence)
EN.update(conversation.EN)

LABELS_EN = {
    "status": {"registered": "Registered", "in_triage": "In triage", "awaiting_distribution": "Awaiting distribution",
               "in_progress": "In progress", "waiting_for_customer": "Waiting for customer",
               "testing": "Test and acceptance", "resolved": "Resolved", "closed": "Closed", "rejected": "Rejected",
               "routed": "Routed"},
    "priority": {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"},
    "sla_level": {"platinum": "Platinum", "gold": "Gold", "silver": "Silver", "bronze": "Bronze"},
    "case_type": {"incident": "Incident", "service_request": "Service request", "change": "Change"},
}


def language_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("lang")
    return wanted if wanted in LANGUAGES else request.app.state.web.default_language


class Translator:
    """`t("key")` for UI text, `t.label("status", "in_triage")` for handbook labels."""

    def __init__(self, lang: str):
        self.lang = lang
        self._text = EN if lang == "en" else DA

    def __call__(self, key: str) -> str:
        return self._text.get(key) or DA.get(key) or key

    def label(self, group: str, value: str | None) -> str:
        if value is None:
            return "–"
        if self.lang == "en":
            return LABELS_EN.get(group, {}).get(value, value)
        return handbook().labels.get(group, {}).get(value, value)


def translator(lang: str) -> Callable[[str], str]:
    return Translator(lang)
