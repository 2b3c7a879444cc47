"""SQLite-backed state for the emulator.

Every object is a JSON blob keyed by (kind, id) so that adding a field to an object never
needs a migration, while the data still survives restarts (the Pulumi state on disk and
the emulator's state must not drift apart when a developer restarts the emulator).
WAL mode keeps readers cheap; one lock serialises writers because uvicorn may call in
from its event-loop thread while tests poke at the file from another.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind TEXT NOT NULL,
    id INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Store:
    """Objects by kind and id, plus a small key/value table for counters and singletons."""

    def __init__(self, path: Path, id_bases: dict[str, int] | None = None) -> None:
        # Distinct id ranges per kind: a client that sends a contact id where a customer
        # id belongs gets a 404 instead of silently touching the wrong object.
        self.id_bases = dict(id_bases or {})
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        """Close the connection (the WAL is checkpointed by SQLite on last close)."""
        with self._lock:
            self._conn.close()

    @contextmanager
    def tx(self) -> Iterator[None]:
        """One atomic unit of work; nests, so helpers can open their own without care."""
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._conn.execute("COMMIT")

    # -- objects --------------------------------------------------------------------

    def get(self, kind: str, obj_id: int) -> dict[str, Any] | None:
        """One object, or None."""
        with self._lock:
            row = self._conn.execute(
                "SELECT data FROM objects WHERE kind = ? AND id = ?", (kind, obj_id)
            ).fetchone()
        return json.loads(row[0]) if row else None

    def all(self, kind: str) -> list[dict[str, Any]]:
        """Every object of a kind in id order (lists are small: filtering happens in Python)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT data FROM objects WHERE kind = ? ORDER BY id", (kind,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    def next_id(self, kind: str) -> int:
        """Allocate the next id of a sequence (never reused, even after deletes)."""
        with self.tx():
            current = self.meta(f"seq:{kind}", self.id_bases.get(kind, 1) - 1)
            self.set_meta(f"seq:{kind}", current + 1)
            return int(current) + 1

    def insert(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Store a new object, assigning `id` unless the caller fixed one (seed data)."""
        with self.tx():
            if "id" not in data:
                data = {"id": self.next_id(kind), **data}
            self.put(kind, data)
        return data

    def put(self, kind: str, data: dict[str, Any]) -> None:
        """Insert or replace an object by its id."""
        with self.tx():
            self._conn.execute(
                "INSERT OR REPLACE INTO objects (kind, id, data) VALUES (?, ?, ?)",
                (kind, int(data["id"]), json.dumps(data)),
            )

    def delete(self, kind: str, obj_id: int) -> None:
        """Remove an object (missing is fine: callers check existence first)."""
        with self.tx():
            self._conn.execute("DELETE FROM objects WHERE kind = ? AND id = ?", (kind, obj_id))

    def clear(self, kind: str) -> None:
        """Remove every object of a kind."""
        with self.tx():
            self._conn.execute("DELETE FROM objects WHERE kind = ?", (kind,))

    # -- meta -----------------------------------------------------------------------

    def meta(self, key: str, default: Any = None) -> Any:
        """A JSON value from the key/value table."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON value in the key/value table."""
        with self.tx():
            self._conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )

    def wipe(self) -> None:
        """Delete everything (reset): the caller seeds again."""
        with self.tx():
            self._conn.execute("DELETE FROM objects")
            self._conn.execute("DELETE FROM meta")
