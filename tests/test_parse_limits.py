"""Pages at libxml2's limits are parsed whole or flagged `truncated`, never cut silently;
`guifan parse` keeps the crawler's size limit and says what it cannot parse (issue 17)."""
from __future__ import annotations

import json
import resource
import subprocess
import sys

from guifan.parsers import extract
from guifan.parsers.html_tree import MAX_CHARS

from .conftest import REPO

META = ("<table class='xxgk'><tr><td>索引号：</td><td>11340000/2024-00012</td><td>主题分类：</td><td>综合政务</td></tr>"
        "<tr><td>发文机关：</td><td>青石县人民政府</td><td>文号：</td><td>青政〔2024〕3号</td></tr></table>")


def page(body: str, before: str = "") -> bytes:
    return (f"<html><head><meta charset='utf-8'><title>青石县人民政府关于印发管理办法的通知</title></head><body>"
            f"{META}{before}<div class='content'>{body}</div></body></html>").encode("utf-8")


def articles(n: int, opener: str = "<p>") -> str:
    return "".join(f"{opener}第{i}条 本县行政规范性文件的管理，依照本办法第{i}项规定执行。" for i in range(1, n + 1))


def test_a_page_of_unclosed_font_tags_keeps_every_article():
    doc = extract(page(articles(300, "<p><font color='#333'>")))     # 300 levels deep in libxml2's tree
    assert all(f"第{i}条" in doc.body for i in (1, 150, 299, 300))
    assert doc.body.count("依照本办法") == 300
    assert "truncated" not in doc.quality_flags


def test_a_page_nested_deeper_than_libxml2_follows_is_flagged():
    deep = "<div>" * 3000 + articles(5) + "</div>" * 3000
    doc = extract(page(deep))
    assert "truncated" in doc.quality_flags


def test_a_huge_inline_image_does_not_push_the_body_out_of_the_page():
    image = "<p><img src='data:image/png;base64," + "iVBORw0KGgo" * 300_000 + "'></p>"   # 3.3 MB
    assert len(image) > MAX_CHARS
    doc = extract(page(articles(20), before=image))
    assert doc.body.startswith("第1条") and "第20条" in doc.body
    assert doc.body != "主题分类" and "truncated" not in doc.quality_flags
    assert doc.doc_number == "青政〔2024〕3号"


def test_a_page_longer_than_the_limit_is_flagged_not_cut_silently():
    text = articles(80_000)                                            # ≈ 3.3 million characters of text
    assert len(text) > MAX_CHARS
    doc = extract(page(text))
    assert "truncated" in doc.quality_flags
    assert doc.body.startswith("第1条")


def test_a_normal_page_is_not_flagged():
    assert "truncated" not in extract(page(articles(30))).quality_flags


# -- guifan parse -------------------------------------------------------------------------------

def parse(*args: str, limit_mb: int | None = None) -> tuple[subprocess.CompletedProcess, list[dict]]:
    def cap():  # a runaway read fails fast instead of taking the machine's memory
        if limit_mb:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    done = subprocess.run([sys.executable, "-m", "guifan", "parse", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=120, preexec_fn=cap)
    return done, [json.loads(line) for line in done.stdout.splitlines()]


def test_parse_refuses_inputs_over_the_crawlers_size_limit_in_bounded_memory(tmp_path):
    huge = tmp_path / "huge.html"
    with open(huge, "wb") as f:
        f.truncate(3 << 30)                                            # 3 GB (sparse)
    good = tmp_path / "good.html"
    good.write_bytes(page(articles(3)))
    done, lines = parse("/dev/zero", str(huge), str(good), limit_mb=1024)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert [line["path"] for line in lines] == ["/dev/zero", str(huge), str(good)]
    assert lines[0]["error"].startswith("too_large") and lines[1]["error"].startswith("too_large")
    assert lines[2]["title"] and "error" not in lines[2]


def test_parse_max_size_is_the_same_limit_made_smaller(tmp_path):
    good = tmp_path / "good.html"
    good.write_bytes(page(articles(30)))
    done, [line] = parse("--max-size", "1000", str(good))
    assert done.returncode == 1 and line["error"].startswith("too_large")


def test_a_file_of_nul_bytes_is_an_error_line_and_exit_status(tmp_path):
    nul = tmp_path / "zeros.html"
    nul.write_bytes(b"\0" * 4096)
    done, [line] = parse(str(nul))
    assert done.returncode == 1
    assert line["path"] == str(nul) and "NUL" in line["error"]
