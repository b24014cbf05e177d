"""The routers of the human-task actions, which the app factory registers together: task
actions, case actions, files, and the person's copies, notifications and out of office."""

from __future__ import annotations

from liucheng.api.routes import actions, case_actions, files, personal

ROUTERS = (actions.router, case_actions.router, files.router, personal.router)
