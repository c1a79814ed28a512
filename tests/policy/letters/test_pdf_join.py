"""Joining letter PDFs into one for printing: every page, in order, readable; references renumbered."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from secondchance.errors import UserError
from secondchance.policy.letters.pdf import _renumber, html_to_pdf, join_pdfs, page_sizes

HERE = Path(__file__).parent


def _page(text: str, pages: int = 1, size: str = "letter") -> str:
    breaks = "".join(f'<p style="break-before: page">{text} page {number}</p>' for number in range(2, pages + 1))
    return f"<html><head><style>@page {{ size: {size} }}</style></head><body><h1>{text}</h1>{breaks}</body></html>"


def test_joined_pdf_has_every_page_of_every_letter_in_order(tmp_path: Path) -> None:
    parts = [html_to_pdf(_page("Alpha", 2), HERE), html_to_pdf(_page("Bravo", 1, "A4"), HERE)]
    output = io.BytesIO()
    assert join_pdfs(parts, output) == 3
    joined = output.getvalue()
    assert page_sizes(joined) == [(612.0, 792.0), (612.0, 792.0), pytest.approx((595.28, 841.89), abs=0.01)]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) reads the joined PDF back")
    path = tmp_path / "joined.pdf"
    path.write_bytes(joined)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    assert result.stderr == ""  # poppler reports a broken cross-reference table here
    assert [page.split() for page in result.stdout.split("\f") if page.strip()] == [
        ["Alpha"],
        ["Alpha", "page", "2"],
        ["Bravo"],
    ]


def test_references_are_renumbered_outside_strings_only() -> None:
    body = b"<</Parent 1 0 R/Title (Rule 1 0 R\\) of 2 0 R)/Kids [2 0 R]>>\nstream\n1 0 R\nendstream"
    assert _renumber(body, {1: 10, 2: 20}) == (
        b"<</Parent 10 0 R/Title (Rule 1 0 R\\) of 2 0 R)/Kids [20 0 R]>>\nstream\n1 0 R\nendstream"
    )


def test_a_pdf_with_object_streams_is_refused() -> None:
    from weasyprint import HTML  # type: ignore[import-untyped]

    compressed = HTML(string=_page("Alpha")).write_pdf()  # WeasyPrint's own writer: object streams
    with pytest.raises(UserError, match="compressed cross-reference"):
        join_pdfs([compressed], io.BytesIO())
