"""Two small ASGI middlewares of the delivery page: the headers every response carries, and the
limit on a request's body.

- ``SecurityHeaders``: ``Cache-Control: no-store`` (a page about a municipality's delivery is never
  kept by a browser or proxy), ``Referrer-Policy: no-referrer`` (the link's token is in the URL and
  must not travel on), a Content Security Policy that allows the page's own stylesheet and nothing
  else (no script at all, forms posted only here, never framed), and ``nosniff``.
- ``LimitedBody``: a request whose ``Content-Length`` is over the limit is answered 413 before
  anything is read; a body without one (chunked) is counted while it is read and stopped at the
  limit (``HTTPException(413)``, which the application turns into its page).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


class LimitedBody:
    """At most ``limit`` bytes of request body; ``too_large()`` is the 413 answer given before
    anything is read."""

    def __init__(self, app: ASGIApp, limit: int, too_large: Callable[[], Response]) -> None:
        self.app = app
        self.limit = limit
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.limit:
            await self.too_large()(scope, receive, send)
            return
        counted = 0

        async def counting() -> Message:
            nonlocal counted
            message = await receive()
            if message["type"] == "http.request":
                counted += len(message.get("body", b""))
                if counted > self.limit:
                    raise HTTPException(413)
            return message

        await self.app(scope, counting, send)
