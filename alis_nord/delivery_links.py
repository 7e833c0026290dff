"""The municipalities' personal links to the delivery page: signed, for one municipality and one
report year, valid until a day after the year's deadline, and revocable per municipality.

A link is ``<ALIS_DELIVERY_BASE_URL>/<token>``. The token is signed with ``itsdangerous`` (the
Pallets project's signing library, HMAC-SHA256 through ``URLSafeSerializer``) under
``ALIS_DELIVERY_SECRET``; it carries the municipality's number (``k``), the report year (``y``),
the last day it works (``u``, ISO date) and the generation of the municipality's links (``g``).
Revoking a municipality's links moves its generation on (``alis_nord.delivery_log``), so every
link made before stops working and the next e-mail carries a new one.

Nothing here reads the clock, the environment or a database: callers pass them in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "alis-nord-levering"  # keeps these signatures apart from anything else signed with the key
FIRST_GENERATION = 1


@dataclass(frozen=True)
class DeliveryLink:
    kommunenummer: str
    year: int
    valid_until: dt.date  # the last day it works
    generation: int = FIRST_GENERATION


class LinkRefused(Exception):
    """A token that was tampered with, expired or revoked; ``reason`` says which (for the log,
    never for the page: the page says the same to everyone)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(secret: str) -> URLSafeSerializer:
    if len(secret) < 32:
        raise ValueError("the delivery links' key (ALIS_DELIVERY_SECRET) must be at least 32 characters")
    return URLSafeSerializer(secret, salt=SALT)


def valid_until(deadline: dt.date, days_after: int) -> dt.date:
    """The last day a link works: ``days_after`` days after the deadline."""
    return deadline + dt.timedelta(days=days_after)


def make_token(secret: str, link: DeliveryLink) -> str:
    return _serializer(secret).dumps(
        {"k": link.kommunenummer, "y": link.year, "u": link.valid_until.isoformat(), "g": link.generation}
    )


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/{token}"


def read_token(secret: str, token: str, today: dt.date, generation_of) -> DeliveryLink:
    """The link ``token`` stands for, if its signature holds, it has not expired by ``today`` and
    it is of its municipality's current generation (``generation_of(kommunenummer)``); else
    ``LinkRefused``."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature:
        raise LinkRefused("signature") from None
    try:
        link = DeliveryLink(
            str(payload["k"]), int(payload["y"]), dt.date.fromisoformat(payload["u"]), int(payload["g"])
        )
    except (KeyError, TypeError, ValueError):
        raise LinkRefused("payload") from None
    if today > link.valid_until:
        raise LinkRefused("expired")
    if link.generation != generation_of(link.kommunenummer):
        raise LinkRefused("revoked")
    return link


def link_id(token: str) -> str:
    """What the delivery log keeps of the link used: a digest that tells links apart, never the
    link itself (which would let anyone who reads the log in)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]
