"""Reports for people: one engine, and each kind's pages under ``simrisk/report/<kind>/``.

:func:`write_report` writes the PDF of any kind's result (contract, WELLBY,
portfolio); :func:`build_report` is the contract report's former name.
"""

from simrisk.report._engine import KIND_PAGES, Page, Report, write_pdf, write_report

build_report = write_report

__all__ = ["KIND_PAGES", "Page", "Report", "build_report", "write_pdf", "write_report"]
