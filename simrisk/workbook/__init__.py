"""The analyst's workbook: a run as an Excel file (``simrisk export``).

The sheet names and their header rows are a stable interface, documented in
``docs/cli.md`` (``## simrisk export``): analysts build on them.
"""

from simrisk.workbook._write import DRAWS_LIMIT, SHEETS, write_workbook

__all__ = ["DRAWS_LIMIT", "SHEETS", "write_workbook"]
