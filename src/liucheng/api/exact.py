"""Request bodies read with exact decimals: a JSON number with a fraction arrives as a
`Decimal` with every digit (`liucheng.rules.jsontext`), not as a float, so
`12345678901234567.89` sent by a client is the amount stored. The routers that take case
values (starting cases, completing and acting on tasks, setting variables) use
`ExactRoute`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from liucheng.rules import jsontext


class ExactRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = jsontext.loads(await self.body())
        return self._json


class ExactRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handler(ExactRequest(request.scope, request.receive))

        return exact
