"""The permission catalogue, the signed-in principal, and the one place permissions are checked.

Every HTTP route declares one permission from `CATALOGUE`. `PUBLIC` needs no sign-in,
`SIGNED_IN` needs only a valid session or token; the rest are granted: administrators hold
all of them, every staff member holds `STAFF`, and an administrator may grant more to a
role (`role_permissions`). An API token narrows its owner's permissions to its scopes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from liucheng.errors import ForbiddenError
from liucheng.model import Text
from liucheng.org.errors import SignInRequired
from liucheng.org.schema import Db

PUBLIC = "public"
SIGNED_IN = "signed_in"
DEFINITIONS_READ = "definitions.read"
DEFINITIONS_DEPLOY = "definitions.deploy"
CASES_READ = "cases.read"
CASES_START = "cases.start"
CASES_CANCEL = "cases.cancel"
CASES_ALL = "cases.all"
TASKS_READ = "tasks.read"
TASKS_ACT = "tasks.act"
INCIDENTS_READ = "incidents.read"
INCIDENTS_RETRY = "incidents.retry"
USERS_READ = "users.read"
USERS_ADMIN = "users.admin"
SENSITIVE_READ = "sensitive.read"
TOKENS_OWN = "tokens.own"
REPORTS_READ = "reports.read"

CATALOGUE: dict[str, Text] = {
    PUBLIC: Text("无需登录", "No sign-in needed"),
    SIGNED_IN: Text("已登录", "Signed in"),
    DEFINITIONS_READ: Text("查看流程定义", "Read process definitions"),
    DEFINITIONS_DEPLOY: Text("校验与发布流程", "Validate and deploy processes"),
    CASES_READ: Text("查看本单位参与的业务", "Read the cases of one's organisation"),
    CASES_START: Text("发起业务", "Start cases"),
    CASES_CANCEL: Text("撤销自己发起的业务", "Cancel cases one started"),
    CASES_ALL: Text("查看并撤销所有单位的业务", "Read and cancel every organisation's cases"),
    TASKS_READ: Text("查看待办", "Read tasks"),
    TASKS_ACT: Text("领取、退回、办理待办", "Claim, unclaim and complete tasks"),
    INCIDENTS_READ: Text("查看异常", "Read incidents"),
    INCIDENTS_RETRY: Text("重试异常", "Retry incidents"),
    USERS_READ: Text("查看用户与角色", "Read users and roles"),
    USERS_ADMIN: Text("管理用户、角色、单位", "Administer users, roles and organisations"),
    SENSITIVE_READ: Text("查看敏感信息（身份证号、手机号）", "See sensitive values (ID, mobile)"),
    TOKENS_OWN: Text("管理自己的 API 令牌", "Manage one's own API tokens"),
    REPORTS_READ: Text("查看统计报表与看板", "Read reports and dashboards"),
}
GRANTABLE = frozenset(CATALOGUE) - {PUBLIC, SIGNED_IN}
STAFF = frozenset({DEFINITIONS_READ, CASES_READ, CASES_START, CASES_CANCEL, TASKS_READ,
                   TASKS_ACT, TOKENS_OWN})


@dataclass(frozen=True)
class Principal:
    """Who is asking: a person signed in by a browser session or by an API token."""

    user: str
    name: str
    organisation: str
    department: str | None
    roles: frozenset[str]
    admin: bool
    permissions: frozenset[str]
    via: str = "session"  # "session" or "token"
    session_id: str | None = None
    csrf_token: str | None = None
    token_id: str | None = None
    locale: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    def has(self, permission: str) -> bool:
        return permission in (PUBLIC, SIGNED_IN) or permission in self.permissions


def granted(role_grants: Iterable[str], admin: bool) -> frozenset[str]:
    """Everything a person may do: all for administrators, else STAFF plus what their roles
    are granted (`role_grants`)."""
    if admin:
        return GRANTABLE
    return frozenset(STAFF | (set(role_grants) & GRANTABLE))


def narrow(permissions: frozenset[str], scopes: Iterable[str]) -> frozenset[str]:
    """An API token's permissions: its owner's, limited to the token's scopes ('*' = all)."""
    wanted = set(scopes)
    return permissions if "*" in wanted else permissions & frozenset(wanted)


def check_scopes(scopes: Iterable[str]) -> list[str]:
    """Scopes a token may be given; unknown names are returned so the caller can refuse."""
    return sorted(s for s in scopes if s != "*" and s not in GRANTABLE)


def authorize(principal: Principal | None, permission: str) -> None:
    """The one check behind every route: raise unless `principal` holds `permission`."""
    if permission not in CATALOGUE:
        raise ForbiddenError(f"the route declares an unknown permission '{permission}'")
    if permission == PUBLIC:
        return
    if principal is None:
        raise SignInRequired("sign in first", hint="use the sign-in page, or send "
                             "'Authorization: Bearer <API token>'")
    if not principal.has(permission):
        what = CATALOGUE[permission].get("en")
        hint = ("the API token's scopes do not include it; create a token with this scope"
                if principal.via == "token" and permission not in principal.scopes
                and "*" not in principal.scopes
                else "ask an administrator to grant it to one of your roles")
        raise ForbiddenError(f"{principal.user} may not do this: it needs the permission "
                             f"'{permission}' ({what})", hint=hint, permission=permission)


def grant(db: Db, role_id: str, permission: str) -> None:
    if permission not in GRANTABLE:
        raise ForbiddenError(f"'{permission}' is not a permission that can be granted",
                             hint="choose one of " + ", ".join(sorted(GRANTABLE)))
    rp = db.t.role_permissions
    exists = db.conn.execute(sa.select(rp.c.role_id).where(
        rp.c.role_id == role_id, rp.c.permission == permission)).first()
    if exists is None:
        db.conn.execute(rp.insert().values(role_id=role_id, permission=permission))


def revoke(db: Db, role_id: str, permission: str) -> None:
    rp = db.t.role_permissions
    db.conn.execute(rp.delete().where(rp.c.role_id == role_id, rp.c.permission == permission))


def role_grants(db: Db) -> dict[str, list[str]]:
    rp = db.t.role_permissions
    out: dict[str, list[str]] = {}
    for role_id, permission in db.conn.execute(sa.select(rp.c.role_id, rp.c.permission)):
        out.setdefault(role_id, []).append(permission)
    return {k: sorted(v) for k, v in out.items()}
