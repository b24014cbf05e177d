"""Countersign (会签): several people vote on one step, and the vote ends once it is certain.

With n signers and a required ratio r, the step needs k = ⌈r·n⌉ approvals. After each
vote: approvals ≥ k → passed; approvals + votes still to come < k → failed; otherwise it
waits. So a 50% vote does not fail on the first rejection, and `all` (r = 1) fails on the
first one. `any`: the first vote decides. `sequential`: one signer at a time, in order,
each must approve. `veto`: any rejection fails at once. When the outcome is certain the
remaining tasks are cancelled and the step's outcome is `approve` or `reject`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from liucheng.engine.commands import CompleteTask
from liucheng.engine.humantask.assign import create_task
from liucheng.engine.humantask.common import record_step
from liucheng.errors import ExpressionError, ValidationError
from liucheng.model import UserTask
from liucheng.rules.validators import RuleProblem

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run

Token = dict[str, Any]


def required_approvals(mode: str, ratio: float, signers: int) -> int:
    if mode == "any":
        return 1
    needed = Fraction(str(ratio)) * signers if mode == "ratio" else Fraction(signers)
    return max(1, math.ceil(needed))


def outcome_if_certain(vote: dict[str, Any]) -> str | None:
    n = len(vote["signers"])
    approvals, rejections = vote["approvals"], vote["rejections"]
    if vote["mode"] == "any" and approvals + rejections > 0:
        return "approve" if approvals else "reject"
    if vote["veto"] and rejections:
        return "reject"
    k = required_approvals(vote["mode"], vote["ratio"], n)
    if approvals >= k:
        return "approve"
    if approvals + (n - approvals - rejections) < k:
        return "reject"
    return None


def open_vote(run: Run, token: Token, element: UserTask) -> None:
    sign = element.countersign
    assert sign is not None
    if sign.signers:
        try:
            value = run.evaluate(sign.signers, token["scope"])
        except ExpressionError as exc:
            run.incident(token, f"countersign signers could not be worked out: {exc.message}")
            return
        signers = [value] if isinstance(value, str) else list(value or [])
    else:
        signers = sorted({u for r in element.roles for u in run.ctx.directory.members(r)})
    signers = list(dict.fromkeys(str(s) for s in signers if s))
    if not signers:
        run.incident(token, "the countersign has no signers; set them, then retry")
        return
    run.emit("vote_opened", token=token["id"], element=element.id, signers=signers,
             mode=sign.mode, ratio=sign.required_ratio, veto=sign.veto)
    for user in signers[:1] if sign.mode == "sequential" else signers:
        create_task(run, token, element, user, roles=[], kind="vote")


def cast(run: Run, task: dict[str, Any], element: UserTask, cmd: CompleteTask) -> None:
    if cmd.outcome not in ("approve", "reject"):
        raise ValidationError([RuleProblem(message="a countersign vote is approve or reject",
                                           element=element.id, field="outcome",
                                           code="vote.outcome", message_zh="会签请选择同意或驳回")],
                              task=task["id"])
    token = run.state["tokens"][task["token"]]
    if cmd.variables:
        run.set_variables(token, dict(cmd.variables), actor=cmd.actor.user,
                          element=element.id, task=task["id"])
    run.emit("task_completed", task=task["id"], element=element.id, actor=cmd.actor.user,
             outcome=cmd.outcome, comment=cmd.comment, data=dict(cmd.variables), vote=True)
    run.emit("vote_cast", token=token["id"], element=element.id, task=task["id"],
             actor=task["assignee"] or cmd.actor.user, outcome=cmd.outcome)
    vote = token["vote"]
    outcome = outcome_if_certain(vote)
    if outcome is None:
        if vote["mode"] == "sequential":
            nxt = vote["signers"][len(vote["voted"])]
            create_task(run, token, element, nxt, roles=[], kind="vote")
        return
    for other in [t for t in run.state["tasks"].values() if t["token"] == token["id"]]:
        run.emit("task_cancelled", task=other["id"], element=element.id,
                 reason=f"the countersign was decided: {outcome}")
    run.emit("vote_decided", token=token["id"], element=element.id, outcome=outcome,
             approvals=vote["approvals"], rejections=vote["rejections"],
             signers=len(vote["signers"]))
    record_step(run, element.id, token=token, outcome=outcome, by=list(vote["voted"]),
                approvals=vote["approvals"], rejections=vote["rejections"])
    run.leave(token)
