"""PDF letters: HTML laid out once by WeasyPrint, written with a plain cross-reference table, and joined.

A batch of letters is printed from one combined PDF. Laying a letter out is the costly step, so each
letter is laid out and painted once, into its own PDF, and the combined PDF is made by joining those
files object by object (`join_pdfs`): every letter's objects are renumbered after the previous
letter's and its pages become kids of one page tree. That needs files whose objects can be found from
a plain cross-reference table, so letters are written without object streams (`write_document`); the
page contents and fonts stay compressed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from secondchance.errors import UserError

__all__ = ["html_to_document", "html_to_pdf", "join_pdfs", "page_sizes", "write_document"]

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
_REFERENCE = re.compile(rb"(\d+) 0 R\b")
_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


@cache
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    # One font configuration for every letter of a process: fonts are found once, not per letter.
    return FontConfiguration()


def html_to_document(html: str, base: Path) -> Any:
    """Lay an HTML letter out (a WeasyPrint document), fetching nothing: no file, network or data URL."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    # Letters carry their styles inline; a pack's words are escaped, and even were they not, a link
    # to a file or a server in a letter must not be followed.
    nothing = URLFetcher(allowed_protocols=frozenset())
    return HTML(string=html, base_url=str(base), url_fetcher=nothing).render(font_config=_font_config())


def write_document(document: Any) -> bytes:
    """A laid-out document as PDF bytes with a plain cross-reference table (joinable by `join_pdfs`)."""
    from weasyprint import DEFAULT_OPTIONS
    from weasyprint.pdf import generate_pdf  # type: ignore[import-untyped]

    # `Document.write_pdf` would write object streams; the same PDF objects are written here without.
    pdf = generate_pdf(document, None, 1, **DEFAULT_OPTIONS)
    output = io.BytesIO()
    pdf.write(output, b"1.7", None, False)
    return output.getvalue()


def html_to_pdf(html: str, base: Path) -> bytes:
    """An HTML letter as PDF bytes."""
    return write_document(html_to_document(html, base))


# ---------------------------------------------------------------------------- reading our own PDFs


def _renumber(data: bytes, mapping: dict[int, int]) -> bytes:
    """Rewrite `N 0 R` references in an object's dictionary part; literal strings are left as they are."""
    head, marker, stream = data.partition(b"\nstream\n")
    pieces = re.split(rb"(\((?:\\.|[^\\()])*\))", head, flags=re.DOTALL)
    for index in range(0, len(pieces), 2):  # even pieces are outside (...) strings
        pieces[index] = _REFERENCE.sub(lambda match: b"%d 0 R" % mapping[int(match.group(1))], pieces[index])
    return b"".join(pieces) + marker + stream


def _objects(pdf: bytes) -> tuple[dict[int, bytes], int, int | None]:
    """The objects of a PDF written by `write_document` (number -> body), its root and its info object."""
    found = _STARTXREF.search(pdf[-64:])
    if found is None or not pdf.startswith(b"%PDF-"):
        raise UserError("a letter PDF to join is not complete (no cross-reference table)")
    table = pdf[int(found.group(1)) :]
    lines = table.split(b"\n")
    if lines[0] != b"xref":
        raise UserError("a letter PDF to join has a compressed cross-reference (object streams)")
    first, count = (int(part) for part in lines[1].split())
    offsets = {}
    for index, line in enumerate(lines[2 : 2 + count]):
        offset, _, state = line.split()[:3]
        if state == b"n":
            offsets[first + index] = int(offset)
    trailer = b"\n".join(lines[2 + count :])
    root = re.search(rb"/Root (\d+) 0 R", trailer)
    info = re.search(rb"/Info (\d+) 0 R", trailer)
    if root is None:
        raise UserError("a letter PDF to join has no catalogue")
    order = sorted(offsets, key=offsets.__getitem__)
    ends = [offsets[number] for number in order[1:]] + [int(found.group(1))]
    bodies = {}
    for number, end in zip(order, ends, strict=True):
        chunk = pdf[offsets[number] : end]
        header = b"%d 0 obj\n" % number
        bodies[number] = chunk[len(header) :].rstrip(b"\n").removesuffix(b"endobj").rstrip(b"\n")
    return bodies, int(root.group(1)), int(info.group(1)) if info else None


class _Writer:
    """Writes numbered objects to a file, remembering where each one starts."""

    def __init__(self, output: BinaryIO) -> None:
        self.output = output
        self.position = 0
        self.offsets: dict[int, int] = {}
        self.write(_HEADER)

    def write(self, data: bytes) -> None:
        self.output.write(data)
        self.position += len(data)

    def put(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def finish(self, root: int) -> None:
        size = max(self.offsets) + 1
        table = self.position
        self.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            self.write(b"%010d 00000 n \n" % self.offsets[number])
        self.write(b"trailer\n<</Size %d/Root %d 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (size, root, table))


def join_pdfs(parts: Iterable[bytes], output: BinaryIO) -> int:
    """Write the pages of every PDF (written by `write_document`) in order as one PDF; the page count."""
    writer = _Writer(output)
    catalog_number, pages_number, next_number = 1, 2, 3
    kids: list[int] = []
    for part in parts:
        bodies, root, info = _objects(part)
        pages = re.search(rb"/Pages (\d+) 0 R", bodies[root])
        if pages is None:
            raise UserError("a letter PDF to join has no page tree")
        old_pages = int(pages.group(1))
        kept = [number for number in sorted(bodies) if number not in (root, old_pages, info)]
        mapping = {number: next_number + index for index, number in enumerate(kept)}
        mapping |= {old_pages: pages_number, root: catalog_number}
        for number in kept:
            writer.put(mapping[number], _renumber(bodies[number], mapping))
        kids_array = re.search(rb"/Kids \[([^\]]*)\]", bodies[old_pages])
        kids += [mapping[int(number)] for number in _REFERENCE.findall(kids_array.group(1) if kids_array else b"")]
        next_number += len(kept)
    references = b" ".join(b"%d 0 R" % kid for kid in kids)
    writer.put(pages_number, b"<</Type /Pages/Kids [" + references + b"]/Count %d>>" % len(kids))
    writer.put(catalog_number, b"<</Type /Catalog/Pages %d 0 R>>" % pages_number)
    writer.finish(catalog_number)
    return len(kids)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height in points of every page of a PDF written here (its MediaBox), in file order."""
    boxes = re.findall(rb"/Type /Page/.*?/MediaBox \[([-\d. ]+)\]", pdf)
    sizes = []
    for box in boxes:
        left, bottom, right, top = (float(value) for value in box.split())
        sizes.append((right - left, top - bottom))
    return sizes
