"""Who is acting, from where, in which request: set by middleware and API auth, read by the
audit service so that services do not have to pass request details around."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str = ""
    user_agent: str = ""


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "tuoyu_request_context", default=None
)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        # Commands and background jobs: one id per process is enough to group their events.
        ctx = RequestContext(request_id=f"cli-{uuid.uuid4().hex[:12]}")
        _current.set(ctx)
    return ctx


def bind(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)
