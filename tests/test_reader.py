"""Reading real-world files: encodings, BOMs, binary and empty inputs."""

from __future__ import annotations

import pytest

from claims.reader import ReadError, decode, expand_inputs, read_path

SAMPLE_SIMPLIFIED = "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片，数量远超其他科技公司。"
SAMPLE_TRADITIONAL = "鴻海表示，今年已先布建4個以GB200為核心的AI伺服器機櫃，並將採購更多晶片。"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE_SIMPLIFIED.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE_SIMPLIFIED.encode("utf-8"), "utf-8-sig"),
        (SAMPLE_SIMPLIFIED.encode("utf-16"), "utf-16"),
        (SAMPLE_SIMPLIFIED.encode("gbk"), "gb18030"),
        (SAMPLE_TRADITIONAL.encode("big5"), "big5"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "gbk", "big5"],
)
def test_decodes_chinese_encodings(data, encoding):
    text, used = decode(data, "x.txt")
    assert text in (SAMPLE_SIMPLIFIED, SAMPLE_TRADITIONAL)
    assert used.replace("_", "-") == encoding.replace("_", "-")


def test_binary_file_is_a_clear_error(tmp_path):
    image = tmp_path / "photo.txt"
    image.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    with pytest.raises(ReadError, match=r"photo\.txt"):
        read_path(image)


def test_empty_and_blank_files_are_reported(tmp_path):
    for name, content in (("empty.txt", b""), ("blank.txt", b" \n\t\n")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ReadError, match=f"{name}: empty file"):
            read_path(path)


def test_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("微软" * 1000, encoding="utf-8")
    with pytest.raises(ReadError, match="exceeds the limit"):
        read_path(big, max_bytes=100)


def test_folder_walk_is_recursive_sorted_and_survives_a_symlink_loop(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x", encoding="utf-8")
    (tmp_path / "1.txt").write_text("x", encoding="utf-8")
    (tmp_path / "note.md").write_text("x", encoding="utf-8")
    (tmp_path / "b" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = [p.relative_to(tmp_path).as_posix() for p in expand_inputs([str(tmp_path)])]
    assert found == ["1.txt", "b/2.txt"]
