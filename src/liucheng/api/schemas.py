"""Request and response shapes of the REST API (pydantic), one family per resource."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

LARGEST = 2**31 - 1  # the largest version, page or offset taken: an integer both databases hold


class Texts(BaseModel):
    zh: str = ""
    en: str = ""


# -- definitions -------------------------------------------------------------------------
class DefinitionSource(BaseModel):
    source: str = Field(description="the process file: YAML or BPMN 2.0 XML")
    format: str | None = Field(None, description="'yaml' or 'bpmn'; guessed when left out")
    source_name: str | None = Field(None, description="file name, used in error messages")


class Validated(BaseModel):
    valid: bool
    key: str
    name: Texts
    elements: int


class Drafted(BaseModel):
    key: str
    name: Texts
    draft: bool = Field(description="true when the drawing has findings: it cannot be deployed")
    findings: list[dict[str, Any]] = Field(
        description="what only stops execution: element, tag, line, message, hint")
    bpmn: str = Field(description="the draft as BPMN (marked lc:draft when it has findings)")


class DefinitionPublic(BaseModel):
    id: str
    key: str
    version: int
    name: str
    name_en: str
    format: str
    checksum: str
    deployed_at: datetime
    deployed_by: str | None
    created: bool = True


class FormFieldPublic(BaseModel):
    id: str
    type: str
    label: Texts
    required: bool
    default: Any = None
    options: dict[str, Any] = {}


class StepPublic(BaseModel):
    id: str
    kind: str
    name: Texts
    roles: list[str] = []


class ProcessPublic(BaseModel):
    key: str
    version: int
    definition: str
    name: Texts
    description: Texts
    roles: dict[str, Texts]
    start_form: list[FormFieldPublic]
    steps: list[StepPublic]
    versions: int


# -- cases -------------------------------------------------------------------------------
class CaseStart(BaseModel):
    process: str
    version: int | None = Field(None, ge=1, le=LARGEST)
    business_key: str | None = Field(None, max_length=120)
    variables: dict[str, Any] = {}


class CaseCancel(BaseModel):
    reason: str | None = Field(None, max_length=500)


class CaseSummary(BaseModel):
    id: str
    process: str
    definition: str
    business_key: str | None
    title: str | None
    status: str
    started_at: datetime
    started_by: str | None
    ended_at: datetime | None


class TaskSummary(BaseModel):
    id: str
    case: str
    process: str
    element: str
    name: str
    status: str
    role: str | None
    assignee: str | None
    priority: int
    due_at: datetime | None = None
    created_at: datetime
    completed_at: datetime | None = None
    completed_by: str | None = None
    outcome: str | None = None
    case_title: str | None = None
    business_key: str | None = None


class CasePublic(CaseSummary):
    variables: dict[str, Any]
    masked: list[str]
    incidents: list[dict[str, Any]]
    active: list[str]
    open_tasks: list[TaskSummary]


class CasePage(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


class HistoryPublic(BaseModel):
    seq: int
    at: datetime
    type: str
    element: str | None
    task: str | None
    actor: str | None
    data: dict[str, Any]


class Diagram(BaseModel):
    definition: str
    xml: str
    completed: list[str]
    flows: list[str]
    active: list[str]


# -- tasks -------------------------------------------------------------------------------
class TaskPage(BaseModel):
    items: list[TaskSummary]
    total: int
    limit: int
    offset: int


class TaskPublic(TaskSummary):
    instructions: Texts
    outcomes: list[str]
    form: list[FormFieldPublic]
    data: dict[str, Any] | None
    actions: list[str]


class Completion(BaseModel):
    variables: dict[str, Any] = {}
    outcome: str | None = None
    comment: str | None = Field(None, max_length=2000)


class Counts(BaseModel):
    mine: int
    pool: int
    done: int
    started: int
    overdue: int


# -- incidents ---------------------------------------------------------------------------
class IncidentPublic(BaseModel):
    id: str
    instance_id: str
    element: str
    reason: str
    created_at: datetime
    resolved_at: datetime | None


# -- people ------------------------------------------------------------------------------
class UserIn(BaseModel):
    id: str
    name: str | None = None
    password: str | None = Field(None, description="at least 8 characters")
    roles: list[str] = []
    admin: bool = False
    organisation: str | None = None
    department: str | None = None


class UserPatch(BaseModel):
    name: str | None = None
    password: str | None = None
    roles: list[str] | None = Field(None, description="replaces the user's roles")
    admin: bool | None = None
    active: bool | None = None
    organisation: str | None = None
    department: str | None = None


class UserPublic(BaseModel):
    id: str
    name: str
    email: str | None
    is_admin: bool
    active: bool
    organisation: str
    department: str | None
    has_password: bool
    roles: list[str]


class RolePublic(BaseModel):
    id: str
    name: str
    name_en: str
    members: list[str]
    permissions: list[str]


class RolePermissions(BaseModel):
    permissions: list[str]


class OrganisationIn(BaseModel):
    id: str
    name: str
    name_en: str = ""


class DepartmentIn(BaseModel):
    id: str
    name: str
    name_en: str = ""
    parent: str | None = None


class OrganisationPublic(BaseModel):
    id: str
    name: str
    name_en: str
    departments: list[dict[str, Any]]


class Me(BaseModel):
    user: str
    name: str
    organisation: str
    department: str | None
    roles: list[str]
    admin: bool
    permissions: list[str]
    via: str


# -- API tokens --------------------------------------------------------------------------
class TokenIn(BaseModel):
    name: str = Field(max_length=120)
    scopes: list[str] = Field(description="permission names, or ['*'] for all of yours")
    expires_at: datetime | None = None


class TokenSignIn(TokenIn):
    user: str
    password: str


class TokenPublic(BaseModel):
    id: str
    user_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="the secret; shown only now")
