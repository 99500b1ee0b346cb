"""The investment committee's report: a multi-page PDF from a run (and a WELLBY result)."""

from simrisk.report._build import build_report

__all__ = ["build_report"]
