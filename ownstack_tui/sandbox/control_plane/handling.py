"""How the stand-in's handlers answer: one JSON error per failure, and request parsing."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ownstack_tui.backends.dokku.errors import DokkuCommandError
from ownstack_tui.errors import InvalidInput, OwnstackError, describe_failure

from .guard import error_response


class ApiProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Handler = Callable[[Any, Request], Awaitable[Response]]


def handled(handler: Handler) -> Handler:
    async def run(api: Any, request: Request) -> Response:
        try:
            return await handler(api, request)
        except ApiProblem as problem:
            return error_response(problem.status, problem.message)
        except DokkuCommandError as error:
            return error_response(422, str(error))
        except InvalidInput as error:
            return error_response(422, str(error))
        except OwnstackError as error:
            return error_response(502, str(error))
        except Exception as error:  # the stand-in answers, never hangs up, on its own bugs
            return error_response(500, describe_failure(error))

    return run


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiProblem(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, "the body must be a JSON object")
    return body


def int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    if not value.isdigit():
        raise ApiProblem(400, f"{name} must be a whole number >= 0")
    return int(value)
