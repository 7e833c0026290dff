"""One Jinja2 environment for everything people read: the report and the feedback pages.

Autoescaping is always on, so text from submissions can never become markup; the
Norwegian formatting filters (``kr``, ``tall``, ``dato``, ``prosent``, ``antall`` for
published counts of persons, ``desimal``) live in
``alis_nord.norsk`` and are registered here once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "report_templates"


@cache
def environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    from alis_nord import norsk

    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        kr=norsk.kr,
        tall=norsk.tall,
        dato=norsk.dato,
        prosent=norsk.prosent,
        antall=norsk.antall,
        desimal=norsk.desimal,
        indikator=norsk.indikator,
        organisasjonsnummer=norsk.organisasjonsnummer,
        tidspunkt=norsk.tidspunkt,
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
