"""Start and end events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liucheng.model import EndEvent

if TYPE_CHECKING:
    from liucheng.engine.interpreter import Run


class StartEventBehavior:
    def enter(self, run: Run, token: dict[str, Any]) -> None:
        run.leave(token)


class EndEventBehavior:
    """A plain end consumes its token; a terminate end ends every token of its scope."""

    def enter(self, run: Run, token: dict[str, Any]) -> None:
        element = run.definition.element(token["element"])
        run.emit("element_left", token=token["id"], element=token["element"])
        if isinstance(element, EndEvent) and element.terminate:
            scope = token["scope"]
            run.terminate(scope, f"terminate end event '{element.id}'")
            if scope == run.state["root"]:
                run.emit("instance_terminated", element=element.id)
