"""Where pack SQL runs in DuckDB: an empty in-memory database that can reach nothing but the facts.

The compiler already lets through only expressions over facts and parameters (`policy.allowlist`);
the sandbox is the second wall, should the first ever fail. Each sandbox is a fresh in-memory
DuckDB instance, separate from the records store, configured before its first statement and then
locked:
- no file system, network, ATTACH or COPY (`enable_external_access = false`), no spill folder, so
  no allowed directory either;
- no extension installed or loaded, automatically or by request;
- no Python variables read by name (replacement scans off);
- its configuration locked, so no statement can undo any of this;
- every statement stopped after a time limit.
The facts go in as an Arrow table; results come back as Arrow tables.
"""

from __future__ import annotations

import re
import threading
from types import TracebackType
from typing import Any

import duckdb
import pyarrow as pa

from secondchance.errors import UserError
from secondchance.policy import limits

__all__ = ["SANDBOX_SETTINGS", "PackFailed", "PackTimeout", "Sandbox"]

SANDBOX_SETTINGS: dict[str, Any] = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "python_enable_replacements": False,
    "python_scan_all_frames": False,
    "temp_directory": "",  # no spilling, hence no directory the database may touch
    "max_expression_depth": 4 * limits.MAX_EXPRESSION_DEPTH + 100,  # pack nesting plus the status SQL's own
}


class PackTimeout(UserError):
    """A pack ran longer than its time limit and was stopped."""


class PackFailed(UserError):
    """DuckDB stopped a pack on the facts (a fact beyond the limits the compiler assumes)."""


def _without_values(error: duckdb.Error) -> str:
    """DuckDB's reason, without the values it quotes in brackets (they are a person's facts)."""
    first = str(error).splitlines()[0] if str(error) else type(error).__name__
    return re.sub(r"\s*\(.*\)", "", first).rstrip("!") + "; nothing was written"


class Sandbox:
    """A locked, in-memory DuckDB database holding only what is loaded into it."""

    def __init__(self, *, seconds: float = limits.PACK_SECONDS) -> None:
        self.seconds = seconds
        self.connection = duckdb.connect(":memory:", config=dict(SANDBOX_SETTINGS))
        self.connection.execute("SET lock_configuration = true")

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database; what was loaded into it is gone."""
        self.connection.close()

    def load(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table readable under `name` (replacing what had that name)."""
        self.connection.register(name, table)

    def run(self, sql: str, *, label: str = "a pack") -> pa.Table:
        """Run one SELECT and return its rows; stopped with `PackTimeout` after the time limit."""
        finished = threading.Event()
        stopper = threading.Thread(target=self._stop_after_limit, args=(finished,), daemon=True)
        stopper.start()
        try:
            return self.connection.sql(sql).to_arrow_table()
        except duckdb.InterruptException:
            raise PackTimeout(
                f"{label} ran longer than its limit of {self.seconds:g} s and was stopped; nothing was written"
            ) from None
        except duckdb.Error as error:
            raise PackFailed(f"{label} could not be evaluated on these facts: {_without_values(error)}") from None
        finally:
            finished.set()
            stopper.join()

    def _stop_after_limit(self, finished: threading.Event) -> None:
        # An interrupt that arrives while DuckDB is still planning is lost, so keep interrupting until it ends.
        if finished.wait(self.seconds):
            return
        while not finished.is_set():
            self.connection.interrupt()
            finished.wait(0.01)
