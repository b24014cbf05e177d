"""The command → handler table for human-task actions, merged into the interpreter's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from liucheng.engine import commands as c
from liucheng.engine.humantask import actions, returns, supplements
from liucheng.engine.humantask.common import open_task
from liucheng.engine.humantask.complete import complete

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run


def _complete(run: Run, cmd: c.CompleteTask) -> None:
    complete(run, open_task(run, cmd.task), cmd)


HANDLERS: dict[type[c.Command], Callable[[Run, Any], None]] = {
    c.ClaimTask: actions.claim,
    c.UnclaimTask: actions.unclaim,
    c.CompleteTask: _complete,
    c.TransferTask: actions.transfer,
    c.DelegateTask: actions.delegate,
    c.AddSigners: actions.add_signers,
    c.RemoveSigner: actions.remove_signer,
    c.UrgeTask: actions.urge,
    c.CarbonCopy: actions.carbon_copy,
    c.MarkCcRead: actions.mark_cc_read,
    c.AddComment: actions.comment,
    c.ReturnTask: returns.return_task,
    c.WithdrawTask: returns.withdraw_task,
    c.WithdrawCase: returns.withdraw_case,
    c.RequestSupplement: supplements.request,
    c.ReceiveSupplement: supplements.receive,
}
