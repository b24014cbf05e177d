"""A step's document checklist as the API and pages handle it: the files a completion (or a
received supplement) names must be attachments of the same case, and the checklist's
problems are reported together with the form's, each at its item (`documents.<item>`).

The engine core checks the checklist itself (required items ticked, scans attached); the
form values are cleaned first by `api.forms.clean`, which stops before the engine is asked.
So when the form has problems, the completion is also run dry through the core to collect
its checklist problems, and the person sees everything to fix at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from liucheng.api.services import Services
from liucheng.engine import commands as c
from liucheng.engine import decide
from liucheng.errors import LiuchengError, Problem, ValidationError
from liucheng.org.permissions import Principal
from liucheng.org.schema import Db
from liucheng.rules.validators import RuleProblem
from liucheng.storage.repository import Repository
from liucheng.storage.tables import attachments

Row = dict[str, Any]


_ATTACHED = (sa.select(attachments).where(attachments.c.instance_id == sa.bindparam("case"))
             .order_by(attachments.c.uploaded_at, attachments.c.id))


def attached(db: Db, case_id: str) -> dict[str, Row]:
    """sha256 → the (first) attachment record of that file on the case."""
    rows = db.all(_ATTACHED, {"case": case_id})
    out: dict[str, Row] = {}
    for row in rows:
        out.setdefault(row["sha256"], row)
    return out


def not_attached(field: str, sha: str) -> Problem:
    return RuleProblem(message=f"file '{sha[:12]}' is not attached to this case", field=field,
                       code="documents.file", message_zh=f"文件“{sha[:12]}”不是本业务的附件",
                       hint="upload the file to the case first", hint_zh="请先上传文件")


def file_problems(db: Db, case_id: str, files: Iterable[Any], field: str) -> list[Problem]:
    known = attached(db, case_id)
    return [not_attached(field, str(f)) for f in files
            if not isinstance(f, str) or f not in known]


def document_file_problems(db: Db, case_id: str, documents: Any) -> list[Problem]:
    """Each file a checklist entry names is an attachment of the case."""
    if not isinstance(documents, Mapping):
        return []  # the engine reports the wrong shape, at `documents`
    problems: list[Problem] = []
    for item, entry in documents.items():
        files = entry.get("files") if isinstance(entry, Mapping) else None
        if isinstance(files, list):
            problems += file_problems(db, case_id, files, f"documents.{item}")
    return problems


def checklist_problems(svc: Services, who: Principal, task: Row, documents: Any,
                       values: Mapping[str, Any], outcome: str | None, *,
                       dry_run: bool) -> list[Problem]:
    """Problems of the checklist part of a completion, to add to the form's.

    `dry_run`: the form already has problems, so the engine will not be asked; ask it on a
    copy of the case's state for the checklist's own problems.
    """
    with svc.db() as db:
        problems = document_file_problems(db, task["instance_id"], documents)
        if not dry_run:
            return problems
        repo = Repository(db.conn)
        case = repo.instance(task["instance_id"])
        definition = svc.engine.definition(repo, case["definition_id"])
        element = definition.element(task["element"])
        if documents is None and not getattr(element, "documents", ()):
            return problems  # nothing to tick on this step
        submitted = dict(values)
        if documents is not None:
            submitted["documents"] = documents
        command = c.CompleteTask(svc.engine.actor(repo, who.user), task["id"], submitted,
                                 outcome)
        try:
            decide(definition, case["state"], command, svc.engine._context(repo))
        except ValidationError as exc:
            seen = {p.field for p in problems}
            problems += [p for p in exc.problems if (p.field or "").startswith("documents")
                         and p.field not in seen]
        except LiuchengError:
            pass  # not allowed for another reason: the real command will say so
    return problems
