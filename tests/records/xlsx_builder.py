"""Workbooks built by hand in tests (hostile ones included): a ZIP of the few parts an XLSX needs."""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE}">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_PART = "xl/worksheets/sheet1.xml"


def cell(reference: str | None, text: str) -> str:
    """An inline text cell; `reference` None leaves out its `r` (it follows the cell before it)."""
    where = f' r="{reference}"' if reference else ""
    return f'<c{where} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def row(number: int | None, cells: Sequence[str]) -> str:
    """A row of cells; `number` None leaves out its `r`."""
    where = f' r="{number}"' if number else ""
    return f"<row{where}>{''.join(cells)}</row>"


def table_rows(rows: Sequence[Sequence[str]]) -> str:
    """Rows of text from A1 on, every cell with its reference."""
    return "".join(
        row(r, [cell(f"{chr(ord('A') + c)}{r}", text) for c, text in enumerate(values)])
        for r, values in enumerate(rows, start=1)
    )


def sheet_xml(body: str, dimension: str | None = None, padding: str = "") -> str:
    """A worksheet part: its declared dimension (if any), `padding` inside sheetData, then `body`."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">{declared}'
    return f"{head}<sheetData>{padding}{body}</sheetData></worksheet>"


def write_xlsx(path: Path, sheet: str, *, extra_parts: int = 0) -> Path:
    """Write a workbook whose first sheet is the XML `sheet` (and `extra_parts` small unused parts)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(SHEET_PART, sheet)
        for number in range(extra_parts):
            archive.writestr(f"xl/extra/part{number}.xml", "<x/>")
    return path


def understate_size(path: Path, part: str, declared: int) -> None:
    """Make the archive's central directory say `part` holds `declared` bytes (a lie)."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    # A central directory entry: signature PK\x01\x02, its uncompressed size at offset 24, its name at 46.
    entry = data.find(b"PK\x01\x02")
    while entry >= 0 and data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    assert entry >= 0, f"{part} is not in {path}"
    data[entry + 24 : entry + 28] = declared.to_bytes(4, "little")
    path.write_bytes(bytes(data))
