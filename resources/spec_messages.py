"""How a customer-file problem is worded: file, field, value (only when safe) and fix.

Error output ends up in pull-request checks and CI logs, so a value is echoed only
when it cannot be a secret and cannot cost anything to print: short scalars of known
fields, cut before they are formatted. Mappings and lists are described by type and
size, never printed (one can hold EDR keys, and an expanded one gigabytes); so are
values of unknown keys, and text that looks like a key or token.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pydantic_core import PydanticCustomError

SHOWN_CHARACTERS = 60


def fail(message: str, fix: str) -> PydanticCustomError:
    """A validation error that carries its own fix, picked up by describe()."""
    return PydanticCustomError("customer_file", "{message}", {"message": message, "fix": fix})


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def kind(value: Any) -> str:
    """How YAML understood a value, in the words of someone who wrote the YAML."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return f"a list of {_count(len(value), 'item')}"
    if isinstance(value, Mapping):
        return f"a mapping of {_count(len(value), 'key')}"
    if isinstance(value, date):
        return "a date"
    return f"a {type(value).__name__}"


# Key or token shaped: long, no spaces, dots or '@' (so not a domain or an address),
# letters and digits mixed.
_TOKEN_LIKE = re.compile(r"\A(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_+/=:-]{16,}\Z")
_SECRET_KEY = re.compile(r"key|secret|token|passw|hunt|edr|api|credential", re.IGNORECASE)


def looks_secret(value: Any) -> bool:
    return isinstance(value, str) and bool(_TOKEN_LIKE.match(value.strip()))


def hidden(value: Any) -> str:
    """A value by type and size only."""
    if isinstance(value, str):
        return f"text of {_count(len(value), 'character')}"
    return kind(value)


def show(value: Any) -> str:
    """The offending value as the reader typed it, when that is safe (see the docstring)."""
    if value is None:
        return "(empty)"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | float):
        text = repr(value)
        return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 3] + "..."
    if isinstance(value, str):
        if looks_secret(value):
            return f"({hidden(value)}, not shown: it looks like a key)"
        if len(value) > SHOWN_CHARACTERS:
            return repr(value[: SHOWN_CHARACTERS - 3]) + f"... ({len(value)} characters)"
        return repr(value)
    return f"({hidden(value)})"


def suggest(value: str, choices: Iterable[str]) -> str:
    """' (did you mean X?)' for a near miss, else ''."""
    value = value[:SHOWN_CHARACTERS]
    by_lower = {c.lower(): c for c in choices}
    if value.lower() in by_lower:
        return f" (did you mean {by_lower[value.lower()]!r}? the case matters)"
    close = difflib.get_close_matches(value, list(by_lower.values()), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def field_name(loc: tuple[int | str, ...]) -> str:
    """('domains', 1) -> 'domains[1]'; ('main_poc', 'email') -> 'main_poc.email'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            name = str(part)
            name = name if len(name) <= 40 else name[:37] + "..."
            out += f".{name}" if out else name
    return out


def fix_for(loc: tuple[int | str, ...], fixes: Mapping[str, str], default: str) -> str:
    keys = [str(p) for p in loc if not isinstance(p, int)]
    dotted = ".".join(keys)
    if dotted in fixes:
        return fixes[dotted]
    if keys and f"{keys[0]}.*" in fixes:
        return fixes[f"{keys[0]}.*"]
    return fixes.get(keys[0] if keys else "", default)


SECRET_FIX = (
    "EDR keys and other secrets never go in a customer file: remove the line and run "
    "scripts/set-edr-keys CS-#### <HUNT_A-KEY> <HUNT_O-KEY> <stack>"
)


def unknown_key(key: str, value: Any, allowed: tuple[str, ...]) -> tuple[str, str]:
    """(problem, fix) for a key the model does not know; its value is never printed."""
    fix = f"remove it or correct the spelling; allowed keys here: {', '.join(allowed)}"
    problem = f"unknown key (its value, {hidden(value)}, is not shown){suggest(key, allowed)}"
    if _SECRET_KEY.search(key) or looks_secret(value) or isinstance(value, Mapping | list):
        return problem, f"{fix}. {SECRET_FIX}"
    return problem, fix


_TYPE_WORDS = {
    "string_type": "text",
    "string_sub_type": "text",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
    "model_attributes_type": "a mapping",
    "bool_type": "true or false",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
}


def describe(error: Mapping[str, Any], fix: str) -> tuple[str, str]:
    """(problem including the value when safe, fix) for one pydantic error other than an
    unknown key; `fix` is the field's generic fix."""
    value = error.get("input")
    error_type = error["type"]
    ctx = error.get("ctx") or {}
    if error_type == "customer_file":
        return ctx["message"], ctx["fix"]
    if error_type == "missing":
        return "(missing) the field is required", f"add it: {fix}"
    if error_type in _TYPE_WORDS:
        if value is None:
            return "(empty): no value is given", fix
        return f"{show(value)} is {kind(value)}, not {_TYPE_WORDS[error_type]}", fix
    if error_type == "too_short":
        return f"{show(value)} is an empty list", fix
    if error_type == "too_long":
        return f"{show(value)} is longer than allowed ({error['msg']})", fix
    if error_type == "greater_than":
        return f"{show(value)} is not greater than 0", fix
    return f"{show(value)} is not valid", fix
