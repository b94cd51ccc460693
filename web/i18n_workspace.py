"""User-facing text of the service desk's workspace (issue 12): the case list, the case beside the
form, re-prioritising. Merged into web.i18n's DA/EN tables."""
from __future__ import annotations

DA = {
    "cases": "Sager", "cases_view_all": "Alle", "cases_view_open": "Åbne", "cases_view_waiting": "Venter",
    "cases_search_placeholder": "Tekst, kunde, sagsnummer eller Remedy-nummer", "cases_sla": "SLA",
    "cases_from": "Modtaget fra", "cases_to": "Modtaget til", "cases_sort": "Sortér",
    "cases_sort_received_desc": "Nyeste først", "cases_sort_received": "Ældste først",
    "cases_sort_due": "Nærmeste frist", "cases_sort_priority": "Prioritet", "cases_sort_number": "Sagsnummer",
    "cases_found": "Fundne sager", "cases_none": "Ingen sager passer til søgningen.",
    "cases_waiting": "venter på kunden", "cases_pages": "Sider", "cases_prev": "Forrige", "cases_next": "Næste",
    "cases_page": "Side",
}

EN = {
    "cases": "Cases", "cases_view_all": "All", "cases_view_open": "Open", "cases_view_waiting": "Waiting",
    "cases_search_placeholder": "Text, customer, case number or Remedy number", "cases_sla": "SLA",
    "cases_from": "Received from", "cases_to": "Received to", "cases_sort": "Sort",
    "cases_sort_received_desc": "Newest first", "cases_sort_received": "Oldest first",
    "cases_sort_due": "Nearest deadline", "cases_sort_priority": "Priority", "cases_sort_number": "Case number",
    "cases_found": "Cases found", "cases_none": "No cases match the search.",
    "cases_waiting": "waiting for the customer", "cases_pages": "Pages", "cases_prev": "Previous", "cases_next": "Next",
    "cases_page": "Page",
}

DA.update({"cc_proposal": "Forslaget, der skal tages stilling til", "cc_triage": "Visitation",
           "cc_latest_work_info": "Seneste Work Info", "cc_all_work_info": "Al Work Info på sagen"})
EN.update({"cc_proposal": "The proposal to decide on", "cc_triage": "Triage",
           "cc_latest_work_info": "Latest Work Info", "cc_all_work_info": "All Work Info on the case"})

# Remedy's Work Log Types (config/handbook.yaml work_log_types) as a Danish reader knows them
WORK_LOG_TYPES_DA = {
    "General Information": "Generel information", "Working Log": "Arbejdslog",
    "Incident Task / Action": "Opgave / handling", "Customer Communication": "Kundekommunikation",
    "Resolution Communications": "Løsning", "Customer Follow-up": "Kundeopfølgning",
    "Closure Follow Up": "Afslutning", "Paging System": "Driftsvagt", "Detail Clarification": "Uddybning",
    "Email System": "E-mail", "Status Update": "Statusopdatering", "Customer Status Update": "Status til kunden",
}

DA.update({"start_work": "Påbegynd"})
EN.update({"start_work": "Start work"})

DA.update({"reprioritise": "Ændr prioritet", "reprioritise_button": "Ændr prioritet", "reason": "Begrundelse",
           "coverage": "Dækning", "coverage_level": "Efter SLA-niveau", "coverage_24x7": "24 × 7 efter aftale",
           "priority_changed": "Prioriteten er nu", "on_call_started": "driftsvagten er underrettet",
           "customer_answer": "Registrér kundens svar eller opkald", "answer_channel": "Modtaget via",
           "answer_text": "Kundens svar", "channel_phone": "Telefon", "channel_mail": "E-mail",
           "channel_in_person": "Personligt", "answer_registered": "Kundens svar er registreret på sagen."})
EN.update({"reprioritise": "Change priority", "reprioritise_button": "Change priority", "reason": "Reason",
           "coverage": "Coverage", "coverage_level": "By SLA level", "coverage_24x7": "24 × 7 by agreement",
           "priority_changed": "The priority is now", "on_call_started": "on-call has been notified",
           "customer_answer": "Register the customer's answer or call", "answer_channel": "Received via",
           "answer_text": "The customer's answer", "channel_phone": "Phone", "channel_mail": "E-mail",
           "channel_in_person": "In person", "answer_registered": "The customer's answer is registered on the case."})

DA.update({"sla_met": "overholdt", "sla_missed": "overskredet"})
EN.update({"sla_met": "met", "sla_missed": "missed"})

DELIVERY_KINDS_DA = {"mail": "Mail", "notification": "Besked", "call": "Opkald", "remedy": "Remedy"}
DELIVERY_STATUS_DA = {"pending": "venter", "sent": "sendt", "dead": "død", "claimed": "sendes"}

DA.update({"cases_more_than": "over"})
EN.update({"cases_more_than": "more than"})
