"""The SLA badge of a case or task (H-S): the deadline that matters, its countdown and state word.
One Python function instead of a Jinja macro (issue 15): the worklist shows 200 of them per page, and
the macro's call machinery cost ~20 µs a badge (4-5 ms of a worklist page); this gives the same HTML
in a fraction of that. `_macros.html`'s `sla_badge` calls it, so every page shows the same badge
(web.templating registers it as the template global `sla_badge_html`)."""
from __future__ import annotations

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from web.templating import countdown, local_time


def badge_words(t) -> Markup:
    """The badge words the browser's countdown switches between, as the badge's data-words JSON."""
    return htmlsafe_json_dumps({"ok": t("sla_ok"), "warning": t("sla_warning"), "breach": t("sla_breach")},
                               sort_keys=True)


def sla_badge(clock, t, words=None) -> Markup:
    """`clock`: a services.worklist.SlaClock; `t`: the page's translator; `words`: badge_words(t) when a
    list computes them once."""
    state = clock.state
    if state in ("met", "missed"):
        target = escape(t(clock.target))
        return Markup(f'<span class="badge sla-{escape(state)}" data-sla="{escape(state)}" title="{target}: '
                      f'{escape(local_time(clock.due_at))}">{target}: {escape(t("sla_" + state))}'
                      f'{" ✓" if state == "met" else ""}</span>')
    if state == "none":
        return Markup(f'<span class="badge sla-none" data-sla="none">{escape(t("sla_none"))}</span>')
    if state == "paused":
        return Markup(f'<span class="badge sla-paused" data-sla="paused">{escape(t(clock.target))}: '
                      f'{escape(t("sla_paused"))}</span>')
    target = escape(t(clock.target))
    warn = f'data-warn="{escape(clock.warn_at.isoformat())}"' if clock.warn_at else ""
    return Markup(f'<span class="badge sla-{escape(state)}" data-sla="{escape(state)}" '
                  f'data-due="{escape(clock.due_at.isoformat())}"\n'
                  f"          data-words='{escape(words or badge_words(t))}'\n"
                  f"          {warn}\n"
                  f'          title="{target}: {escape(local_time(clock.due_at))}">\n'
                  f'      {target}: <span class="countdown">{escape(countdown(clock.seconds_left))}</span>\n'
                  f'      <span class="sla-word">{escape(t("sla_" + state))}</span>\n'
                  f"    </span>")
