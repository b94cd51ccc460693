"""User-facing text of the conversation, attachments, notifications and absence (issue 13) and the mail
quarantine (issue 9). Merged into web.i18n's DA/EN tables."""
from __future__ import annotations

DA = {
    "contacts": "Kontakter", "contact_customer": "Kunde", "contact_end_user": "Slutbruger",
    "no_email": "Sagen har ingen e-mailadresse: kunden kan kun kontaktes på telefon. Tilføj en adresse herunder.",
    "edit_contacts": "Ret kontakter", "save_contacts": "Gem kontakter", "reassign_case_to": "Omfordel sagen til",
    "reassign_case": "Omfordel", "conversation": "Samtale med kunden", "to": "Til", "from": "Fra",
    "unverified_help": "Afsenderen kunne ikke bekræftes (ukendt adresse eller ikke svar på vores mail). "
                       "Mailen tæller først, når du godkender den.",
    "accept_mail": "Godkend som kundens svar", "reject_mail": "Afvis", "no_mails": "Ingen mails på sagen endnu.",
    "write_to_customer": "Skriv til kunden", "message_title": "Emne (valgfrit)", "message": "Besked",
    "message_hint": "Mailen får sagsnummeret i emnet, din underskrift, og registreres som offentlig Work Info.",
    "send_to_customer": "Send til kunden",
    "no_email_call": "Sagen har ingen e-mailadresse – ring til kunden, eller tilføj en adresse under Kontakter.",
    "attachments": "Vedhæftede filer", "no_files": "Ingen filer.", "from_customer_mail": "fra kundens mail",
    "from_unverified_mail": "fra ubekræftet mail", "attach_file": "Vedhæft fil (fx et skærmbillede, højst",
    "attach": "Vedhæft", "work_log_type": "Work Info-type", "visibility": "Synlighed",
    "visibility_internal": "Intern", "visibility_public": "Offentlig (kunden kan se den)",
    "notifications": "Beskeder", "mark_all_read": "Markér alle som læst", "no_notifications": "Ingen beskeder.",
    "new_badge": "Ny", "notification_choices": "Hvad vil du have besked om?",
    "notification_hint": "Beskeder vises her og sendes som intern mail til din adresse.",
    "absence": "Fravær", "absence_who": "Hvem", "absence_from": "Fra", "absence_until": "Til",
    "absence_note": "Bemærkning", "absence_by": "Registreret af", "absence_none": "Intet fravær registreret.",
    "absence_me": "Mig selv", "absence_end": "Afslut", "absence_add": "Registrér fravær",
    "absence_note_placeholder": "fx ferie, kursus",
    "quarantine": "Mails i karantæne", "quarantine_intro": "Mails, som postlæseren ikke kunne gemme. De er gemt "
    "uændret her, og resten af postkassen er behandlet. Ret årsagen, og tryk Behandl igen – eller registrér "
    "indholdet på sagen i hånden.", "quarantine_empty": "Ingen mails i karantæne.", "quarantine_retry": "Behandl igen",
    "received_at": "Modtaget", "sender": "Afsender", "subject": "Emne", "quarantine_reason": "Årsag", "size": "Størrelse",
}

EN = {
    "contacts": "Contacts", "contact_customer": "Customer", "contact_end_user": "End user",
    "no_email": "The case has no e-mail address: the customer can only be phoned. Add an address below.",
    "edit_contacts": "Edit contacts", "save_contacts": "Save contacts", "reassign_case_to": "Reassign the case to",
    "reassign_case": "Reassign", "conversation": "Conversation with the customer", "to": "To", "from": "From",
    "unverified_help": "The sender could not be verified (unknown address or not a reply to our mail). "
                       "The mail counts only once you accept it.",
    "accept_mail": "Accept as the customer's reply", "reject_mail": "Reject", "no_mails": "No mails on the case yet.",
    "write_to_customer": "Write to the customer", "message_title": "Subject (optional)", "message": "Message",
    "message_hint": "The mail carries the case number in its subject and your signature, and is public Work Info.",
    "send_to_customer": "Send to the customer",
    "no_email_call": "The case has no e-mail address – phone the customer, or add an address under Contacts.",
    "attachments": "Attachments", "no_files": "No files.", "from_customer_mail": "from the customer's mail",
    "from_unverified_mail": "from an unverified mail", "attach_file": "Attach a file (e.g. a screenshot, at most",
    "attach": "Attach", "work_log_type": "Work Info type", "visibility": "Visibility",
    "visibility_internal": "Internal", "visibility_public": "Public (the customer can see it)",
    "notifications": "Notifications", "mark_all_read": "Mark all read", "no_notifications": "No notifications.",
    "new_badge": "New", "notification_choices": "What do you want to be told about?",
    "notification_hint": "Notifications are shown here and sent as an internal mail to your address.",
    "absence": "Absence", "absence_who": "Who", "absence_from": "From", "absence_until": "Until",
    "absence_note": "Note", "absence_by": "Recorded by", "absence_none": "No absence recorded.",
    "absence_me": "Myself", "absence_end": "End", "absence_add": "Record absence",
    "absence_note_placeholder": "e.g. holiday, course",
    "quarantine": "Quarantined mails", "quarantine_intro": "Mails the mail reader could not store. They are kept "
    "unchanged here and the rest of the mailbox was processed. Fix the cause and press Handle again – or record "
    "the content on the case by hand.", "quarantine_empty": "No quarantined mails.", "quarantine_retry": "Handle again",
    "received_at": "Received", "sender": "Sender", "subject": "Subject", "quarantine_reason": "Reason", "size": "Size",
}
