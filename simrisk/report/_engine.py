"""The report engine: one PDF writer and the registry of each kind's pages.

A kind's pages live in ``simrisk/report/<kind>/``; each such package has
``build(ds, lang, **options) -> Report`` and ``OPTIONS`` (the extra results
it takes, e.g. ``wellby`` for the contract report). :func:`write_report`
finds the package by the result's ``simrisk_kind`` attribute, so no model
kind imports the report layer: the CLI and the library's front door call
:func:`write_report`.

:func:`write_pdf` writes any :class:`Report`: atomically (a temporary file
renamed into place), with a title, subject and date in the PDF's metadata,
one bookmark per page, a footer on every page naming the result it shows,
and on request each page as PNG and SVG.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simrisk.core.errors import SimriskError
from simrisk.core.words import section

__all__ = ["A4", "KIND_PAGES", "Page", "Report", "footer_text", "write_pdf", "write_report"]

A4 = (11.69, 8.27)  # landscape, inches
W = section("engine")

#: Result kind (the Dataset's ``simrisk_kind``) -> the package with its pages.
KIND_PAGES = {
    "simrisk.run": "simrisk.report.contract",
    "simrisk.wellby": "simrisk.report.wellby",
    "simrisk.portfolio": "simrisk.report.portfolio",
    "simrisk.fund": "simrisk.report.fund",
    "simrisk.monitor": "simrisk.report.monitor",  # an updated result (a DataTree)
}


@dataclass
class Page:
    """One page: its file name, its title (the bookmark), and how to draw it.

    ``make`` returns a matplotlib Figure; ``None`` draws the contents page.
    ``shown`` is the result the page shows (its footer names it).
    """

    name: str
    title: str
    make: Callable | None
    shown: object = None


@dataclass
class Report:
    """A report's pages and the PDF's metadata."""

    title: str
    subject: str
    pages: list[Page]
    lang: str = "en"
    created: dt.datetime | None = None
    creator: str = "simrisk"
    result: object = None
    extra: dict = field(default_factory=dict)


def _pages_module(kind: str):
    try:
        return importlib.import_module(KIND_PAGES[kind])
    except KeyError:
        known = ", ".join(sorted(KIND_PAGES))
        raise SimriskError(
            f"results: a result of kind {kind!r} has no report (known: {known})"
        ) from None


def write_report(ds, out, *, lang: str = "en", figures=None, quiet: bool = True, **options):
    """Write the PDF report of any kind's result; returns the page names.

    Parameters
    ----------
    ds : xarray.Dataset
        A result of ``simrisk run`` (contract, WELLBY or portfolio).
    out : path
        The PDF, written atomically.
    lang : {"en", "da"}
        Words and number format (Danish: 1.234.567 kr., 11,5 %).
    figures : path, optional
        A folder; each page is also written there as PNG and SVG.
    quiet : bool
        Unless true, show progress on stderr when it is a terminal.
    **options
        Further results the kind's report takes (the contract's ``wellby``,
        ``design``, ``scenarios``); anything else is refused in one line.
    """
    if lang not in ("en", "da"):
        raise SimriskError(f"--lang {lang!r}: must be 'en' or 'da'")
    kind = str(ds.attrs.get("simrisk_kind", ""))
    module = _pages_module(kind)
    allowed = set(getattr(module, "OPTIONS", ()))
    given = sorted(k for k, v in options.items() if not _empty(v))
    refused = [k for k in given if k not in allowed]
    if refused:
        flags = ", ".join("--" + k.replace("_", "-") for k in refused)
        raise SimriskError(f"{flags}: does not apply to a report of a {kind} result")
    # on the screen from the start: the figures are computed before the first page
    bar = _progress(None, quiet, W("progress", lang))
    try:
        report = module.build(ds, lang=lang, **{k: options[k] for k in given})
        write_pdf(report, out, figures=figures, quiet=quiet, bar=bar)
    finally:
        if bar is not None:
            bar.close()
    return [p.name for p in report.pages]


def _empty(v) -> bool:
    """An option left out: None, False or an empty list (never compares a Dataset)."""
    return v is None or v is False or (isinstance(v, (list, tuple, dict)) and not v)


def footer_text(ds, lang: str, page: int) -> str:
    """The footer: version, config hash, seed, draws, time and page number."""
    from simrisk.core.numfmt import Numbers

    version = ds.attrs.get("simrisk_version") or ds.attrs.get("version", "?")
    created = str(ds.attrs.get("created_at", ""))
    try:
        when = dt.datetime.fromisoformat(created).astimezone(dt.UTC)
        created = Numbers(lang).date(when.date()) + when.strftime(" %H:%M UTC")
    except ValueError:
        pass
    # a file of another run, attached with --allow-other-run, says so on its page
    other = f" · {W('other_run', lang)}" if ds.attrs.get("simrisk_other_run") else ""
    return (
        f"simrisk {version} · {W('config_hash', lang)} "
        f"{str(ds.attrs.get('config_sha256', ''))[:12]} · {W('seed', lang)} "
        f"{ds.attrs.get('seed')} · {Numbers(lang).num(int(ds.attrs.get('draws', 0)))} "
        f"{W('draws', lang)}{other} · {created} · {W('page', lang)} {page}"
    )


def _contents(report: Report):
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=A4)
    fig.text(0.08, 0.9, W("contents", report.lang), fontsize=15, weight="bold")
    y = 0.83
    step = min(0.045, 0.75 / max(len(report.pages), 1))
    for k, page in enumerate(report.pages, start=1):
        fig.text(0.1, y, page.title, fontsize=11 if step >= 0.04 else 9.5)
        fig.text(0.85, y, str(k), fontsize=11 if step >= 0.04 else 9.5, ha="right")
        y -= step
    return fig


def _progress(total: int | None, quiet: bool, what: str, unit: str = "page"):
    """A tqdm bar on stderr when it is a terminal and not ``quiet``; else None.

    Its elapsed time ticks (a refresh every half second) while a long step
    runs between updates, such as the figures a report computes before its
    first page.
    """
    if quiet or not sys.stderr.isatty():
        return None
    import threading

    from tqdm import tqdm

    class Ticking(tqdm):
        def close(self):
            stop.set()
            super().close()

    stop = threading.Event()
    bar = Ticking(total=total, desc=what, unit=unit, file=sys.stderr, leave=False)

    def tick():
        while not stop.wait(0.5):
            bar.refresh()

    threading.Thread(target=tick, daemon=True).start()
    return bar


def write_pdf(
    report: Report, out, figures=None, quiet: bool = True, on_page=None, bar=None
) -> None:
    """Write ``report`` to ``out`` atomically, with metadata and one bookmark per page.

    ``on_page(page, fig)``, if given, sees each drawn page before it is closed
    (the tests read the tick labels there). ``bar``: a progress bar the caller
    made (and closes); else one is made here.
    """
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    target = Path(out)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.part")
    fig_dir = Path(figures) if figures is not None else None
    made_dir = fig_dir is not None and not fig_dir.exists()
    if fig_dir is not None:
        fig_dir.mkdir(parents=True, exist_ok=True)
    metadata = {"Title": report.title, "Subject": report.subject, "Creator": report.creator}
    if report.created is not None:
        metadata["CreationDate"] = report.created
    # Figures go to temporary names and are renamed only once the PDF is
    # complete, so a failed or interrupted report leaves no half set behind.
    figs: list[tuple[Path, Path]] = []
    done = False
    own_bar = bar is None
    if own_bar:
        bar = _progress(len(report.pages), quiet, W("progress", report.lang))
    elif bar is not None:
        bar.total = len(report.pages)
        bar.refresh()
    try:
        from simrisk.core.errors import writing

        with writing(target, "--output"):
            with PdfPages(tmp, metadata=metadata) as pdf:
                for k, page in enumerate(report.pages, start=1):
                    fig = _contents(report) if page.make is None else page.make()
                    engine = fig.get_layout_engine()
                    if engine is not None and hasattr(engine, "set"):
                        try:
                            engine.set(rect=(0, 0.03, 1, 0.97))  # room for the footer
                        except TypeError:
                            pass
                    shown = page.shown if page.shown is not None else report.result
                    if shown is not None:
                        fig.text(
                            0.5,
                            0.008,
                            footer_text(shown, report.lang, k),
                            ha="center",
                            va="bottom",
                            fontsize=7,
                            color="#555555",
                        )
                    pdf.savefig(fig)
                    if on_page is not None:
                        on_page(page, fig)
                    if fig_dir is not None:
                        for ext in ("png", "svg"):
                            final = fig_dir / f"page_{k:02d}_{page.name}.{ext}"
                            part = fig_dir / f".{final.stem}.{uuid.uuid4().hex[:8]}.part.{ext}"
                            figs.append((part, final))
                            fig.savefig(part, dpi=110)
                    plt.close(fig)
                    if bar is not None:
                        bar.update(1)
            _bookmark(tmp, [p.title for p in report.pages])
            for part, final in figs:
                os.replace(part, final)
            os.replace(tmp, target)
        done = True
    finally:
        if own_bar and bar is not None:
            bar.close()
        tmp.unlink(missing_ok=True)
        for part, _ in figs:
            part.unlink(missing_ok=True)
        if made_dir and not done:
            import shutil

            shutil.rmtree(fig_dir, ignore_errors=True)


def _bookmark(path: Path, titles: list[str]) -> None:
    """Add one bookmark (outline entry) per page, in place."""
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(path.read_bytes())))
    for k, title in enumerate(titles):
        writer.add_outline_item(title=f"{k + 1}. {title}", page_number=k)
    writer.page_mode = "/UseOutlines"
    with open(path, "wb") as fh:
        writer.write(fh)


def created_of(ds) -> dt.datetime | None:
    """The result's creation time (UTC), for the PDF's date."""
    try:
        return dt.datetime.fromisoformat(str(ds.attrs.get("created_at"))).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None
