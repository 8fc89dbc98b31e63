"""HTML → plain text for article bodies, with selectolax (the Lexbor HTML5 parser).

Claim offsets index into the text made here, so it must be stable and readable: block
elements end a line, <br> breaks a line, runs of white space inside a line collapse to
one space, script/style/template content is dropped, entities are decoded. Chinese text
has no spaces between words, so no space is ever invented between inline elements.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP = frozenset(
    ["script", "style", "noscript", "template", "head", "iframe", "object", "svg", "canvas"]
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u3000]+")
_LINES = re.compile(r"\n{2,}")


def looks_like_html(text: str) -> bool:
    """True when *text* holds markup (feeds often put HTML in a 'text' field)."""
    return bool(re.search(r"<(p|br|div|span|a|b|strong|em|img|li|h\d|table)\b", text, re.I))


def html_to_text(html: str) -> str:
    """The readable text of *html*: one line per block, paragraphs separated by a blank line."""
    if not html.strip():
        return ""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    parts: list[str] = []
    _walk(root, parts)
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n")]
    text = "\n".join(lines)
    return _LINES.sub("\n\n", text).strip()


def _walk(root: LexborNode, parts: list[str]) -> None:
    """Depth-first over *root*'s children with an explicit stack: hostile input nests
    thousands of elements, and recursion per level would raise RecursionError."""
    # a stack entry is a node to visit, or a string to emit once its block is closed
    stack: list[LexborNode | str] = list(reversed(list(root.iter(include_text=True))))
    while stack:
        child = stack.pop()
        if isinstance(child, str):
            parts.append(child)
            continue
        tag = child.tag
        if tag == "-text":
            parts.append((child.text_content or "").replace("\n", " "))
        elif tag == "br":
            parts.append("\n")
        elif tag in SKIP or tag == "-comment":
            continue
        else:
            block = tag in BLOCKS
            if block:
                parts.append("\n\n")
                stack.append("\n\n")
            stack.extend(reversed(list(child.iter(include_text=True))))
