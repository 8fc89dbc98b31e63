"""The command line: output formats, exit codes, failed inputs, atomic output, eval."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import CORPUS

CLAIM_TEXT = "据Omdia估计，微软今年购买了48.5万块英伟达Hopper芯片。"


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "claims", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def test_extract_folder_with_a_bad_file_continues_and_exits_1(tmp_path):
    (tmp_path / "good.txt").write_text(CLAIM_TEXT, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02binary\x00" * 100)
    (tmp_path / "gbk.txt").write_bytes(CLAIM_TEXT.replace("微软", "谷歌").encode("gbk"))
    result = run("extract", str(tmp_path))
    assert result.returncode == 1
    assert "bad.txt" in result.stderr and "Traceback" not in result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["buyer"]["name"] for r in records} == {"微软", "谷歌"}
    gbk = next(r for r in records if r["buyer"]["name"] == "谷歌")
    assert gbk["source"]["encoding"] == "gb18030"


def test_stdin_table_and_min_confidence():
    result = run("extract", "-", "--format", "table", stdin=CLAIM_TEXT)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("buyer") and "微软" in lines[1] and "Omdia" in lines[1]
    assert run("extract", "-", "--min-confidence", "0.999", stdin=CLAIM_TEXT).stdout == ""


def test_output_file_explain_and_rejections(tmp_path):
    source = tmp_path / "in.txt"
    source.write_text(CLAIM_TEXT + "英伟达营收达到350亿美元。", encoding="utf-8")
    out = tmp_path / "out" / "claims.jsonl"
    result = run("extract", str(source), "-o", str(out), "--explain", "--explain-rejected")
    assert result.returncode == 0 and result.stdout == ""
    record = json.loads(out.read_text(encoding="utf-8"))
    assert "cue:购买" in record["rules"]
    assert "not a purchase (revenue)" in result.stderr
    assert not list(out.parent.glob("*.tmp"))


def test_usage_errors_exit_2():
    assert run("extract").returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("--version").stdout.startswith("claims ")


def test_eval_on_the_corpus_folder_prints_scores():
    result = run("eval", str(CORPUS), "--json")
    assert result.returncode == 0, result.stderr
    totals = json.loads(result.stdout)
    assert set(totals) >= {"precision", "recall", "f1", "attribution_acc", "predicate_acc"}


def test_output_file_gets_the_usual_mode_and_eval_reports_a_missing_document(tmp_path):
    import os
    import stat

    source = tmp_path / "in.txt"
    source.write_text(CLAIM_TEXT, encoding="utf-8")
    out = tmp_path / "claims.jsonl"
    assert run("extract", str(source), "-o", str(out)).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask

    (tmp_path / "gold.jsonl").write_text('{"doc": "missing.txt", "claims": []}\n')
    result = run("eval", str(tmp_path))
    assert result.returncode == 1 and "missing.txt" in result.stderr
    assert "Traceback" not in result.stderr
