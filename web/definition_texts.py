"""Texts of the process owners' pages added by issue 10 (deployments, roll back, replay), kept apart
from web/i18n.py so the shared table stays small. `texts(lang)` gives a `dt("key")` function."""
from __future__ import annotations

DA = {
    "current": "Aktuel", "current_hint": "Nye sager starter på den aktuelle version; kørende sager beholder deres.",
    "deployments": "Udrulninger", "comment": "Kommentar", "deploy_again": "Udrul denne version igen",
    "deploy_again_hint": "Rul tilbage (eller frem) ved at gøre en tidligere version aktuel igen.",
    "release": "udgivelsen", "simulate": "Simulér", "simulate_title": "Simulering af de seneste sager",
    "simulate_hint": "Genafspiller de registrerede svar fra de seneste sager på den redigerede version – uden at "
                     "noget gemmes eller sendes.",
    "sim_summary": "{n} sager: {same} uændrede, {changed} ændret forløb, {failed} ville fejle, {answers} mangler svar.",
    "sim_same": "Samme forløb", "sim_changed": "Forløbet ændres ved", "sim_failed": "Ville fejle ved",
    "sim_needs_answers": "Mangler svar på nye felter", "sim_now_asks": "spørger nu om", "sim_instead_of": "i stedet for",
    "sim_examples": "Eksemplerne i docs/examples",
}
EN = {
    "current": "Current", "current_hint": "New cases start on the current version; running cases keep theirs.",
    "deployments": "Deployments", "comment": "Comment", "deploy_again": "Deploy this version again",
    "deploy_again_hint": "Roll back (or forward) by making an earlier version current again.",
    "release": "the release", "simulate": "Simulate", "simulate_title": "Replay of the latest cases",
    "simulate_hint": "Replays the recorded answers of the latest cases on the edited version – nothing is saved or sent.",
    "sim_summary": "{n} cases: {same} unchanged, {changed} path changed, {failed} would fail, {answers} need answers.",
    "sim_same": "Same path", "sim_changed": "Path changes at", "sim_failed": "Would fail at",
    "sim_needs_answers": "Needs answers to new fields", "sim_now_asks": "now asks", "sim_instead_of": "instead of",
    "sim_examples": "The examples in docs/examples",
}


def texts(lang: str):
    table = EN if lang == "en" else DA

    def dt(key: str) -> str:
        return table.get(key) or DA.get(key) or key
    return dt


def describe_replay(replay, lang: str) -> str:
    """One replayed case in the reader's language (the CLI uses Replay.describe, in English)."""
    if lang == "en":
        return replay.describe()
    where = f"«{replay.element_name or replay.element}»"
    if replay.outcome == "changed":
        asks = ", ".join(f"«{n}»" for n in replay.now_asks) or "intet (processen slutter eller venter)"
        return f"Forløbet ændres ved {where}: spørger nu om {asks} i stedet"
    if replay.outcome == "failed":
        return f"Ville fejle ved {where}: {replay.error}"
    if replay.outcome == "needs_answers":
        return f"Mangler svar på nye felter ved {where}: {', '.join(replay.fields)}"
    return f"Samme forløb ({replay.steps} trin)"
