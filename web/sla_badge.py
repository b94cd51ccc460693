"""The SLA badge of a case or task (H-S): the deadline that matters, its countdown and state word.
One Python function instead of a Jinja macro (issue 15): the worklist shows 200 of them per page, and
the macro's call machinery cost ~20 µs a badge (4-5 ms of a worklist page); this gives the same HTML
in a fraction of that. `_macros.html`'s `sla_badge` calls it, so every page shows the same badge
(web.templating registers it as the template global `sla_badge_html`)."""
from __future__ import annotations

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from web.templating import countdown, local_time


def html_text(value) -> str:
    """What markupsafe.escape makes of a value (the same five characters, the same entities; Markup as it
    is), as a plain str: without a Markup object per value, a fifth of the cost (200 rows x ~20 values)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return (str(value).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


def badge_words(t) -> Markup:
    """The badge words the browser's countdown switches between, as the badge's data-words JSON."""
    return htmlsafe_json_dumps({"ok": t("sla_ok"), "warning": t("sla_warning"), "breach": t("sla_breach")},
                               sort_keys=True)


def sla_badge(clock, t, words=None) -> Markup:
    """`clock`: a services.sla_clock.SlaClock; `t`: the page's translator; `words`: badge_words(t) when a
    list computes them once."""
    state = clock.state
    if state in ("met", "missed"):
        target = html_text(t(clock.target))
        return Markup(f'<span class="badge sla-{html_text(state)}" data-sla="{html_text(state)}" title="{target}: '
                      f'{html_text(local_time(clock.due_at))}">{target}: {html_text(t("sla_" + state))}'
                      f'{" ✓" if state == "met" else ""}</span>')
    if state == "none":
        return Markup(f'<span class="badge sla-none" data-sla="none">{html_text(t("sla_none"))}</span>')
    if state == "paused":
        return Markup(f'<span class="badge sla-paused" data-sla="paused">{html_text(t(clock.target))}: '
                      f'{html_text(t("sla_paused"))}</span>')
    target = html_text(t(clock.target))
    warn = f'data-warn="{html_text(clock.warn_at.isoformat())}"' if clock.warn_at else ""
    return Markup(f'<span class="badge sla-{html_text(state)}" data-sla="{html_text(state)}" '
                  f'data-due="{html_text(clock.due_at.isoformat())}"\n'
                  f"          data-words='{html_text(words or badge_words(t))}'\n"
                  f"          {warn}\n"
                  f'          title="{target}: {html_text(local_time(clock.due_at))}">\n'
                  f'      {target}: <span class="countdown">{html_text(countdown(clock.seconds_left))}</span>\n'
                  f'      <span class="sla-word">{html_text(t("sla_" + state))}</span>\n'
                  f"    </span>")
