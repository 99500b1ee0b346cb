"""The offline HTML page of a result: page 1's decision, the key charts and one control.

``simrisk report RESULT.nc -o page.html`` writes one self-contained file for
readers without a PDF habit: the decision as the PDF's page 1 words it (the
kind's own verdict, alternatives, what would change the decision and the
Monte Carlo error), the key charts, and one interactive control where it
helps (the contract: DSI's risk aversion r; the pool: the value of a staff
hour; the WELLBY and fund pages have none). The charts are Altair (Vega-Lite) with
the JavaScript inline, so the page opens offline from a file.

Altair and vl-convert-python are the extra ``simrisk[html]``; without them
:func:`write_html` refuses in one line naming the install command.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from simrisk.core.errors import SimriskError

__all__ = ["HTML_SUFFIXES", "KIND_HTML", "write_html"]

#: Output names that choose the HTML page over the PDF.
HTML_SUFFIXES = (".html", ".htm")

#: Result kind (the Dataset's ``simrisk_kind``) -> the module that builds its page.
KIND_HTML = {
    "simrisk.run": "simrisk.report.html._contract",
    "simrisk.portfolio": "simrisk.report.html._portfolio",
    "simrisk.wellby": "simrisk.report.html._wellby",
    "simrisk.fund": "simrisk.report.html._fund",
}

#: The further results each kind's page takes (the others are the PDF's only).
OPTIONS = {"simrisk.run": ("scenarios",)}


def _require(out) -> None:
    try:
        import altair  # noqa: F401
        import vl_convert  # noqa: F401
    except ImportError:
        raise SimriskError(
            f"--output {out}: the HTML page needs Altair; "
            'install it with pip install "simrisk[html]"'
        ) from None


def write_html(ds, out, *, lang: str = "en", quiet: bool = True, **options) -> list[str]:
    """Write the offline HTML page of ``ds`` to ``out`` atomically; returns its sections.

    ``options``: for a contract, ``scenarios`` (as the PDF's page 1); the
    PDF's other options (``figures``, ``wellby``, ``design``) are refused in
    one line.
    """
    from simrisk.core.outputs import replacing
    from simrisk.report._engine import _empty, _progress
    from simrisk.report.html._page import bundle, render

    if lang not in ("en", "da"):
        raise SimriskError(f"--lang {lang!r}: must be 'en' or 'da'")
    kind = str(ds.attrs.get("simrisk_kind", ""))
    if kind not in KIND_HTML:
        known = ", ".join(sorted(KIND_HTML))
        raise SimriskError(
            f"--output {out}: a result of kind {kind!r} has no HTML page yet (known: {known}); "
            "write a PDF instead"
        )
    given = sorted(k for k, v in options.items() if not _empty(v))
    refused = [k for k in given if k not in OPTIONS.get(kind, ())]
    if refused:
        flags = ", ".join("--" + k.replace("_", "-") for k in refused)
        raise SimriskError(f"{flags}: applies to the PDF report only, not to the HTML page")
    _require(out)
    from simrisk.core.words import word

    bar = _progress(3, quiet, word("html", "progress", lang), unit="step")
    try:
        page = importlib.import_module(KIND_HTML[kind]).build(
            ds, lang=lang, **{k: options[k] for k in given}
        )
        if bar is not None:
            bar.update(1)
        js = bundle()
        if bar is not None:
            bar.update(1)
        with replacing(Path(out)) as tmp:
            tmp.write_text(render(page, js), encoding="utf-8")
        if bar is not None:
            bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return [b.name for b in page.blocks]
