"""One self-contained HTML page: text blocks, tables and Vega-Lite charts, no network.

The charts are Altair (Vega-Lite) specifications. The JavaScript that draws
them (vega, vega-lite and vega-embed) is the bundle Altair inlines with
``inline=True`` (``vl-convert-python`` ships it); it is written once into
the page, so the file opens offline and from a file:// URL. Vega-embed's
action menu (which links to the online editor) is off, and numbers on the
axes follow the page's language (``formatLocale``).
"""

from __future__ import annotations

import functools
import html
import json
from dataclasses import dataclass, field

__all__ = [
    "Block",
    "HtmlPage",
    "bundle",
    "decision_block",
    "footer",
    "more_block",
    "render",
    "table",
]

#: d3-format locales for the axes: Danish 1.234.567,8 and 11,5 %.
LOCALES = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " DKK"]},
    "da": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0kr."],
        "percent": "\u00a0%",
        "minus": "\u2212",
    },
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #222; background: #fff; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 1.55em; margin: 0 0 4px; }
h2 { font-size: 1.15em; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.rule { color: #555; font-size: 0.9em; margin: 2px 0 14px; }
p.verdict { font-size: 1.12em; font-weight: 600; line-height: 1.45; background: #f3f6fa;
            border-left: 4px solid #1f5fa8; padding: 10px 14px; margin: 12px 0; }
p.note { color: #555; font-size: 0.86em; font-style: italic; }
p.help { color: #444; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; margin: 6px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eee; vertical-align: top; }
th { text-align: right; background: #fafafa; }
th:first-child, td:first-child { text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
ul.flips li { margin: 4px 0; line-height: 1.4; }
div.chart { margin: 10px 0 18px; min-height: 120px; }
footer { color: #666; font-size: 0.78em; margin-top: 30px; border-top: 1px solid #ddd;
         padding-top: 8px; }
.vega-bindings { font-size: 0.95em; margin: 6px 0; }
.vega-bindings input[type=range] { width: 320px; vertical-align: middle; }
"""


@dataclass
class Block:
    """A part of the page: a heading, HTML made with :func:`table` or escaped text, charts."""

    name: str
    heading: str | None = None
    html: str = ""
    charts: list = field(default_factory=list)  # Altair charts, drawn after the HTML


@dataclass
class HtmlPage:
    """The page: its title, language, blocks and footer (already words, not keys)."""

    title: str
    lang: str
    blocks: list[Block]
    footer: str = ""


def esc(text) -> str:
    """``text`` as HTML: escaped, no line break inside ``11,5 %`` or ``182.773 kr.``."""
    text = str(text).replace(" %", "\u00a0%").replace(" kr.", "\u00a0kr.")
    return html.escape(text.replace(" DKK", "\u00a0DKK"), quote=False)


def table(heads: list[str], rows: list[list[str]]) -> str:
    """An HTML table: the first column is words, the others numbers (right-aligned)."""
    out = ["<table>", "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in heads) + "</tr>"]
    for row in rows:
        cells = [f"<td>{esc(row[0])}</td>"] + [f'<td class="n">{esc(c)}</td>' for c in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def decision_block(one: dict) -> Block:
    """Page 1 of the PDF as HTML, from a kind's ``page_one`` words."""
    flips = "".join(f"<li>{esc(x)}</li>" for x in one["flips"])
    parts = [
        f'<p class="rule">{esc(one["rule"])}</p>',
        f'<p class="verdict">{esc(one["verdict"])}</p>',
        f"<h2>{esc(one['alternatives'])}</h2>",
        table(one["heads"], one["rows"]),
        *(f'<p class="note">{esc(x)}</p>' for x in one["notes"]),
        f"<h2>{esc(one['flips_heading'])}</h2>",
        f'<ul class="flips">{flips}</ul>',
        f'<p class="note">{esc(one["mc_error"])}</p>',
    ]
    return Block("decision", None, "\n".join(parts))


def more_block(ds, lang) -> Block:
    """The closing note: where every figure is (the PDF), and that the page is offline."""
    from simrisk.core.words import word

    name = str(ds.encoding.get("source", "RESULT.nc")).rsplit("/", 1)[-1] or "RESULT.nc"
    more = word("html", "more", lang, name=name)
    return Block(
        "more", None, f'<p class="note">{esc(more)} {esc(word("html", "offline", lang))}</p>'
    )


def footer(ds, lang) -> str:
    """The PDF pages' footer line (version, config, seed, draws, date) without its page number."""
    from simrisk.report._engine import footer_text

    return footer_text(ds, lang, 1).rsplit(" · ", 1)[0]


@functools.cache
def bundle() -> str:
    """The vega, vega-lite and vega-embed JavaScript Altair writes with ``inline=True``.

    vl-convert assembles it (about 0.9 MB) in some seconds of CPU, so it is
    kept once per process and in the user's cache folder
    (``$XDG_CACHE_HOME/simrisk``, else ``~/.cache/simrisk``), named by the
    vl-convert and Vega-Lite versions; a folder that cannot be written is
    skipped.
    """
    import os
    import uuid
    from pathlib import Path

    from altair.utils._importers import import_vl_convert, vl_version_for_vl_convert

    vlc = import_vl_convert()
    vl_version = vl_version_for_vl_convert()
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "simrisk"
    cached = folder / f"vega-embed-{vlc.__version__}-{vl_version}.js"
    try:
        text = cached.read_text(encoding="utf-8")
        if text.rstrip().endswith(_BUNDLE_END):
            return text
    except (OSError, UnicodeDecodeError):
        pass
    text = vlc.javascript_bundle(vl_version=vl_version)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        part = folder / f".{cached.name}.{uuid.uuid4().hex[:8]}.part"
        part.write_text(text + "\n" + _BUNDLE_END + "\n", encoding="utf-8")
        os.replace(part, cached)
    except OSError:
        pass
    return text


#: the last line of a cached bundle: it was written whole
_BUNDLE_END = "// simrisk: end of the vega-embed bundle"


def _script_safe(text: str) -> str:
    """JSON or JavaScript that cannot close its ``<script>`` element early."""
    import re

    return re.sub(r"(?i)</(script)", r"<\\/\1", text).replace("<!--", "<\\!--")


def render(page: HtmlPage, js: str | None = None) -> str:
    """The whole page as one string; ``js`` is :func:`bundle` (read once per page)."""
    specs = {}
    body = [f"<h1>{esc(page.title)}</h1>"]
    for block in page.blocks:
        body.append(f'<section id="{block.name}">')
        if block.heading:
            body.append(f"<h2>{esc(block.heading)}</h2>")
        body.append(block.html)
        for k, chart in enumerate(block.charts):
            div = f"chart-{block.name}-{k}"
            specs[div] = chart.to_dict()
            body.append(f'<div class="chart" id="{div}"></div>')
        body.append("</section>")
    if page.footer:
        body.append(f"<footer>{esc(page.footer)}</footer>")
    options = {
        "mode": "vega-lite",
        "actions": False,
        "renderer": "svg",
        "formatLocale": LOCALES[page.lang],
    }
    script = f"""
const specs = {_script_safe(json.dumps(specs))};
const options = {json.dumps(options)};
Promise.all(Object.entries(specs).map(([id, spec]) => vegaEmbed('#' + id, spec, options)))
  .then(() => {{ document.body.dataset.charts = String(Object.keys(specs).length); }})
  .catch((err) => {{ console.error(err); document.body.dataset.charts = 'failed'; }});
"""
    return f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="simrisk">
<title>{esc(page.title)}</title>
<style>{STYLE}</style>
<script>{_script_safe(js if js is not None else bundle())}</script>
</head>
<body>
<main>
{chr(10).join(body)}
</main>
<script>{script}</script>
</body>
</html>
"""
