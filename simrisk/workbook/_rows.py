"""A block of numbers into one sheet of a finished .xlsx, written as XML rows directly.

XlsxWriter costs about 7 µs a cell (a Python call, a check and an escaped XML
element per cell): the draws sheet's 10,000 rows of ~70 columns took 5 of
the export's 10 s of CPU. XlsxWriter writes that sheet's header, column
widths, formats and frozen pane; :func:`splice_rows` then puts the numbers
into its ``<sheetData>`` as plain ``<row>``/``<c>`` elements (the OOXML
SpreadsheetML schema, ECMA-376 part 1, section 18.3.1), each cell styled with
its column's format, at well under a microsecond a cell.
"""

from __future__ import annotations

import math
import os
import re
import uuid
import zipfile
from pathlib import Path

import numpy as np

__all__ = ["col_name", "splice_rows"]

_COL = re.compile(rb'<col min="(\d+)" max="(\d+)"[^>]*?style="(\d+)"')


def col_name(j: int) -> str:
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def _sheet_part(z: zipfile.ZipFile, sheet: str) -> str:
    """The zip member holding the worksheet named ``sheet``."""
    book = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    m = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', book)
    if m is None:
        raise ValueError(f"no sheet {sheet!r} in the workbook")
    target = re.search(rf'Id="{m.group(1)}"[^>]*Target="([^"]+)"', rels)
    if target is None:  # attribute order differs
        target = re.search(rf'Target="([^"]+)"[^>]*Id="{m.group(1)}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def _rows_xml(block: np.ndarray, first_row: int, styles: list[int]):
    """``<row>`` elements of ``block`` (rows from 0-based ``first_row``), blank for non-finite.

    A row of finite numbers is one ``%`` format of a template whose cells omit
    their optional ``r`` reference (ECMA-376 part 1, 18.3.1.4: a cell without
    one follows the previous cell); rows with a gap name every cell.
    """
    k = block.shape[1]
    attr = [f' s="{s}"' if s else "" for s in styles]
    template = '<row r="%d">' + "".join(f"<c{a}><v>%r</v></c>" for a in attr) + "</row>"
    pre = [f'<c r="{col_name(j)}' for j in range(k)]
    mid = [f'"{a}><v>' for a in attr]
    finite = np.isfinite(block).all(axis=1)
    isfinite = math.isfinite
    for i, (row, whole) in enumerate(
        zip(block.tolist(), finite, strict=True), start=first_row + 1
    ):
        if whole:
            yield template % (i, *row)
            continue
        parts = [f'<row r="{i}">']
        for j, v in enumerate(row):
            if isfinite(v):
                parts.append(f"{pre[j]}{i}{mid[j]}{v!r}</v></c>")
        parts.append("</row>")
        yield "".join(parts)


def splice_rows(
    path: str | Path, sheet: str, block: np.ndarray, first_row: int = 1, uncached=()
) -> None:
    """Append ``block`` (float64 [row, column]) to ``sheet`` of the .xlsx at ``path``.

    The sheet must have been written up to row ``first_row - 1`` (0-based) and
    no further; every cell takes its column's style (``set_column``'s format),
    as if typed into it. The file is rewritten atomically.

    In the sheets named in ``uncached`` the formulas lose XlsxWriter's cached
    result (``<v>0</v>``): Excel recalculates on opening anyway
    (``fullCalcOnLoad``), but LibreOffice trusts a cached value from a file
    that says Excel wrote it and would show 0 where no value forces it to
    calculate.
    """
    path = Path(path)
    block = np.asarray(block, dtype=np.float64)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.rows")
    try:
        with (
            zipfile.ZipFile(path) as src,
            # level 1: the sheet is most of the file, and 3x faster to deflate than level 6
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
        ):
            part = _sheet_part(src, sheet)
            strip = {_sheet_part(src, name) for name in uncached}
            for info in src.infolist():
                if info.filename in strip:
                    dst.writestr(info.filename, src.read(info).replace(b"</f><v>0</v>", b"</f>"))
                    continue
                if info.filename != part:
                    dst.writestr(info, src.read(info))
                    continue
                xml = src.read(info)
                styles = [0] * block.shape[1]
                for lo, hi, s in _COL.findall(xml):
                    for j in range(int(lo) - 1, min(int(hi), block.shape[1])):
                        styles[j] = int(s)
                if b"<sheetData/>" in xml:
                    xml = xml.replace(b"<sheetData/>", b"<sheetData></sheetData>")
                head, tail = xml.split(b"</sheetData>", 1)
                last = f"{col_name(max(block.shape[1], 1) - 1)}{first_row + block.shape[0]}"
                dim = f'<dimension ref="A1:{last}"/>'.encode()
                head = re.sub(rb'<dimension ref="[^"]*"/>', dim, head)
                with dst.open(info.filename, "w") as fo:
                    fo.write(head)
                    buf = []
                    for n, row in enumerate(_rows_xml(block, first_row, styles), start=1):
                        buf.append(row)
                        if n % 500 == 0:
                            fo.write("".join(buf).encode("utf-8"))
                            buf = []
                    fo.write("".join(buf).encode("utf-8"))
                    fo.write(b"</sheetData>" + tail)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
