"""Timers in the pure core: catch events, boundary timers on steps and sub-processes,
cycles, stale firings, returns that arm again — every command checked by the harness
(save → restore → continue and replay)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from engine_harness import ADMIN, Case

from liucheng.engine.commands import Actor, ReturnTask
from liucheng.engine.event_commands import FailTimer, FireTimer
from liucheng.errors import ModelError

SYSTEM = Actor("system", admin=True)
SHANGHAI = "+08:00"


def timers(case: Case, element: str | None = None) -> list[dict]:
    assert case.state is not None
    return [t for t in case.state.get("timers", {}).values()
            if element is None or t["element"] == element]


def fire(case: Case, element: str, *, on_time: bool = True) -> None:
    """Fire the armed timer of `element` at its due moment (the clock jumps there)."""
    (timer,) = timers(case, element)
    if on_time:
        case.now = datetime.fromisoformat(timer["due_at"])
    case.run(FireTimer(SYSTEM, timer["id"]))


def local(text: str) -> datetime:
    return datetime.fromisoformat(text + SHANGHAI)


WAIT = """
process: waiting
roles: {clerk: 办事员}
steps:
  - id: cool_off
    type: timer
    wait: {working_days: 2}
  - id: sign
    role: clerk
"""


def test_a_timer_step_waits_two_working_days_across_the_spring_festival() -> None:
    case = Case(WAIT)
    case.now = local("2026-02-13T16:00")  # Friday before the Spring Festival
    case.start()
    (timer,) = timers(case, "cool_off")
    # Fri 16:00–17:30 (1.5 h), Sat 14 Feb is a swapped working day (7.5 h), then the
    # festival until Mon 23 Feb; Tue 24 Feb 08:30 + the last 6 h = 16:00
    assert datetime.fromisoformat(timer["due_at"]) == local("2026-02-24T16:00")
    assert case.state is not None
    assert case.state["tokens"][timer["token"]]["status"] == "event"
    assert case.open_steps() == []
    fire(case, "cool_off")
    assert case.open_steps() == ["sign"]
    assert timers(case) == []


def test_iso_durations_dates_and_until_expressions() -> None:
    case = Case(WAIT.replace("wait: {working_days: 2}", "wait: P1DT2H"))
    case.now = local("2026-03-02T10:00")
    case.start()
    assert datetime.fromisoformat(timers(case)[0]["due_at"]) == local("2026-03-03T12:00")

    dated = Case(WAIT.replace("wait: {working_days: 2}", "date: 2026-03-20T09:30"))
    dated.start()
    assert datetime.fromisoformat(timers(dated)[0]["due_at"]) == local("2026-03-20T09:30")

    until = Case(WAIT.replace("wait: {working_days: 2}", "until: contract.signed_on"))
    until.start(contract={"signed_on": "2026-10-10T14:00:00+08:00"})
    assert datetime.fromisoformat(timers(until)[0]["due_at"]) == local("2026-10-10T14:00")


def test_an_until_expression_without_its_data_is_an_incident_until_retried() -> None:
    case = Case(WAIT.replace("wait: {working_days: 2}", "until: pay_date"))
    case.start()
    assert [i["element"] for i in case.incidents()] == ["cool_off"]
    assert timers(case) == []
    case.set(pay_date="2026-03-27").retry()
    assert datetime.fromisoformat(timers(case)[0]["due_at"]) == local("2026-03-27T00:00")


def test_on_the_27th_rolled_earlier_when_it_is_a_rest_day() -> None:
    case = Case(WAIT.replace("wait: {working_days: 2}", 'rule: {day: 27, roll: earlier}\n'
                             '    at: "09:00"'))
    case.now = local("2026-09-01T10:00")
    case.start()
    # 27 Sep 2026 is a Sunday, the 26th a Saturday, the 25th Mid-Autumn → Thu 24 Sep
    assert datetime.fromisoformat(timers(case)[0]["due_at"]) == local("2026-09-24T09:00")
    june = Case(WAIT.replace("wait: {working_days: 2}", "day: 27\n    roll: earlier"))
    june.now = local("2026-06-01T10:00")
    june.start()
    assert datetime.fromisoformat(timers(june)[0]["due_at"]) == local("2026-06-26T09:00")


REVIEW = """
process: review
roles: {clerk: 办事员, lead: 组长}
steps:
  - id: draft
    role: clerk
  - id: approve
    role: lead
    timers:
      - {id: remind, after: {working_hours: 4}, interrupting: false, next: nudge}
      - {id: too_late, after: {working_days: 3}, next: escalate}
  - id: archive
    role: clerk
  - id: done
    type: end
  - id: nudge
    role: lead
    next: nudge_end
  - id: nudge_end
    type: end
  - id: escalate
    role: lead
    next: archive
"""


def test_boundary_timers_are_armed_when_the_step_opens_and_cancelled_when_it_ends() -> None:
    case = Case(REVIEW)
    case.now = local("2026-03-02T09:00")
    case.start()
    assert timers(case) == []
    case.complete("draft")
    assert sorted(t["element"] for t in timers(case)) == ["remind", "too_late"]
    (remind,) = timers(case, "remind")
    assert datetime.fromisoformat(remind["due_at"]) == local("2026-03-02T14:35")
    fire(case, "remind")  # non-interrupting: a second path, the step stays open
    assert case.open_steps() == ["approve", "nudge"]
    assert [t["element"] for t in timers(case)] == ["too_late"]
    case.complete("approve")
    assert timers(case) == []
    assert [e["element"] for e in case.events if e["type"] == "timer_cancelled"] == ["too_late"]
    assert case.open_steps() == ["archive", "nudge"]
    case.complete("nudge").complete("archive")
    assert case.status == "completed"


def test_an_interrupting_timer_ends_the_step_and_takes_its_own_route() -> None:
    case = Case(REVIEW).start().complete("draft")
    approve_task = case.task_id("approve")
    fire(case, "too_late")
    assert case.open_steps() == ["escalate"]
    cancelled = [e for e in case.events if e["type"] == "task_cancelled"]
    assert [e["task"] for e in cancelled] == [approve_task]
    assert timers(case) == []  # the reminder went with the step
    case.complete("escalate").complete("archive")
    assert case.status == "completed"


def test_a_stale_or_unknown_timer_is_ignored() -> None:
    case = Case(REVIEW).start().complete("draft")
    (old,) = timers(case, "too_late")
    case.complete("approve")
    before = list(case.events)
    case.run(FireTimer(SYSTEM, old["id"]))
    case.run(FireTimer(SYSTEM, "no-such-timer"))
    assert case.events == before
    assert case.open_steps() == ["archive"]


def test_a_step_entered_again_after_a_return_gets_fresh_timers() -> None:
    case = Case(REVIEW).start().complete("draft")
    first = {t["id"] for t in timers(case)}
    case.run(ReturnTask(ADMIN, case.task_id("approve"), "draft"))
    assert timers(case) == []
    case.complete("draft")
    again = {t["id"] for t in timers(case)}
    assert len(again) == 2 and not again & first
    for old in first:  # firing a timer of the first visit does nothing
        before = len(case.events)
        case.run(FireTimer(SYSTEM, old))
        assert len(case.events) == before


CYCLE = """
process: chase
roles: {clerk: 办事员}
steps:
  - id: collect
    role: clerk
    timers:
      - {id: chase, cycle: R3/PT1H, interrupting: false}
"""


def test_a_repeating_reminder_fires_three_times_and_notifies_the_pool() -> None:
    case = Case(CYCLE)
    case.now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    case.start()
    dues = []
    for _ in range(3):
        (timer,) = timers(case, "chase")
        dues.append(timer["due_at"])
        fire(case, "chase")
        assert [e["kind"] for e in case.effects if e["type"] == "notify"] == ["urge"]
        assert case.effects[0]["roles"] == ["clerk"]
    assert dues == ["2026-03-02T02:00:00+00:00", "2026-03-02T03:00:00+00:00",
                    "2026-03-02T04:00:00+00:00"]
    assert timers(case) == []
    assert case.open_steps() == ["collect"]
    assert sum(e["type"] == "reminder_sent" for e in case.events) == 3


SUB = """
process: registration
roles: {officer: 经办人}
steps:
  - id: register
    type: subprocess
    timers: [{id: give_up, after: P10D, next: report}]
    steps:
      - id: hand_in
        type: parallel
        branches:
          - - {id: pay_fee, role: officer}
          - - {id: collect, role: officer, timers: [{id: ask, after: PT2H, interrupting: false}]}
  - id: done
    type: end
  - id: report
    role: officer
"""


def test_an_interrupting_timer_on_a_sub_process_ends_everything_inside() -> None:
    case = Case(SUB).start()
    assert case.open_steps() == ["collect", "pay_fee"]
    assert sorted(t["element"] for t in timers(case)) == ["ask", "give_up"]
    fire(case, "give_up")
    assert case.open_steps() == ["report"]
    assert timers(case) == []
    assert case.state is not None and len(case.state["scopes"]) == 1
    case.complete("report")
    assert case.status == "completed"


def test_a_timer_that_could_not_be_fired_becomes_an_incident_and_retry_arms_it() -> None:
    case = Case(REVIEW).start().complete("draft")
    (late,) = timers(case, "too_late")
    case.run(FailTimer(SYSTEM, late["id"], "database went away"))
    (incident,) = case.incidents()
    assert incident["element"] == "too_late" and "database went away" in incident["reason"]
    assert case.open_steps() == ["approve"]  # the step itself is untouched
    assert timers(case, "too_late") == []
    case.retry()
    (again,) = timers(case, "too_late")
    assert again["due_at"] == case.events[-1]["at"]  # due at once
    fire(case, "too_late")
    assert case.open_steps() == ["escalate"]


def test_cancelling_the_case_cancels_its_timers() -> None:
    from liucheng.engine import CancelInstance

    case = Case(REVIEW).start().complete("draft")
    case.run(CancelInstance(ADMIN, "withdrawn"))
    assert timers(case) == []
    assert sum(e["type"] == "timer_cancelled" for e in case.events) == 2


@pytest.mark.parametrize("timer, message", [
    ("{id: t, after: P2X, next: b}", "not an ISO 8601 duration"),
    ("{id: t, after: {workdays: 2}, next: b}", "unknown unit 'workdays'"),
    ("{id: t, rule: {day: 27, rol: earlier}, next: b}", "unknown key 'rol'"),
    ("{id: t, at: 9:30, day: 3, next: b}", "read an unquoted time"),
    ("{id: t, on: {day: 3}, next: b}", "YAML reads the key 'on' as true"),
    ("{id: t, cycle: '0 25 * * *', next: b}", "outside 0-23"),
    ("{id: t, after: PT1H, until: x, next: b}", "exactly one of"),
])
def test_bad_timers_are_reported_with_element_and_line(timer: str, message: str) -> None:
    source = f"""
process: bad
roles: {{r: R}}
steps:
  - id: a
    role: r
    timers: [{timer}]
    next: b
  - id: b
    role: r
"""
    with pytest.raises(ModelError) as err:
        Case(source)
    problem = err.value.problems[0]
    assert message in problem.message
    assert problem.line is not None and problem.element in ("a", "t")
