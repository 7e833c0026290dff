"""The delivery page's application: ``uvicorn --factory portal.app:create_app``.

Routes (nginx passes ``/levering/`` on unchanged):

- ``GET  /levering/<token>``: the municipality's page for the link's year; ``?kvittering=<id>,<id>``
  adds the control's answer to those delivery log entries (this municipality's and year's only).
- ``POST /levering/<token>/filer``: multipart, one or more files in ``filer`` and ``csrf``; each
  file is received (``alis_nord.receiving.receive``) and logged, then 303 to the page with the
  entries' ids.
- ``POST /levering/<token>/ingenting``: ``tabell`` (alis or kostnader) and ``csrf``: the header-only
  table stored (``alis_nord.receiving.nothing_to_report``), logged, 303 to the page.
- ``GET  /levering/helse``: ``ok``, for systemd and the tests; ``GET /levering/stil.css``: the style.
- anything else: the 404 page. Uploaded files are never served back.

A link that was tampered with, has expired or was revoked, or whose municipality takes no part in
the year, gets the same page (403): «Lenken virker ikke», and whom at the project office to
contact; nothing else. A form without a matching CSRF pair (``portal.csrf``) is refused 403, a body
over ``MAX_FILE_BYTES`` + 1 MiB 413 (``portal.middleware``), each with a page in bokmål.

The settings are read once, when the application is made (``Settings()``): the landing area, the
warehouse (read only), the mail database (the delivery log and the links' generations), the links'
key and ``ALIS_DELIVERY_BASE_URL`` (the origin forms must come from).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from alis_nord import receiving
from alis_nord.deliveries import MAY_BE_EMPTY, office
from alis_nord.delivery_links import DeliveryLink, LinkRefused, link_id, read_token
from alis_nord.delivery_log import Delivery, DeliveryRecords
from alis_nord.readers import MAX_FILE_BYTES
from alis_nord.rendering import TEMPLATE_DIR, render
from alis_nord.settings import Settings
from alis_nord.vocabulary import TABLE_TITLES
from portal import csrf
from portal.middleware import LimitedBody, SecurityHeaders
from portal.pages import ReferenceCache, delivery_page, receipt_ids, warehouse_rows

log = logging.getLogger(__name__)

BODY_LIMIT = MAX_FILE_BYTES + 1024 * 1024  # one file at the landing area's limit and the form around it
MAX_FILES = 10  # files in one upload
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN_LENGTH = 400  # a token is about 120 characters; anything much longer is not one
OSLO = ZoneInfo("Europe/Oslo")
STYLESHEET = TEMPLATE_DIR / "portal" / "stil.css"


def _page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(f"portal/{template}", **context), status_code=status_code)


def error_page(status: int, kontor=None) -> HTMLResponse:
    """The page of an HTTP error (``report_templates/portal/feil.html.j2`` says each in bokmål)."""
    return _page("feil.html.j2", status, status=status, kontor=kontor)


class DeliveryPortal:
    """The application's state (its settings, the reference data, the delivery log) and its routes."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.landing_dir = Path(settings.landing_dir)
        self.warehouse_url = settings.database_url.get_secret_value()
        self.records = DeliveryRecords(settings.mail_queue_url.get_secret_value())
        self.secret = settings.delivery_secret.get_secret_value() if settings.delivery_secret else None
        self.reference = ReferenceCache(self.landing_dir)
        self.stylesheet = STYLESHEET.read_bytes()

    # ------------------------------------------------------------------ the link

    def _kontor(self):
        try:
            return office(self.reference.get())
        except Exception:
            log.exception("the reference data (referanse/) cannot be read")
            return None

    def link(self, token: str) -> DeliveryLink | None:
        """The link ``token`` stands for, if it holds and its municipality takes part in its year;
        else None (the reason goes to the log, never to the page)."""
        if self.secret is None:
            log.warning("a delivery link was refused: ALIS_DELIVERY_SECRET is not set")
            return None
        if len(token) > TOKEN_LENGTH:
            return None
        today = dt.datetime.now(OSLO).date()
        try:
            link = read_token(self.secret, token, today, self.records.generation)
        except LinkRefused as refused:
            log.info("delivery link %s refused: %s", link_id(token), refused.reason)
            return None
        except ValueError:
            log.exception("a delivery link could not be read (is ALIS_DELIVERY_SECRET long enough?)")
            return None
        if not self.reference.get().takes_part(link.kommunenummer, link.year):
            log.info(
                "delivery link %s refused: %s takes no part in %s",
                link_id(token),
                link.kommunenummer,
                link.year,
            )
            return None
        return link

    def refusal(self) -> HTMLResponse:
        """The one page for every link that does not work: whom to contact, nothing else."""
        return _page("avvist.html.j2", 403, kontor=self._kontor())

    # ------------------------------------------------------------------ the routes

    def health(self, request: Request) -> Response:
        return PlainTextResponse("ok")

    def style(self, request: Request) -> Response:
        return Response(self.stylesheet, media_type="text/css; charset=utf-8")

    def page(self, request: Request) -> Response:
        token = request.path_params["token"]
        link = self.link(token)
        if link is None:
            return self.refusal()
        reference = self.reference.get()
        numbers = (link.kommunenummer, *reference.other_numbers(link.kommunenummer, link.year))
        entries = [self.records.entry(i) for i in receipt_ids(request.query_params.get("kvittering"))]
        receipts = [
            e
            for e in entries
            if e and e["kommunenummer"] == link.kommunenummer and e["about_year"] == link.year
        ]
        page = delivery_page(
            link.kommunenummer,
            link.year,
            reference,
            self.landing_dir,
            warehouse_rows(self.warehouse_url, link.year, numbers),
            self.records.about(link.year, link.kommunenummer),
            receipts,
        )
        cookie = request.cookies.get(csrf.COOKIE)
        fresh = not csrf.is_value(cookie)
        if fresh:
            cookie = csrf.new_value()
        response = _page(
            "side.html.j2",
            page=page,
            kontor=page.kontor,
            titles=TABLE_TITLES,
            token=token,
            csrf_field=csrf.field_for(self.secret, cookie, link_id(token)),
            no_file=request.query_params.get("feil") == "ingen_fil",
        )
        if fresh:
            response.set_cookie(csrf.COOKIE, cookie, path="/", secure=True, httponly=True, samesite="strict")
        return response

    def _form_allowed(self, request: Request, form, token: str) -> bool:
        return csrf.sent_from_here(request.headers, self.settings.delivery_base_url) and csrf.pair_holds(
            self.secret, request.cookies.get(csrf.COOKIE), _text(form.get(csrf.FIELD)), link_id(token)
        )

    async def upload(self, request: Request) -> Response:
        token = request.path_params["token"]
        link = await run_in_threadpool(self.link, token)
        if link is None:
            return self.refusal()
        if not csrf.sent_from_here(request.headers, self.settings.delivery_base_url):
            return error_page(403, self._kontor())  # refused before the body is read
        async with request.form(max_files=MAX_FILES, max_fields=10) as form:
            if not self._form_allowed(request, form, token):
                return error_page(403, self._kontor())
            chosen = [
                f for f in form.getlist("filer") if isinstance(f, UploadFile) and (f.filename or f.size)
            ]
            if not chosen:
                return RedirectResponse(f"/levering/{token}?feil=ingen_fil#feil", status_code=303)
            ids = []
            for upload in chosen:
                data = await upload.read()
                ids.append(
                    await run_in_threadpool(
                        self._receive, link, token, data, upload.filename, _client(request)
                    )
                )
        return RedirectResponse(
            f"/levering/{token}?kvittering={','.join(map(str, ids))}#svar", status_code=303
        )

    def _receive(
        self, link: DeliveryLink, token: str, data: bytes, sent_name: str | None, client: str | None
    ) -> int:
        """One file received and logged; its log entry's id."""
        try:
            receipt = receiving.receive(
                data, link.kommunenummer, link.year, self.landing_dir, self.reference.get()
            )
        except Exception:
            log.exception("the control of a file from %s for %s failed", link.kommunenummer, link.year)
            receipt = receiving.control_failed(data)
        return self._log(link, token, receipt, receiving.sent_name_text(sent_name), client)

    def _log(self, link: DeliveryLink, token: str, receipt, sent_name: str, client: str | None) -> int:
        return self.records.record(
            Delivery(
                received_at=dt.datetime.now(dt.UTC),
                about_year=link.year,
                kommunenummer=link.kommunenummer,
                sent_name=sent_name,
                sha256=receipt.sha256,
                size=receipt.size,
                link_id=link_id(token),
                outcome=receipt.outcome,
                table_name=receipt.table_name,
                stored_name=receipt.stored_name,
                client_address=client,
                answer=receipt.answer(),
            )
        )

    def template(self, request: Request) -> Response:
        """The year's submission template (``alis_nord.template``): made for the link's year, never
        a file anyone sent."""
        from alis_nord.feedback import project_name
        from alis_nord.template import submission_template

        link = self.link(request.path_params["token"])
        if link is None:
            return self.refusal()
        reference = self.reference.get()
        frist = reference.profile.frist if reference.profile else ""
        return Response(
            submission_template(link.year, project_name(reference), frist),
            media_type=XLSX_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="innsendingsmal-{link.year}.xlsx"'},
        )

    async def nothing(self, request: Request) -> Response:
        token = request.path_params["token"]
        link = await run_in_threadpool(self.link, token)
        if link is None:
            return self.refusal()
        async with request.form(max_files=0, max_fields=10) as form:
            if not self._form_allowed(request, form, token):
                return error_page(403, self._kontor())
            table = _text(form.get("tabell"))
        if table not in MAY_BE_EMPTY:
            return error_page(400, self._kontor())
        client = _client(request)

        def store() -> int:
            receipt = receiving.nothing_to_report(table, link.kommunenummer, link.year, self.landing_dir)
            return self._log(link, token, receipt, receiving.NOTHING_TO_REPORT_NAME, client)

        entry = await run_in_threadpool(store)
        return RedirectResponse(f"/levering/{token}?kvittering={entry}#svar", status_code=303)

    # ------------------------------------------------------------------ errors

    def http_error(self, request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        status = 404 if status == 405 else status  # a route with another method: as if there were none
        return error_page(status, self._kontor())

    def server_error(self, request: Request, exc: Exception) -> Response:
        return error_page(500, self._kontor())


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _client(request: Request) -> str | None:
    """The clerk's address (uvicorn takes it from nginx's X-Forwarded-For: ``--proxy-headers``)."""
    return request.client.host[:64] if request.client else None


def create_app(settings: Settings | None = None, *, warm_up: bool = True) -> Starlette:
    """The delivery page for ``settings`` (read from the environment when not given). ``warm_up``:
    load the control's libraries in the background at start, so that the first file sent is
    answered as fast as the next."""
    portal = DeliveryPortal(settings or Settings())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        if warm_up:
            threading.Thread(target=_warm_up, args=(portal,), name="warm-up", daemon=True).start()
        yield

    app = Starlette(
        routes=[
            Route("/levering/helse", portal.health, methods=["GET"]),
            Route("/levering/stil.css", portal.style, methods=["GET"]),
            Route("/levering/{token}", portal.page, methods=["GET"]),
            Route("/levering/{token}/innsendingsmal.xlsx", portal.template, methods=["GET"]),
            Route("/levering/{token}/filer", portal.upload, methods=["POST"]),
            Route("/levering/{token}/ingenting", portal.nothing, methods=["POST"]),
        ],
        middleware=[
            Middleware(SecurityHeaders),
            Middleware(LimitedBody, limit=BODY_LIMIT, too_large=lambda: error_page(413, portal._kontor())),
        ],
        exception_handlers={HTTPException: portal.http_error, Exception: portal.server_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # /levering/<token>/ is not the page: 404, like anything else
    app.state.portal = portal
    return app


def _warm_up(portal: DeliveryPortal) -> None:
    try:
        receiving.warm_up(portal.reference.get(), dt.date.today().year - 1)
    except Exception:
        log.exception("warming up the control failed (the first file will take longer)")
