"""Human-task actions as engine commands: the ways people move a case forward or back.

Claim, complete (approve / reject by outcome), return (退回), withdraw (撤回), transfer
(转办), delegate (委派), add and remove signers (加签 / 减签), countersign votes (会签 /
或签 / 依次 / ratio), urge (催办), carbon copy (抄送) and comments. Each handler checks who
may act and when, raising before anything changes; see docs/human-tasks.md.
"""

from liucheng.engine.humantask.handlers import HANDLERS

__all__ = ["HANDLERS"]
