"""Read documents from files, folders and stdin, decoding whatever encoding they use.

UTF-8 (with or without BOM) is tried first; anything else goes to charset-normalizer,
restricted to the encodings Chinese news actually arrives in. Every failure becomes a
`ReadError` naming the input, so a run can report it and carry on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHINESE_ENCODINGS = ("gb18030", "big5", "utf_16", "utf_8")
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# UTF-8 with at most this many bad bytes (or one per thousand, and never more than one
# in fifty) is read as UTF-8 with a warning; beyond that the file is another encoding.
MAX_DAMAGED_BYTES = 16


class ReadError(Exception):
    """An input that could not be read or decoded; the message names the input."""


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded document: its name, its text, the encoding it was read with, and a
    warning when it was readable only in part (damaged bytes replaced by U+FFFD)."""

    doc: str
    text: str
    encoding: str
    warning: str | None = None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Decode *data*; return (text, encoding) or raise ReadError naming *name*."""
    text, encoding, _ = decode_reporting(data, name)
    return text, encoding


def decode_reporting(data: bytes, name: str) -> tuple[str, str, str | None]:
    """Like `decode`, plus a warning for UTF-8 with a few damaged bytes (a truncated
    download, a bad copy): each damaged sequence becomes U+FFFD, so nothing else is
    lost (offsets index the decoded text, as for every encoding), instead of mis-reading
    the whole file as another encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", name), "utf-8-sig", None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", name), "utf-16", None
    if b"\x00" in data[:4096] and not _looks_utf16(data):
        raise ReadError(f"{name}: binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    damaged = _damaged_utf8(data)
    if damaged is not None:
        text, bad = damaged
        warning = f"{name}: {bad} invalid UTF-8 sequence(s) replaced by U+FFFD"
        return text, "utf-8", f"{warning} (first at byte {first_bad})"
    return (*_detect(data, name), None)


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """(text, damaged sequences) when *data* is UTF-8 except for a handful of bytes."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    # the intact multi-byte characters must far outnumber the damage: a GBK file that is
    # mostly ASCII has few bad sequences too, but hardly any valid UTF-8 Chinese
    intact = sum(1 for ch in text if ord(ch) > 0x7F) - text.count("\ufffd")
    if (
        bad * 50 <= len(data)
        and bad <= max(MAX_DAMAGED_BYTES, len(data) // 1000)
        and intact >= bad * 10
    ):
        return text, bad
    return None


def _detect(data: bytes, name: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(CHINESE_ENCODINGS)).best()
    if best is None:
        raise ReadError(f"{name}: not decodable text (tried UTF-8, GB18030, Big5, UTF-16)")
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise ReadError(f"{name}: binary content, not text")
    return text, best.encoding


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(f"{name}: invalid {encoding} at byte {exc.start}") from exc


def _looks_utf16(data: bytes) -> bool:
    head = data[:4096]
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return bad / len(sample)


def read_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file into a Document or raise ReadError with a one-line reason."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"{name}: {size} bytes exceeds the limit of {max_bytes} bytes")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError(f"{name}: no such file") from exc
    except PermissionError as exc:
        raise ReadError(f"{name}: permission denied") from exc
    except IsADirectoryError as exc:
        raise ReadError(f"{name}: is a directory") from exc
    except OSError as exc:
        raise ReadError(f"{name}: {exc.strerror or exc}") from exc
    text, encoding, warning = decode_reporting(data, name)
    if not text.strip():
        raise ReadError(f"{name}: empty file (no text)")
    return Document(doc=name, text=text, encoding=encoding, warning=warning)


def expand_inputs(inputs: list[str], pattern: str = "*.txt") -> Iterator[Path | str]:
    """Yield files to read: paths as given, folders walked recursively, '-' for stdin.

    Symlinked folders are followed once (a loop is not walked twice); what cannot be
    listed is yielded as a string message so the caller reports it as a failed input.
    """
    for item in inputs:
        if item == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            yield from _walk(path, pattern)
        else:
            yield path


def _walk(root: Path, pattern: str) -> Iterator[Path | str]:
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = folder.stat()
        except OSError as exc:
            yield f"{folder}: cannot open folder ({exc.strerror or exc})"
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield f"{folder}: cannot list folder ({exc.strerror or exc})"
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                subfolders.append(path)
            elif path.match(pattern):
                yield path
        stack.extend(reversed(subfolders))


def read_stdin() -> Document:
    """Read standard input as one document named '-'."""
    text, encoding, warning = decode_reporting(sys.stdin.buffer.read(), "-")
    return Document(doc="-", text=text, encoding=encoding, warning=warning)
