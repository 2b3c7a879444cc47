"""Escaping customer values for each place they land in a Markdown runbook.

A business name, a domain or a note comes from a pull request, and the runbook is read
in a Markdown renderer (GitHub, an editor's preview) by the person who types the values
into Syncro. A value must therefore show as the characters it is, and never become
markup: no raw HTML, no link or image, no emphasis, no extra table column, no new
line that starts a heading or a list. One function per context (CommonMark with GFM
tables; checked with markdown-it-py in tests/domain/test_text.py):

- `md_text(value)`: running text (a paragraph, a list item, a heading).
- `md_cell(value)`: one cell of a pipe table.
- `md_code(value)`: an inline code span, for values a person copies verbatim;
  `in_table=True` inside a table cell.

Line breaks and other invisible characters become spaces everywhere: a Markdown line
break inside a value could end a table row or start a block.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that make inline markup or HTML wherever they stand: a backslash before
# them makes each a literal in CommonMark (any ASCII punctuation may be escaped).
_INLINE = re.compile(r"([\\`*_\[\]<>&|~!#])")
# At the start of a line these open a block (list, heading underline, ordered list).
_BLOCK_START = re.compile(r"\A(\s*)([-+=]|[0-9]{1,9}(?=[.)]))")
_BREAKS = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def _one_line(value: object) -> str:
    """`value` as text on one line: breaks, controls and invisibles become spaces."""
    text = "" if value is None else str(value)
    return "".join(" " if unicodedata.category(ch) in _BREAKS else ch for ch in text)


def md_text(value: object) -> str:
    """`value` as literal running text."""
    text = _INLINE.sub(r"\\\1", _one_line(value))
    # "1. x", "- x", "+ x" would start a list, "===" underline a heading.
    match = _BLOCK_START.match(text)
    if match:
        lead, mark = match.groups()
        if mark in "-+=":
            text = f"{lead}\\{text[len(lead) :]}"
        else:
            end = len(lead) + len(mark)
            text = f"{text[:end]}\\{text[end:]}"
    # Four leading spaces would make an indented code block.
    return text.strip(" ")


def md_cell(value: object) -> str:
    """`value` as the literal content of one pipe-table cell (pipes cannot split it)."""
    return md_text(value)


def md_code(value: object, *, in_table: bool = False) -> str:
    """`value` as an inline code span, verbatim even if it holds backticks.

    Inside a table cell pass `in_table=True`: GFM splits a row at every `|`, even in a
    code span, and turns `\\|` back into `|` there; outside a table `\\|` would show."""
    text = _one_line(value)
    if not text.strip(" "):
        return "` `"  # nothing to copy; an empty span would print two backticks
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark drops one space at each end when both are there: pad so it drops ours.
    pad = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"
