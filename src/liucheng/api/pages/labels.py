"""Display names for what the tables store as ids: steps, processes, roles, people, fields.

Built inside one transaction per page; definitions are compiled once per version (cached).
"""

from __future__ import annotations

from typing import Any

from liucheng.api.pages.values import Spec, specs
from liucheng.api.services import Services
from liucheng.api.views import compiled
from liucheng.model import ProcessDefinition, Text, UserTask
from liucheng.org.schema import Db
from liucheng.storage.repository import Repository


class Labels:
    def __init__(self, svc: Services, db: Db) -> None:
        self.svc = svc
        self.db = db
        self.repo = Repository(db.conn)
        self._definitions: dict[str, ProcessDefinition] = {}
        self._roles: dict[str, Text] | None = None
        self._people: dict[str, str] | None = None
        self._specs: dict[str, dict[str, Spec]] = {}

    def definition(self, definition_id: str) -> ProcessDefinition:
        if definition_id not in self._definitions:
            self._definitions[definition_id] = compiled(self.svc, self.db, definition_id)
        return self._definitions[definition_id]

    def process(self, definition_id: str) -> Text:
        return self.definition(definition_id).name

    def step(self, definition_id: str, element: str | None) -> Text:
        if not element:
            return Text()
        definition = self.definition(definition_id)
        if definition.has_element(element):
            name = definition.element(element).name
            return name if name else Text(element, element)
        return Text(element, element)

    def case_title(self, case: dict[str, Any]) -> Text:
        name = self.process(case["definition_id"])
        key = case.get("business_key")
        return Text(f"{name.zh} {key}" if key else name.zh,
                    f"{name.en or name.zh} {key}" if key else (name.en or name.zh))

    def role(self, role_id: str | None) -> Text:
        if self._roles is None:
            self._roles = {r["id"]: Text(r["name"], r["name_en"]) for r in self.repo.roles()}
        if not role_id:
            return Text()
        return self._roles.get(role_id, Text(role_id, role_id))

    def person(self, user_id: str | None) -> str:
        if self._people is None:
            self._people = self.repo.user_names()
        if not user_id:
            return ""
        if user_id == "system":
            return "system"
        return self._people.get(user_id, user_id)

    def fields(self, definition_id: str) -> dict[str, Text]:
        """Variable name → label, from the form fields (in step order), then the declared
        variables."""
        definition = self.definition(definition_id)
        out: dict[str, Text] = {}
        for element, _ in definition.walk():  # in the order the steps ask for them
            if isinstance(element, UserTask):
                for f in element.form:
                    if f.label and f.id not in out:
                        out[f.id] = f.label
        for v in definition.variables:
            if v.label:
                out.setdefault(v.id, v.label)
        return out

    def spec(self, definition_id: str, name: str) -> Spec | None:
        """The form field or declaration of variable `name` (for how its value reads)."""
        if definition_id not in self._specs:
            self._specs[definition_id] = specs(self.definition(definition_id))
        return self._specs[definition_id].get(name)

    def row(self, definition_id: str, name: str, value: Any) -> tuple[Any, Spec | None]:
        """A value as a page shows it, with its spec: a chosen person by name."""
        spec = self.spec(definition_id, name)
        if spec is not None and spec.type == "user" and isinstance(value, str):
            return self.person(value), spec
        return value, spec
