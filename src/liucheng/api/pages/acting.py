"""What the action pages share: errors in the reader's language, notices after an action,
and the confirmation step that destructive actions (return, transfer, delegate, remove a
signer, withdraw) go through.

The confirmation is a page of its own, not a `confirm()` dialog: it works without
JavaScript and under the Content-Security-Policy (no inline scripts). The action's form
posts once without `confirmed`; the answer repeats the values in hidden fields with
`confirmed=1` and a Confirm button.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from liucheng.api.pages.common import render, safe_next
from liucheng.errors import ValidationError
from liucheng.org.permissions import Principal
from liucheng.rules.validators import RuleProblem

ACTION_NOTICES = frozenset({
    "returned", "transferred", "delegated", "signers_added", "signer_removed", "urged",
    "copied", "commented", "supplement_requested", "supplement_received", "withdrawn",
    "uploaded", "copy_read", "notifications_read", "away_set"})


def problem_texts(exc: ValidationError, lang: str) -> dict[str, str]:
    """field → message, in the reader's language ('zh' or 'en'), first problem per field.

    Problems from the engine's rules carry both languages (with what to check as a hint);
    the others are already in the request's language or only in English.
    """
    out: dict[str, str] = {}
    for problem in exc.problems:
        text = problem.text(lang) if isinstance(problem, RuleProblem) else problem.message
        out.setdefault(problem.field or "_", text)
    return out


def with_notice(target: str | None, notice: str, default: str) -> str:
    """A local URL to go back to, with `notice=` for the message shown there."""
    url = safe_next(target, default)
    return url + ("&" if "?" in url else "?") + f"notice={notice}"


def confirmed(data: Mapping[str, Any]) -> bool:
    return str(data.get("confirmed") or "") == "1"


def confirm_page(request: Request, who: Principal, *, action: str, title: str,
                 question: str, params: dict[str, Any], fields: dict[str, Any],
                 back: str, button: str, section: str = "inbox") -> Response:
    """Ask before a destructive action: `question` (a catalogue key with `params`), the
    values to post again (`fields`), the page to go back to, and the button's text key."""
    return render(request, who, "confirm.html", title=title, section=section, confirm={
        "action": action, "title": title, "question": question, "params": params,
        "fields": [(k, v) for k, v in fields.items() if v not in (None, "")],
        "back": back, "button": button})


def refused(action: str | None, shown: set[str], errors: Mapping[str, str] | None
            ) -> str | None:
    """The error of a refused action whose form is no longer offered (so not shown there)."""
    if action is None or action in shown or not errors:
        return None
    return errors.get("_") or next(iter(errors.values()))
