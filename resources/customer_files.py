"""Reading customer files safely: which files, how many bytes, which YAML.

A customer file arrives in a pull request, so it is read as hostile input:

- Only regular files directly in customers/: a symbolic link is refused unread (a
  link to a runner's Docker credentials would otherwise be parsed and echoed), and so
  is anything that resolves outside the folder. Files are opened with O_NOFOLLOW, so a
  link swapped in after the listing is not followed either.
- At most catalog.MAX_CUSTOMER_FILE_BYTES bytes are read.
- Control, invisible and line-separator characters (U+2028, U+0085, DEL, bidi
  overrides) are refused before parsing, with their line and column.
- YAML anchors and aliases are refused (customer files need none; nested aliases
  expand a 700-byte file into gigabytes), and so is nesting deeper than a customer
  file has. Dates stay text (the model checks them, with a fix), a key written twice
  is an error.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from resources import catalog
from resources.identity import hidden_character
from resources.spec_messages import kind

PROJECT_ROOT = Path(__file__).resolve().parent.parent
README_HINT = "customers/README.md"
SUFFIXES = (".yaml", ".yml")
MAX_DEPTH = 4  # the file's mapping > main_poc or sla > value; a list of domains


def display(path: Path, directory: Path) -> str:
    """The path as the reader knows it: relative to the project root when possible."""
    absolute = path.absolute()
    for base in (PROJECT_ROOT, directory.absolute().parent):
        try:
            return absolute.relative_to(base).as_posix()
        except ValueError:
            continue
    return absolute.as_posix()


def customer_files(directory: Path) -> list[Path]:
    """Every entry that claims to be a customer file (links included, to be refused), in
    a stable order (sorted by name). Names starting with a dot are ignored."""
    return sorted(
        directory / entry.name
        for entry in os.scandir(directory)
        if entry.name.endswith(SUFFIXES) and not entry.name.startswith(".")
    )


class _Refused(yaml.constructor.ConstructorError):
    """A YAML construct customer files never need, with its own fix."""

    def __init__(self, problem: str, fix: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)
        self.fix = fix


class _Loader(yaml.SafeLoader):
    """SafeLoader without aliases, deep nesting or YAML's own dates, that refuses a key
    written twice (PyYAML would keep the last `tier:` silently)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                "YAML anchors and aliases (&name, *name) are not allowed in customer files",
                "write each value out in full",
                event.start_mark,
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:
                raise _Refused(
                    f"values are nested more than {MAX_DEPTH} levels deep",
                    f"write the fields as described in {README_HINT}",
                    event.start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base constructor reports it
            if first is not None:
                shown = repr(key) if len(repr(key)) <= 60 else repr(key)[:57] + "..."
                raise _Refused(
                    f"key {shown} appears twice (first on line {first})",
                    "keep one of the two lines",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_bytes(path: Path, directory: Path, shown: str) -> tuple[bytes | None, str | None]:
    """The file's bytes, or the one problem that stops them being read."""
    fix_link = (
        "Fix: put the customer file itself in customers/ (git rm the link, then add the file)."
    )
    is_link = f"{shown}: is a symbolic link; customer files are never followed. {fix_link}"
    if path.is_symlink():
        return None, is_link
    if path.resolve().parent != directory.resolve():
        return None, f"{shown}: resolves outside customers/. {fix_link}"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a link after the listing
            return None, is_link
        return None, f"{shown}: cannot be read ({exc.strerror}). Fix: check the file's permissions."
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            return None, (
                f"{shown}: is not a regular file. Fix: customer files are plain YAML files; "
                "remove or rename this entry."
            )
        limit = catalog.MAX_CUSTOMER_FILE_BYTES
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        return None, (
            f"{shown}: is larger than {limit // 1024} KiB (a customer file is a few dozen "
            f"lines). Fix: keep only the fields described in {README_HINT}."
        )
    return raw, None


def read_customer_file(
    path: Path, directory: Path, shown: str, allowed_keys: tuple[str, ...]
) -> tuple[dict[str, Any] | None, list[str]]:
    """The YAML mapping in `path`, or the problems that stop it being read."""
    raw, problem = _read_bytes(path, directory, shown)
    if raw is None:
        return None, [problem or f"{shown}: cannot be read."]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            f"{shown}: line {line}: byte {raw[exc.start]:#04x} is not UTF-8 text. "
            "Fix: save the file as UTF-8 (most editors: 'Save with encoding')."
        ]
    bad = hidden_character(text, allow="\n\r\t")
    if bad:
        at = text.index(chr(int(bad[2:], 16)))
        line = text.count("\n", 0, at) + 1
        column = at - (text.rfind("\n", 0, at) + 1) + 1
        return None, [
            f"{shown}: line {line}, column {column}: character {bad} is a control, invisible "
            "or line-separator character (YAML may even read it as a line break). Fix: delete "
            "it; write each value on one line in plain characters."
        ]
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        if isinstance(exc, RecursionError):
            found = "values are nested too deeply"
        else:
            found = " ".join(str(getattr(exc, "problem", None) or exc).split())[:200]
        fix = getattr(exc, "fix", None) or (
            "correct the YAML there (indent with spaces, quote values that contain ': ' or ' #')"
        )
        return None, [f"{shown}: {where}not valid YAML: {found}. Fix: {fix}."]
    if data is None:
        return None, [
            f"{shown}: the file is empty. Fix: fill it in (every field is described in "
            f"{README_HINT}) or delete it."
        ]
    if not isinstance(data, dict):
        return None, [
            f"{shown}: the file holds {kind(data)}, not a mapping of fields. Fix: write "
            f"one 'key: value' per line ({', '.join(allowed_keys)}); see {README_HINT}."
        ]
    return data, []
