"""The project office's own text for the report: ``<landing>/<year>/tekst/*.md``.

Markdown is rendered with markdown-it-py in CommonMark mode with raw HTML switched off: any
HTML in a file is shown as text, never run or laid out. Images are replaced by their
description (the report fetches nothing from outside), links keep their text and address,
and headings are moved down under the report's own section heading (``#`` and ``##`` become
level 3). Files are taken in name order (``01-…``, ``02-…``).
"""

from __future__ import annotations

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


def placed_texts() -> set[str]:
    """The text files that have their own place in the report, not the office's chapter."""
    return {DEVIATIONS_TEXT} | {OBJECTIVE_TEXT.format(number=n) for n in range(1, 6)}


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
        if path.is_file() and path.name not in placed_texts()
    ]


def placed_text(landing_dir: Path, year: int, name: str) -> NarrativeText | None:
    """One placed text of the year (``avvik.md``, ``maal_3.md``), rendered; ``None`` if absent."""
    path = landing_dir / str(year) / NARRATIVE_DIR / name
    return _rendered(path, landing_dir) if path.is_file() else None
