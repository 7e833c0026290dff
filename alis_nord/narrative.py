"""The project office's own text for the report: ``<landing>/<year>/tekst/*.md``.

Markdown is rendered with markdown-it-py in CommonMark mode with raw HTML switched off: any
HTML in a file is shown as text, never run or laid out. Images are replaced by their
description (the report fetches nothing from outside), links keep their text and address,
and headings are moved down under the report's own section heading (``#`` and ``##`` become
level 3). Files are taken in name order (``01-…``, ``02-…``).

Some names have their own place in the report (``placed_texts``, ``exclusion_number``):

- ``avvik.md`` explains the budget deviations, one Markdown heading per budget line
  (``deviation_text``): the text under ``## Kurs`` explains the line «Kurs»; text before the
  first heading is a general note that explains no line;
- ``maal_<n>.md``: the office's own view of objective n;
- ``uten_<kommunenummer>.md`` (``exclusion_texts``): the office's reason to send the report
  without a participant's figures for the year; the report prints it and says the figures
  exclude that municipality;
- ``prosjektforlop.md`` (``COURSE_TEXT``), in the last year of the grant period: the project's
  course over the whole period, which a Sluttrapport must have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markupsafe import Markup

from alis_nord.landing import NARRATIVE_DIR

TOP_HEADING_LEVEL = 3  # the narrative sits under the report's h2 "Beretning fra prosjektkontoret"


@dataclass(frozen=True)
class NarrativeText:
    file: str  # relative to the landing area, as in the file appendix
    html: Markup  # safe HTML made by markdown-it-py from the file (raw HTML escaped)


@cache
def _markdown():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")

    def image_as_text(renderer, tokens, idx, options, env):
        # The alt text, escaped: a report fetches no picture from a file's links.
        alt = renderer.renderInline(tokens[idx].children or [], options, env)
        return f"[bilde: {alt}]" if alt else ""

    md.add_render_rule("image", image_as_text)
    return md


def markdown_to_html(text: str) -> Markup:
    """Safe HTML for one Markdown text; headings start at level 3."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1])
            token.tag = f"h{min(6, max(TOP_HEADING_LEVEL, level + 1))}"
    # markdown-it escapes every text and attribute itself (html=False), so its output is safe
    return Markup(md.renderer.render(tokens, md.options, {}))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, as the submission format allows."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


DEVIATIONS_TEXT = "avvik.md"  # explains the deviations from the budget (the financial report)
OBJECTIVE_TEXT = "maal_{number}.md"  # the office's own text on one objective, beside its figures
EXCLUSION_TEXT = "uten_{kommunenummer}.md"  # why the report goes without a participant's figures
COURSE_TEXT = "prosjektforlop.md"  # a Sluttrapport's chapter on the project's course over the period
_EXCLUSION_NAME = re.compile(r"uten_(\d{4})\.md")


def exclusion_number(name: str) -> str | None:
    """The municipality number an exclusion text names (``uten_5430.md`` → ``5430``), else ``None``."""
    match = _EXCLUSION_NAME.fullmatch(name)
    return match.group(1) if match else None


def placed_texts() -> set[str]:
    """The text files that have their own place in the report, not the office's chapter."""
    return {DEVIATIONS_TEXT, COURSE_TEXT} | {OBJECTIVE_TEXT.format(number=n) for n in range(1, 6)}


def _rendered(path: Path, landing_dir: Path) -> NarrativeText:
    return NarrativeText(
        path.relative_to(landing_dir).as_posix(), markdown_to_html(_decode(path.read_bytes()))
    )


def narrative_texts(landing_dir: Path, year: int) -> list[NarrativeText]:
    """Every ``tekst/*.md`` of the year but the placed ones, rendered, in file-name order."""
    folder = landing_dir / str(year) / NARRATIVE_DIR
    if not folder.is_dir():
        return []
    return [
        _rendered(path, landing_dir)
        for path in sorted(folder.glob("*.md"), key=lambda p: p.name)
        if path.is_file() and path.name not in placed_texts() and exclusion_number(path.name) is None
    ]


def placed_text(landing_dir: Path, year: int, name: str) -> NarrativeText | None:
    """One placed text of the year (``avvik.md``, ``maal_3.md``), rendered; ``None`` if absent."""
    path = landing_dir / str(year) / NARRATIVE_DIR / name
    return _rendered(path, landing_dir) if path.is_file() else None


def exclusion_texts(landing_dir: Path, year: int) -> dict[str, NarrativeText]:
    """The office's reasons to send the year's report without a participant's figures
    (``tekst/uten_<kommunenummer>.md``), rendered, by municipality number."""
    folder = landing_dir / str(year) / NARRATIVE_DIR
    if not folder.is_dir():
        return {}
    return {
        number: _rendered(path, landing_dir)
        for path in sorted(folder.glob("uten_*.md"))
        if path.is_file() and (number := exclusion_number(path.name)) is not None
    }


# ---------------------------------------------------------------- avvik.md, a heading per line


@dataclass(frozen=True)
class Section:
    """The text under one heading of a placed text: the heading as written, and its body."""

    heading: str
    text: str  # plain text, whitespace collapsed, as the reporting sheet carries it
    html: Markup


@dataclass(frozen=True)
class DeviationText(NarrativeText):
    """``avvik.md``: the whole text (``html``, printed in the accounts chapter), the general note
    before the first heading (explains no line) and the section under each heading."""

    general: str | None = None
    sections: tuple[Section, ...] = ()

    def section_for(self, *names: str) -> Section | None:
        """The section whose heading is one of ``names``, in any case and spacing; ``None`` if
        no heading names it (a text without headings explains no line)."""
        wanted = {_normal(n) for n in names}
        return next((s for s in self.sections if _normal(s.heading) in wanted), None)


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def _plain(html: Markup) -> str:
    return " ".join(html.striptags().split())


def split_sections(text: str) -> tuple[str | None, tuple[Section, ...]]:
    """A Markdown text cut at its headings: the text before the first heading (``None`` if
    blank) and, per heading, its body up to the next heading of the same or a higher level (a
    sub-heading's text stays in its section)."""
    tokens = _markdown().parse(text)
    lines = text.splitlines()
    headings = [
        (int(token.tag[1]), tokens[i + 1].content.strip(), token.map)
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.map is not None
    ]
    before = "\n".join(lines[: headings[0][2][0]] if headings else lines)
    general = _plain(markdown_to_html(before)) or None
    sections = []
    for n, (level, heading, (_, end)) in enumerate(headings):
        stop = next((m[0] for level_after, _, m in headings[n + 1 :] if level_after <= level), len(lines))
        html = markdown_to_html("\n".join(lines[end:stop]))
        sections.append(Section(heading, _plain(html), html))
    return general, tuple(sections)


def deviation_text(landing_dir: Path, year: int) -> DeviationText | None:
    """``tekst/avvik.md`` of the year, rendered whole and cut at its headings; ``None`` if absent."""
    path = landing_dir / str(year) / NARRATIVE_DIR / DEVIATIONS_TEXT
    if not path.is_file():
        return None
    text = _decode(path.read_bytes())
    general, sections = split_sections(text)
    return DeviationText(path.relative_to(landing_dir).as_posix(), markdown_to_html(text), general, sections)
