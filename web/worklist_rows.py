"""The rows of the worklist table (H-R2.2): deadline badge (H-S), case, task, priority, status, team,
who holds it, and claim / release / reassign. Made in Python rather than in a Jinja loop (issue 15):
a page shows 200 rows, and Jinja's per-expression cost (attribute lookups, calls, escapes) came to
~25 µs a row — 5 ms a page; this gives the same HTML, every value escaped (html_text), in a fraction of that.
worklist.html keeps the page around them."""
from __future__ import annotations

from markupsafe import Markup

from web.sla_badge import html_text, sla_badge
from web.templating import person


def worklist_rows(items, *, t, csrf: str, username: str, view: str, teams: dict, absent: list,
                  members: dict, words: str) -> Markup:
    """`items`: services.worklist.WorklistItem; `teams`: code -> name of the user's teams; `absent`:
    absent usernames; `members`: team -> present members (a coordinator's teams, for reassignment);
    `words`: the badge words as JSON (web.sla_badge.badge_words)."""
    csrf_input = f'<input type="hidden" name="csrf_token" value="{html_text(csrf)}">'
    claim = (f'/claim" class="inline">{csrf_input}<button type="submit">{html_text(t("claim"))}</button></form>'
             "\n        ")
    unclaim = (f'/unclaim" class="inline">{csrf_input}<button type="submit" class="secondary">'
               f'{html_text(t("unclaim"))}</button></form>\n        ')
    assignee_text = f" <small>({html_text(t('assignee').lower())})</small>"
    absent_text = f' <span class="badge absent">{html_text(t("view_absent"))}</span>'
    out = []
    for item in items:
        task_id, number = html_text(item.task_id), html_text(item.case_number)
        claimed_by = item.claimed_by
        holder = claimed_by or (item.assignee if item.role == "member" else None)
        remedy = (f' <small class="remedy-number" title="Remedy">{html_text(item.remedy_number)}</small>'
                  if item.remedy_number else "")
        held = (f"{html_text(person(holder))}{assignee_text if holder and not claimed_by else ''}"
                f"{absent_text if holder in absent else ''}")
        if not claimed_by:
            action = f'\n          <form method="post" action="/tasks/{task_id}{claim}'
        elif claimed_by == username:
            action = f'\n          <form method="post" action="/tasks/{task_id}{unclaim}'
        else:
            action = ""
        if view == "absent" and item.team in members:
            options = "".join(f"<option>{html_text(u)}</option>" for u in members[item.team])
            reassign = (f'\n          <form method="post" action="/tasks/{task_id}/reassign" class="inline reassign">'
                        f'{csrf_input}\n            <label>{html_text(t("reassign"))} <select name="to_user">'
                        f'{options}</select></label>\n'
                        f'            <button type="submit">{html_text(t("reassign_button"))}</button></form>\n        ')
        else:
            reassign = ""
        out.append(
            f'\n    <tr data-task="{task_id}" data-case="{number}">\n'
            f'      <td>{sla_badge(item.sla, t, words)}</td>\n'
            f'      <td><a href="/cases/{number}">{number}</a>{remedy}<br>'
            f'<small>{html_text(item.summary)}</small></td>\n'
            f'      <td><a href="/tasks/{task_id}" class="task-link">{html_text(item.task_name)}</a></td>\n'
            f'      <td><span class="prio prio-{html_text(item.priority or "none")}">'
            f'{html_text(t.label("priority", item.priority))}</span></td>\n'
            f'      <td class="wide">{html_text(t.label("status", item.status))}</td>\n'
            f'      <td class="wide">{html_text(teams.get(item.team, item.team))}</td>\n'
            f'      \n'
            f'      <td class="wide">{held}</td>\n'
            f'      <td class="actions">\n'
            f'        {action}\n'
            f'        {reassign}\n'
            f'      </td>\n'
            f'    </tr>\n  ')
    return Markup("".join(out))
