"""Errors that reach the person running secondchance as a message, not a traceback."""

from __future__ import annotations

__all__ = ["UserError"]


class UserError(Exception):
    """Bad input or a bad request: the CLI prints the message and exits with code 1."""
