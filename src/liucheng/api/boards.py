"""Public status boards: which processes show one, what they show, and the rows.

A process opts in with its `board:` extension (YAML top-level key, kept in the BPMN
export as process data). Two shapes are read:

    board: {public: true, fields: [patient_name, room], stages: {apply: 等待, op: 手术中}}

    board:                                  # the operating room's
      public: true
      fields: [patient_name, {id: inpatient_no, mask: code}, room]
      mask: [patient_name]
      stages: [{id: waiting, label: {zh: 等待手术, en: Waiting}}, …]
      stage_variable: board_stage           # default when stages is a list
      colour_by: or_class
      colours: {emergency: {colour: red, label: {zh: 急诊, en: Emergency}}, …}

With a mapping, a case's stage is the stage of its current step. With a list, it is the
case variable `stage_variable` when that names a stage, else the `board_stage` of the
current step, else the first stage. A board shows only the configured fields, each
masked as its `mask` says (`name`: 张*三, `code`: ****1234, `none`); fields named in
`mask:`, fields that look like names, and sensitive fields (ID and mobile numbers, the
installation's masked list) are masked whatever the entry says. Nothing else of a case —
not its id, not its business key, not another variable — reaches the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from liucheng.model import ProcessDefinition, Text, UserTask
from liucheng.org.masking import sensitive_fields
from liucheng.org.names import mask_code, mask_name
from liucheng.org.schema import Db
from liucheng.runtime.views import CaseView

Mask = Literal["name", "code", "none"]
MASKS: tuple[Mask, ...] = ("name", "code", "none")
NAME_HINTS = ("name", "姓名")
CODE_HINTS = ("id_number", "id_card", "idcard", "mobile", "phone", "passport")
DEFAULT_REFRESH = 20
MAX_ROWS = 200


@dataclass(frozen=True)
class BoardField:
    id: str
    label: Text
    mask: Mask
    choices: Mapping[str, Text]


@dataclass(frozen=True)
class Stage:
    id: str
    label: Text


@dataclass(frozen=True)
class BoardRow:
    """One case on the board: masked field values, the stage and the colour class."""

    values: tuple[Text, ...]
    stage: Stage | None
    stage_index: int
    colour: str | None
    colour_label: Text | None


def _text(value: Any, fallback: str = "") -> Text:
    if isinstance(value, Mapping):
        return Text(str(value.get("zh") or fallback), str(value.get("en") or ""))
    return Text(str(value) if value not in (None, "") else fallback)


def _labels(definition: ProcessDefinition) -> tuple[dict[str, Text], dict[str, dict[str, Text]]]:
    """Field id → label, and field id → choice value → label, from forms and variables."""
    labels = {v.id: v.label for v in definition.variables if v.label}
    choices: dict[str, dict[str, Text]] = {}
    for element, _ in definition.walk():
        if isinstance(element, UserTask):
            for f in element.form:
                if f.label and f.id not in labels:
                    labels[f.id] = f.label
                items = f.options.get("choices") if isinstance(f.options, Mapping) else None
                if isinstance(items, list) and f.id not in choices:
                    choices[f.id] = {str(c.get("value")): _text(c.get("label"), str(
                        c.get("value"))) for c in items if isinstance(c, Mapping)}
    return labels, choices


def _mask_for(field_id: str, asked: Any, forced_names: Iterable[str],
              sensitive: Mapping[str, str]) -> Mask:
    lowered = field_id.lower()
    if field_id in forced_names or any(h in lowered for h in NAME_HINTS):
        return "name"
    if field_id in sensitive or any(h in lowered for h in CODE_HINTS):
        return "code"
    return asked if asked in MASKS else "none"


@dataclass(frozen=True)
class BoardConfig:
    """What one process's public board shows."""

    key: str
    name: Text
    fields: tuple[BoardField, ...]
    stages: tuple[Stage, ...]
    by_step: Mapping[str, str]
    stage_variable: str | None
    colour_by: str | None
    colours: Mapping[str, tuple[str, Text]]
    refresh: int

    @classmethod
    def of(cls, definition: ProcessDefinition,
           masked: Iterable[str] = ()) -> BoardConfig | None:
        """The board of `definition`, or None when it does not opt in (`public: true`)."""
        raw = definition.extensions.get("board")
        if not isinstance(raw, Mapping) or raw.get("public") is not True:
            return None
        labels, choices = _labels(definition)
        sensitive = sensitive_fields(definition, masked)
        forced = [str(m) for m in raw.get("mask") or [] if isinstance(m, str)]
        fields = []
        for entry in raw.get("fields") or []:
            spec = entry if isinstance(entry, Mapping) else {"id": entry}
            fid = str(spec.get("id") or "")
            if not fid:
                continue
            label = _text(spec["label"]) if spec.get("label") else labels.get(fid, Text(fid))
            fields.append(BoardField(fid, label, _mask_for(fid, spec.get("mask"), forced,
                                                           sensitive), choices.get(fid, {})))
        stages, by_step, variable = _stages(raw)
        colours = {str(k): (str(v.get("colour") or "grey"), _text(v.get("label"), str(k)))
                   for k, v in (raw.get("colours") or {}).items() if isinstance(v, Mapping)}
        refresh = raw.get("refresh", DEFAULT_REFRESH)
        refresh = refresh if isinstance(refresh, int) and 15 <= refresh <= 30 else DEFAULT_REFRESH
        name = _text(raw.get("name")) if raw.get("name") else definition.name
        colour_by = raw.get("colour_by")
        return cls(definition.key, name, tuple(fields), stages, by_step, variable,
                   str(colour_by) if colour_by else None, colours, refresh)

    def stage_of(self, case: CaseView, definition: ProcessDefinition) -> Stage | None:
        ids = {s.id: s for s in self.stages}
        if self.stage_variable and str(case.variables.get(self.stage_variable)) in ids:
            return ids[str(case.variables[self.stage_variable])]
        for step in case.active:
            if step in self.by_step:
                return ids.get(self.by_step[step])
        for step in case.active:
            if definition.has_element(step):
                extensions = getattr(definition.element(step), "extensions", None) or {}
                declared = extensions.get("board_stage")
                if declared is not None and str(declared) in ids:
                    return ids[str(declared)]
        return self.stages[0] if self.stages and not self.by_step else None

    def row(self, case: CaseView, definition: ProcessDefinition) -> BoardRow:
        values = []
        for f in self.fields:
            value = case.variables.get(f.id)
            if isinstance(value, dict | list):
                value = None  # structured values (records, lists) are never shown
            shown = "" if value is None else str(value)
            if f.mask == "name":
                values.append(Text(mask_name(shown)))
            elif f.mask == "code":
                values.append(Text(mask_code(shown)))
            else:
                values.append(f.choices.get(shown, Text(shown)))
        stage = self.stage_of(case, definition)
        index = next((i for i, s in enumerate(self.stages) if stage and s.id == stage.id), -1)
        klass = str(case.variables.get(self.colour_by)) if self.colour_by else None
        colour = self.colours.get(klass) if klass else None
        return BoardRow(tuple(values), stage, index, colour[0] if colour else None,
                        colour[1] if colour else None)


def _stages(raw: Mapping[str, Any]) -> tuple[tuple[Stage, ...], dict[str, str], str | None]:
    """(stages in order, step → stage id, the stage variable) from either shape."""
    given = raw.get("stages")
    if isinstance(given, Mapping):
        stages: dict[str, Stage] = {}
        by_step = {}
        for step, name in given.items():
            label = _text(name, str(step))
            sid = label.zh
            stages.setdefault(sid, Stage(sid, label))
            by_step[str(step)] = sid
        return tuple(stages.values()), by_step, (str(raw["stage_variable"])
                                                 if raw.get("stage_variable") else None)
    out = []
    for item in given or []:
        if isinstance(item, Mapping) and item.get("id"):
            out.append(Stage(str(item["id"]), _text(item.get("label"), str(item["id"]))))
        elif isinstance(item, str):
            out.append(Stage(item, Text(item)))
    return tuple(out), {}, str(raw.get("stage_variable") or "board_stage")


def board_rows(db: Db, config: BoardConfig,
               definition_of: Callable[[str], ProcessDefinition]) -> list[BoardRow]:
    """The cases of the board's process in progress, in the order they were started;
    `definition_of(definition_id)` compiles a version (cached by the caller)."""
    ins = db.t.instances
    rows = db.conn.execute(
        sa.select(ins).where(ins.c.definition_key == config.key, ins.c.status == "active")
        .order_by(ins.c.started_at, ins.c.id).limit(MAX_ROWS)).mappings().all()
    out = []
    for row in rows:
        case = CaseView.of(dict(row))
        out.append(config.row(case, definition_of(case.definition)))
    return out
