"""One Jinja2 environment for everything people read: the report and the feedback pages.

Autoescaping is on for every template but the plain-text parts of e-mails (``*.txt.j2``, and
the ``tekst`` block of a message, which turns it off itself), so text from submissions can never
become markup; the
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
        autoescape=lambda name: not (name or "").endswith(".txt.j2"),
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
        enheter=norsk.enheter,
        without_row=norsk.without_row,
    )
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def render_message(template: str, **context: Any) -> tuple[str, str, str]:
    """An e-mail's subject, plain text and HTML from one template (``report_templates/epost/``)
    with the blocks ``emne``, ``tekst`` and ``html``: a wording change is a template change."""
    compiled = environment().get_template(template)
    values = compiled.new_context(context)
    subject, text, html = ("".join(compiled.blocks[name](values)) for name in ("emne", "tekst", "html"))
    return " ".join(subject.split()), text.strip() + "\n", html
