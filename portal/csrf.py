"""Every form of the delivery page carries a ``csrf`` field that must match the browser's cookie.

Double submit, signed: the cookie ``__Host-alis_csrf`` (Secure, HttpOnly, SameSite=Strict, Path=/,
no Domain: only this host over HTTPS ever gets it back) holds a random value; the form's field is
that value and the link's id (``alis_nord.delivery_links.link_id``) signed with itsdangerous under
the delivery links' key (salt ``alis-nord-csrf``). Another site can neither read the cookie nor
sign a field, and a field taken from one link's page does not work on another's. A form sent from
another site (``Sec-Fetch-Site``, or an ``Origin`` that is not this page's) is refused besides.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "__Host-alis_csrf"
FIELD = "csrf"
SALT = "alis-nord-csrf"
_VALUE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


def new_value() -> str:
    return secrets.token_urlsafe(32)


def is_value(value: str | None) -> bool:
    """Whether a cookie's value is one this module could have made (else a new one is set)."""
    return bool(value) and _VALUE.fullmatch(value) is not None


def field_for(secret: str, value: str, link_id: str) -> str:
    """The form field for the cookie's ``value`` on the page of the link ``link_id``."""
    return URLSafeSerializer(secret, salt=SALT).dumps([value, link_id])


def pair_holds(secret: str, cookie: str | None, field: str | None, link_id: str) -> bool:
    """Whether the form's field was made for this cookie and this link."""
    if not is_value(cookie) or not field:
        return False
    try:
        value, bound = URLSafeSerializer(secret, salt=SALT).loads(field)
    except (BadSignature, ValueError, TypeError):
        return False
    return hmac.compare_digest(str(value), cookie) and hmac.compare_digest(str(bound), link_id)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def sent_from_here(headers: Mapping[str, str], base_url: str) -> bool:
    """Whether the browser says the form was sent from this site: ``Sec-Fetch-Site`` is not
    ``cross-site`` or ``same-site``, and an ``Origin`` given is this host's (as the request names
    it) or the delivery page's address (``ALIS_DELIVERY_BASE_URL``). A client that sends neither (no
    browser does for a POST today) is left to the double-submit pair."""
    if headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    if origin.lower() == "null":
        return False
    host = headers.get("host", "").lower()
    return urlsplit(origin).netloc.lower() == host or _origin(origin) == _origin(base_url)
