"""Command handlers of events, registered in the interpreter's HANDLERS.

Besides the new commands (timers, messages, signals, migration) this wraps three
existing handlers without changing them: claiming and completing a task first check the
step's window, and retrying an event incident arms its timer again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from liucheng.engine import commands as c
from liucheng.engine import event_commands as ec
from liucheng.engine.calls import call_started, complete_call
from liucheng.engine.messages import broadcast, correlate
from liucheng.engine.migrate import migrate
from liucheng.engine.throws import catch_from_call
from liucheng.engine.timers import fail, fire, rearm_after_retry
from liucheng.engine.windows import check_window

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Handler = Callable[["Run", Any], None]


def event_handlers(base: dict[type[c.Command], Handler]) -> dict[type[c.Command], Handler]:
    claim, complete, retry = base[c.ClaimTask], base[c.CompleteTask], base[c.RetryIncident]

    def claim_in_window(run: Run, cmd: c.ClaimTask) -> None:
        task = run.state["tasks"].get(cmd.task)
        if (task is not None and run.state["status"] == "active" and task["assignee"] is None
                and task["element"] in run.definition.windowed):
            check_window(run, task, None, "claim")
        claim(run, cmd)

    def complete_in_window(run: Run, cmd: c.CompleteTask) -> None:
        task = run.state["tasks"].get(cmd.task)
        if (task is not None and run.state["status"] == "active"
                and task["element"] in run.definition.windowed):
            check_window(run, task, cmd.variables, "complete")
        complete(run, cmd)

    def retry_and_rearm(run: Run, cmd: c.RetryIncident) -> None:
        incident = run.state["incidents"].get(cmd.incident)
        retry(run, cmd)
        if incident is not None and "owner_token" in incident:
            rearm_after_retry(run, incident)

    return {
        c.ClaimTask: claim_in_window,
        c.CompleteTask: complete_in_window,
        c.RetryIncident: retry_and_rearm,
        ec.FireTimer: fire,
        ec.FailTimer: fail,
        ec.CorrelateMessage: correlate,
        ec.BroadcastSignal: broadcast,
        ec.MigrateInstance: migrate,
        ec.CallStarted: call_started,
        ec.CompleteCall: complete_call,
        ec.CatchFromCall: catch_from_call,
    }
