"""Hostile inputs through the command line: every one gets a one-line message naming
it (no traceback), the other inputs are still processed, and the exit code says what
happened. Documents that are merely awkward (other encodings, one huge line, no
punctuation at all) are read whole, with exact offsets."""

from __future__ import annotations

import json
import os
import struct
import zlib
from pathlib import Path

import pytest

from claims import cli
from conftest import assert_grounded

CLAIM = "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。"
SECOND = "另据TrendForce统计，谷歌去年采购了16.9万颗TPU。"
FILLER = (
    "市场人士认为，人工智能产业链的景气度仍将延续，相关公司的估值有望进一步提升。",
    "分析师指出，云计算厂商的资本开支保持高位，供应链各环节都在积极扩产。",
    "该公司董事长在股东大会上表示，将继续加大研发投入，推动产品迭代升级。",
)


def png_bytes() -> bytes:
    """A real (tiny) PNG: header, IHDR, IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80\x20\x10" * 16 for _ in range(16)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def extract(capsys, *args: str) -> tuple[int, list[dict], list[str]]:
    """Run `claims extract` in this process; (exit code, records, stderr lines)."""
    code = cli.main(["extract", *args])
    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    return code, records, captured.err.splitlines()


# ----------------------------------------------------------------- failed inputs
FAILING = {
    "image.png": (png_bytes(), "binary file"),
    "empty.txt": (b"", "empty file"),
    "blank.txt": (" \n\t\u3000\n".encode(), "empty file"),
    "noise.txt": (bytes(range(0x80, 0x100)) * 20, "not decodable text"),
}


@pytest.mark.parametrize("name", sorted(FAILING))
def test_unreadable_content_is_one_line_naming_the_file(tmp_path, capsys, name):
    data, reason = FAILING[name]
    bad = tmp_path / name
    bad.write_bytes(data)
    good = tmp_path / "good.txt"
    good.write_text(CLAIM, encoding="utf-8")
    code, records, errors = extract(capsys, str(bad), str(good))
    assert code == 1
    assert len(errors) == 1 and str(bad) in errors[0] and reason in errors[0]
    assert [r["buyer"]["name"] for r in records] == ["微软"]  # the rest is processed


def test_damaged_utf8_is_read_with_a_warning_and_nothing_else_lost(tmp_path, capsys):
    data = bytearray((CLAIM + FILLER[0] * 5 + SECOND).encode("utf-8"))
    middle = len(CLAIM.encode()) + 10
    data[middle : middle + 1] = b"\xff"  # one byte of a character destroyed
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(data))
    code, records, errors = extract(capsys, str(path))
    assert code == 1
    assert len(errors) == 1 and "damaged.txt" in errors[0] and "invalid UTF-8" in errors[0]
    assert {r["buyer"]["name"] for r in records} == {"微软", "谷歌"}
    assert_grounded(records, bytes(data).decode("utf-8", errors="replace"))


@pytest.mark.parametrize(
    ("encoding", "written", "expected"),
    [
        ("utf-16", "utf-16", "utf-16"),
        ("gbk", "gbk", "gb18030"),
        ("big5", "big5", "big5"),
    ],
)
def test_other_encodings_are_decoded_and_offsets_index_the_text(
    tmp_path, capsys, encoding, written, expected
):
    text = "據Omdia估計，微軟今年購買了48.5萬塊輝達Hopper晶片。" if encoding == "big5" else CLAIM
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(written))  # Python's utf-16 writes a BOM
    code, records, errors = extract(capsys, str(path))
    assert code == 0 and errors == []
    assert len(records) == 1 and records[0]["source"]["encoding"] == expected
    assert records[0]["amount"]["value"] == 485000
    assert_grounded(records, text)


def test_mostly_ascii_gbk_is_not_taken_for_damaged_utf8(tmp_path, capsys):
    """A few Chinese bytes in a GBK file that is mostly ASCII look like a handful of bad
    UTF-8 sequences; they are GBK, and the Chinese must survive."""
    text = "Microsoft and Google keep buying accelerators, analysts say. " * 6 + CLAIM
    path = tmp_path / "ascii-gbk.txt"
    path.write_bytes(text.encode("gbk"))
    code, records, errors = extract(capsys, str(path))
    assert code == 0 and errors == []
    assert [r["buyer"]["name"] for r in records] == ["微软"]
    assert records[0]["source"]["encoding"] == "gb18030"


def test_size_limit_rejects_with_a_clear_message(tmp_path, capsys):
    big = tmp_path / "big.txt"
    big.write_text(CLAIM * 100, encoding="utf-8")
    code, records, errors = extract(capsys, str(big), "--max-bytes", "1000")
    assert code == 1 and records == []
    assert len(errors) == 1 and "big.txt" in errors[0] and "exceeds the limit" in errors[0]


# ----------------------------------------------------------- large documents
def test_one_50_megabyte_line_is_read_whole_in_chunks(tmp_path, capsys):
    """No line break at all: chunks are cut at sentence ends, and claims at the start,
    in the middle and at the very end are all found with exact offsets."""
    block = "".join(FILLER) * 400
    parts = [CLAIM]
    size = len(CLAIM.encode())
    while size < 25_000_000:
        parts.append(block)
        size += len(block.encode())
    parts.append(SECOND)
    while size < 50_000_000:
        parts.append(block)
        size += len(block.encode())
    parts.append(CLAIM.replace("微软", "亚马逊").replace("48.5", "19.6"))
    text = "".join(parts)
    path = tmp_path / "one-line.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 50_000_000 and "\n" not in text
    code, records, errors = extract(capsys, str(path))
    assert code == 0 and errors == []
    assert sorted(r["buyer"]["name"] for r in records) == ["亚马逊", "微软", "谷歌"]
    assert_grounded(records, text)
    assert max(r["amount"]["start"] for r in records) > len(text) - 60


def test_chunks_read_the_sentences_before_them_as_context(monkeypatch):
    """A claim whose product stands in the previous chunk (微软也购入了9.6万块 after a
    chunk ending in …MI300X芯片) is found, and nothing is found twice, wherever the cut."""
    from claims import extractor as module

    text = "".join(FILLER) * 3 + "据Omdia估计，Meta今年采购了15万块AMD MI300X芯片。"
    text += "微软也购入了9.6万块。" + "".join(FILLER) * 3 + SECOND
    whole = [c.to_dict() for c in module.Extractor(ner=False).extract(text)]
    monkeypatch.setattr(module, "CHUNK_CHARS", 120)
    chunked = [c.to_dict() for c in module.Extractor(ner=False).extract(text)]
    assert len(list(module.chunk_bounds(text, 120))) > 3
    assert {(c["buyer"]["name"], c["amount"]["value"]) for c in whole} == {
        ("Meta", 150000),
        ("微软", 96000),
        ("谷歌", 169000),
    }
    assert chunked == whole


def test_ten_megabytes_without_punctuation(tmp_path, capsys):
    """A page of Han characters with no sentence end anywhere: bounded sentences, no
    blow-up, and the claim at the end is still read."""
    han = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同"
    text = (han * (3_400_000 // len(han))) + CLAIM
    path = tmp_path / "no-punctuation.txt"
    path.write_text(text, encoding="utf-8")
    assert path.stat().st_size > 10_000_000
    code, records, errors = extract(capsys, str(path))
    assert code == 0 and errors == []
    assert [r["buyer"]["name"] for r in records] == ["微软"]
    assert_grounded(records, text)


# ------------------------------------------------------------------- file system
def test_deep_tree_with_a_symlink_loop_reads_each_file_once(tmp_path, capsys):
    folder = tmp_path
    for depth in range(60):
        folder = folder / f"d{depth}"
    folder.mkdir(parents=True)
    (folder / "deep.txt").write_text(CLAIM, encoding="utf-8")
    (folder / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "top.txt").write_text(SECOND, encoding="utf-8")
    code, records, errors = extract(capsys, str(tmp_path))
    assert code == 0 and errors == []
    assert sorted(r["buyer"]["name"] for r in records) == ["微软", "谷歌"]


def test_unreadable_file(tmp_path, capsys, monkeypatch):
    secret = tmp_path / "a-secret.txt"
    secret.write_text(CLAIM, encoding="utf-8")
    (tmp_path / "b-open.txt").write_text(SECOND, encoding="utf-8")
    secret.chmod(0)
    if os.access(secret, os.R_OK):  # running as root: permissions do not bind
        real = Path.read_bytes

        def denied(self: Path) -> bytes:
            if self.name == secret.name:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", denied)
    code, records, errors = extract(capsys, str(tmp_path))
    secret.chmod(0o644)
    assert code == 1
    assert len(errors) == 1 and "a-secret.txt" in errors[0] and "permission denied" in errors[0]
    assert [r["buyer"]["name"] for r in records] == ["谷歌"]


def test_file_that_disappears_during_the_run(tmp_path, capsys, monkeypatch):
    from claims import reader

    (tmp_path / "a.txt").write_text(CLAIM, encoding="utf-8")
    vanishing = tmp_path / "b.txt"
    vanishing.write_text("谷歌购买了3块H100。", encoding="utf-8")
    (tmp_path / "c.txt").write_text(SECOND, encoding="utf-8")
    real = reader.read_path

    def read_then_delete(path: Path, *args: object) -> reader.Document:
        document = real(path, *args)
        if path.name == "a.txt":
            vanishing.unlink()  # listed already, gone before it is read
        return document

    monkeypatch.setattr(reader, "read_path", read_then_delete)
    code, records, errors = extract(capsys, str(tmp_path))
    assert code == 1
    assert len(errors) == 1 and "b.txt" in errors[0] and "no such file" in errors[0]
    assert sorted(r["buyer"]["name"] for r in records) == ["微软", "谷歌"]


def test_stdout_stays_valid_jsonl_and_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    """A failure after claims were written leaves complete JSONL lines; the traceback
    appears only with --debug."""
    from claims.extractor import Extractor

    (tmp_path / "a.txt").write_text(CLAIM, encoding="utf-8")
    (tmp_path / "b.txt").write_text("引发故障的文档：" + SECOND, encoding="utf-8")
    (tmp_path / "c.txt").write_text("谷歌购买了3块H100。", encoding="utf-8")
    real = Extractor._chunk_steps

    def fail_on_b(self, original, doc, *args, **kwargs):
        # a fault inside the extraction of one document of a group read together
        if doc.endswith("b.txt"):
            raise RuntimeError("simulated fault")
        return (yield from real(self, original, doc, *args, **kwargs))

    monkeypatch.setattr(Extractor, "_chunk_steps", fail_on_b)
    code, records, errors = extract(capsys, str(tmp_path))
    assert code == 1 and len(records) == 2
    assert len(errors) == 1 and "b.txt" in errors[0] and "simulated fault" in errors[0]
    code, _, errors = extract(capsys, str(tmp_path), "--debug")
    assert code == 1 and any("Traceback" in line for line in errors)


# ------------------------------------------------------------------ batch inputs
def test_broken_jsonl_dump_and_broken_feed_in_a_batch(tmp_path, capsys):
    """A dump with broken lines is read line by line (each bad one reported); a feed
    with broken XML is read as far as it goes, and reported; exit code 1."""
    good = {"id": "a1", "title": "采购", "text": CLAIM}
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        json.dumps(good, ensure_ascii=False) + "\n{broken json\n"
        '{"id": "a3"}\n' + json.dumps({"id": "a4", "text": SECOND}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    feed = tmp_path / "broken.xml"
    feed.write_text("<rss><channel><item><title>半截", encoding="utf-8")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[source]]\nname = "dump"\npath = "{dump}"\n\n'
        f'[[source]]\nname = "feed"\npath = "{feed}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code = cli.main(["batch", "--sources", str(sources), "--out", str(out), "--quiet"])
    errors = capsys.readouterr().err.splitlines()
    assert code == 1
    assert any("dump.jsonl" in e and "line 2" in e and "invalid JSON" in e for e in errors)
    assert any("dump.jsonl" in e and "line 3" in e for e in errors)
    assert any("broken.xml" in e and "malformed feed" in e for e in errors)
    assert not any("Traceback" in e for e in errors)
    claims = [
        json.loads(line)
        for path in (tmp_path / "out").glob("*/claims.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(c["buyer"]["name"] for c in claims) == ["微软", "谷歌"]
