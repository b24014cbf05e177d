"""Step windows enforced: claiming or completing a step outside its window is refused.

The window (`model/windows.py`) is reckoned from its reference date — read from the
case's variables, and on completion also from the form data being submitted, since the
date often comes with the filing itself. A claim before the reference date is known is
allowed; the completion then decides. The refusal names the next open window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from liucheng.calendar import BusinessCalendar, Window, next_window_after, window_for
from liucheng.errors import ExpressionError, StateError
from liucheng.model import UserTask
from liucheng.model.windows import StepWindow, parse_window
from liucheng.rules.expressions import compile_expression

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run


def step_window(element: UserTask) -> StepWindow | None:
    """The step's window, or None (the definition was validated, so it parses)."""
    if "window" not in element.extensions:
        return None
    return parse_window(element.extensions["window"], element=element.id, line=element.line)


def as_date(value: Any, cal: BusinessCalendar) -> date | None:
    """A date from a date, a date-time (in the calendar's zone) or an ISO text; else None."""
    if isinstance(value, datetime):
        return value.astimezone(cal.zone).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return as_date(datetime.fromisoformat(value.strip()), cal)
        except ValueError:
            return None
    return None


def open_on(window: StepWindow, reference: date | None, today: date,
            cal: BusinessCalendar) -> tuple[bool, Window | None, str | None]:
    """(open today?, the window to name in a refusal, a note on a later reopening)."""
    if window.rule is None:  # days_before / days_after around the reference
        assert reference is not None
        opens = None if window.days_before is None else reference - timedelta(
            days=window.days_before)
        closes = None if window.days_after is None else reference + timedelta(
            days=window.days_after)
        if (opens is None or opens <= today) and (closes is None or today <= closes):
            return True, None, None
        if closes is not None and today > closes:
            return False, None, f"it closed on {closes.isoformat()}"
        assert opens is not None
        days = (closes - opens).days + 1 if closes is not None else 1
        span = Window(tuple(opens + timedelta(days=i) for i in range(days)))
        return False, span, None if closes is not None else "and stays open from then on"
    if reference is None:
        current = next_window_after(window.rule, today, cal=cal)
        return current.contains(today), current, None
    first = window_for(window.rule, reference, cal=cal)
    if first.contains(today):
        return True, None, None
    if today <= first.close_date:
        return False, first, None
    if not window.repeat:
        return False, None, f"it closed on {first.close_date.isoformat()}"
    current = next_window_after(window.rule, today, cal=cal)
    return current.contains(today), current, None


def check_window(run: Run, task: Mapping[str, Any], data: Mapping[str, Any] | None,
                 action: str) -> None:
    """Raise StateError when `action` on `task` falls outside its step's window today."""
    element = run.definition.element(task["element"])
    if not isinstance(element, UserTask):
        return
    window = step_window(element)
    if window is None:
        return
    cal = run.ctx.calendar
    today = run.ctx.now.astimezone(cal.zone).date()
    reference: date | None = None
    if window.reference is not None:
        scope = run.state["tokens"][task["token"]]["scope"]
        variables = {**run.variables(scope), **(task.get("draft") or {}), **(data or {})}
        try:
            functions = cast(Mapping[str, Callable[..., Any]], run.functions)
            value = compile_expression(window.reference).evaluate(variables, functions)
        except ExpressionError:
            value = None
        reference = as_date(value, cal)
        if reference is None:
            if action == "claim" or any(f.id == window.reference for f in element.form):
                return  # the date comes with the form; completing checks it
            raise StateError(f"the window of '{_name(element)}' is reckoned from "
                             f"'{window.reference}', which the case does not hold yet",
                             element=element.id, task=task["id"],
                             hint=f"set '{window.reference}' first",
                             message_zh=f"“{_name(element)}”的{window.names()[0]}从"
                                        f"“{window.reference}”起算，但此业务还没有这项数据",
                             hint_zh=f"请先填写“{window.reference}”")
    ok, shown, note = open_on(window, reference, today, cal)
    if ok:
        return
    zh, en = window.names()
    done = {"claim": "claimed", "complete": "completed"}.get(action, action)
    text = f"'{_name(element)}' can be {done} only in its {en}"
    zh_text = f"不在{zh}内"
    again = shown.next_open_day(today) if shown is not None else None
    if shown is not None:
        text += f" ({shown}); today, {today.isoformat()}, is outside it"
        if again is not None and again > today:
            text += f"; it next opens on {again.isoformat()}"
            zh_text += f"，{again.isoformat()} 起可办理"
    if note:
        text += f" {note}" if note.startswith("and") else f"; {note}"
    raise StateError(f"{zh_text} — {text}", element=element.id, task=task["id"],
                     message_zh=f"“{_name(element)}”今天{zh_text}",
                     today=today.isoformat(), window=shown.to_dict() if shown else None,
                     next_open=(again or shown.open_date).isoformat() if shown else None)


def _name(element: UserTask) -> str:
    return element.name.get() or element.id
