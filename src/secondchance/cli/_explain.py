"""`secondchance explain`: one person's result for one pack, criterion by criterion, or as a letter."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from secondchance.cli._app import StoreOption, console, escape, store_path
from secondchance.cli._options import check_output_path, optional_date_option
from secondchance.errors import UserError

__all__ = ["explain", "register"]


def explain(
    person: Annotated[str, typer.Argument(help="The person's source id (or source:source_id when ambiguous).")],
    pack: Annotated[str, typer.Option("--pack", help="Pack id or file.", show_default=False)],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Screening date (YYYY-MM-DD); default today (a stored run of that date is read, else screened now).",
            show_default=False,
        ),
    ] = None,
    letter: Annotated[bool, typer.Option("--letter", help="Write the plain-language letter to the person.")] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language: en or es.")] = "en",
    output: Annotated[
        str | None, typer.Option("--format", help="Letter format: md, html or pdf (default md).", show_default=False)
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the letter to this file.", show_default=False)
    ] = None,
    store: StoreOption = None,
) -> None:
    """Explain a person's screening result for a pack: every criterion, its evidence and its date.

    Example: secondchance explain SYN-P-00000002 --pack us-federal/clemency-2014 --letter --lang es --format pdf
    --out carta.pdf
    """
    from secondchance.policy.explain import explain_person
    from secondchance.policy.letters import FORMATS, LANGUAGES, render_letter

    if lang not in LANGUAGES:
        raise UserError(f"--lang {lang!r}: use {' or '.join(LANGUAGES)}")
    if output is not None and output not in FORMATS:
        raise UserError(f"--format {output!r}: use {', '.join(FORMATS)}")
    if (output is not None or out is not None) and not letter:
        raise UserError("--format and --out are for letters: add --letter")
    fmt = output or "md"
    if fmt == "pdf" and out is None:
        raise UserError("--format pdf needs --out PATH")
    check_output_path("--out", out)
    screening_date = optional_date_option("--as-of", as_of) or date.today()
    explanation = explain_person(store_path(store), person, pack, screening_date)
    if not letter:
        from secondchance.policy.letters.console import explanation_tree

        console.print(explanation_tree(explanation, lang))
        return
    rendered = render_letter(explanation, lang, fmt)
    if out is not None:
        try:
            if isinstance(rendered, bytes):
                out.write_bytes(rendered)
            else:
                out.write_text(rendered, encoding="utf-8")
        except OSError as error:
            raise UserError(f"cannot write the letter to {out}: {error.strerror}") from None
        console.print(f"wrote the {escape(lang)} letter ({escape(fmt)}) to {escape(str(out))}")
        return
    typer.echo(rendered, nl=False)


def register(app: typer.Typer) -> None:
    """Add `explain` to the application."""
    app.command()(explain)
