"""The page routers of the human-task actions, which `pages.install` registers together:
task actions, case actions, and the person's copies, notifications and out of office."""

from __future__ import annotations

from liucheng.api.pages import case_actions, personal, task_actions

ROUTERS = (task_actions.router, case_actions.router, personal.router)
