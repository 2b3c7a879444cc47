"""Customer values in the runbook's Markdown stay literal: checked with a real renderer
(markdown-it-py, CommonMark with tables, raw HTML allowed so that escaping is what stops it)."""

from __future__ import annotations

import random

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from resources.text import md_cell, md_code, md_text

MARKUP = {
    "link_open",
    "image",
    "html_inline",
    "html_block",
    "em_open",
    "strong_open",
    "s_open",
    "heading_open",
    "bullet_list_open",
    "ordered_list_open",
    "blockquote_open",
    "code_block",
    "fence",
    "hr",
    "hardbreak",
    "softbreak",
}

HOSTILE = [
    "Smith \\ Law | Partners | LLP",
    "Back\\slash\\|pipe\\\\|double",
    "<b>bold</b> <script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](https://evil.example/phish)",
    "![tracker](https://evil.example/p.png)",
    "<https://evil.example>",
    "*emph* **strong** _under_ ~~strike~~",
    "`code` ``double``",
    "# heading",
    "- item",
    "+ item",
    "1. first",
    "42) answer",
    "> quote",
    "---",
    "===",
    "    indented code",
    "Tom &amp; Jerry &copy; &#x3C;b&#x3E;",
    "line one\nline two\r\nthree",
    "sep\u2028ara\u2029tors\u0085and\x7fdel",
    "[a]: https://evil.example",
    "trailing backslash \\",
    "",
]


def markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


def walk(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out.extend(walk(token.children or []))
    return out


def inline_text(token: Token) -> str:
    """What a reader sees in an inline token: text and code contents."""
    return "".join(
        child.content for child in token.children or [] if child.type in ("text", "code_inline")
    )


def expected_text(value: str) -> str:
    import unicodedata

    one = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in value)
    return one.strip(" ")


def kinds(tokens: list[Token]) -> set[str]:
    return {token.type for token in walk(tokens)}


@pytest.mark.parametrize("value", HOSTILE)
def test_text_renders_literally(value: str) -> None:
    tokens = markdown().parse(f"Business name: {md_text(value)}\n")
    assert not kinds(tokens) & MARKUP, (value, md_text(value))
    (inline,) = [t for t in tokens if t.type == "inline"]
    assert inline_text(inline) == f"Business name: {expected_text(value)}".strip(" ")


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_text_at_the_start_of_a_list_item_renders_literally(value: str) -> None:
    tokens = markdown().parse(f"- {md_text(value)}\n")
    found = kinds(tokens) - {"bullet_list_open"}
    assert not found & MARKUP, (value, md_text(value))
    (inline,) = [t for t in tokens if t.type == "inline"]
    assert inline_text(inline) == expected_text(value)


def table_cells(source: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for token in markdown().parse(source):
        if token.type == "tr_open":
            rows.append([])
        if token.type == "inline" and rows:
            rows[-1].append(inline_text(token))
    return rows


def render_row(cells: list[str]) -> str:
    header = "| client | name | code |\n|---|---|---|\n"
    return header + "| " + " | ".join(cells) + " |\n"


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_keeps_the_table_intact(value: str) -> None:
    source = render_row(["CS-0042", md_cell(value), md_code(value, in_table=True)])
    tokens = markdown().parse(source)
    assert not kinds(tokens) & MARKUP, source
    rows = table_cells(source)
    assert len(rows) == 2, source
    assert rows[1][0] == "CS-0042"
    assert rows[1][1] == expected_text(value), source
    assert rows[1][2].strip(" ") == expected_text(value), source


@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_code_span_is_verbatim(value: str) -> None:
    tokens = markdown().parse(f"Type {md_code(value)} into Syncro.\n")
    assert not kinds(tokens) & MARKUP, md_code(value)
    codes = [t for t in walk(tokens) if t.type == "code_inline"]
    assert len(codes) == 1, md_code(value)
    assert codes[0].content.strip(" ") == expected_text(value)


def test_the_issue_example_in_html() -> None:
    """A business name with a backslash and pipes keeps its row; HTML and links do not
    render (issue 14 item 12)."""
    name = "Smith \\ Law | <b>Partners</b> | [LLP](https://evil.example)"
    html = markdown().render(render_row(["CS-0042", md_cell(name), md_code("smithlaw.com")]))
    assert html.count("<td>") == 3, html
    assert "<b>" not in html and "<a " not in html, html
    assert "Smith \\ Law | &lt;b&gt;Partners&lt;/b&gt; | [LLP](https://evil.example)" in html


def test_fuzzed_values_stay_literal() -> None:
    alphabet = "ab \\|`*_[]()<>&#!~-+=.:;/\"'0123456789\n\t\u2028é"
    rng = random.Random(1412)
    for _ in range(400):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        text_tokens = markdown().parse(f"x {md_text(value)}\n")
        assert not kinds(text_tokens) & MARKUP, repr(value)
        (inline,) = [t for t in text_tokens if t.type == "inline"]
        assert inline_text(inline) == f"x {expected_text(value)}".strip(" "), repr(value)
        rows = table_cells(render_row(["c", md_cell(value), md_code(value, in_table=True)]))
        assert len(rows) == 2 and len(rows[1]) == 3, repr(value)
        assert rows[1][1] == expected_text(value), repr(value)
        assert rows[1][2].strip(" ") == expected_text(value), repr(value)
