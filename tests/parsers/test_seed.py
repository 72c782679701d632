"""The reprint-site seed text (pinyin after Traditional characters), wrapped in a page."""
import html
import re
from pathlib import Path

import pytest

from guifan.parsers import extract

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SEED_DIR = SHARED / "seed"


def _seed_text() -> str:
    if not SEED_DIR.is_dir():
        pytest.skip(f"shared seed directory not found at {SEED_DIR} (the project's shared/ folder is absent)")
    files = sorted(SEED_DIR.glob("*.txt"))
    if not files:
        pytest.skip(f"no seed .txt files in {SEED_DIR}")
    return files[0].read_text(encoding="utf-8")


def _wrap(text: str) -> bytes:
    lines = text.strip("\n").split("\n")
    title, share, *rest = lines
    footer = rest[-1]
    paras = rest[:-1]
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + html.escape(title) + "_廣德市人民政府</title></head><body>"
        "<div class='nav'><a href='/'>首頁</a><a href='/zwgk'>政務公開</a></div>"
        f"<div class='share'>{html.escape(share)}</div>"
        "<div class='article'>" + "".join(f"<p>{html.escape(p)}</p>" for p in paras) + "</div>"
        f"<div class='footer'>{html.escape(footer)}</div></body></html>"
    )
    return page.encode("utf-8")


def test_seed_page_is_cleaned():
    text = _seed_text()
    doc = extract(_wrap(text), url="http://www.example.gov.cn/xxgk/123.html")
    body = doc.body
    # No pinyin annotation left after a Han character.
    assert not re.search(r"[\u4e00-\u9fff][(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]", body), \
        re.findall(r".[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}[)）]", body)[:5]
    assert "建設情況" in body and "開展" in body
    # Share line and footer gone.
    assert "二維碼" not in body and "分享至好友" not in body
    assert "主辦" not in body and "ICP" not in body and "IPv6" not in body and "網站標識碼" not in body
    # The three numbered sections survive, in order, with their sub-items.
    starts = [line[:2] for line in body.splitlines()]
    assert starts.index("一、") < starts.index("二、") < starts.index("三、")
    assert "(一)加強組織建設" in body and "(三)拓展政府信息公開的形式" in body
    assert "村(社區)" in body  # a legitimate parenthesis stays
    assert "pinyin_annotations" in doc.quality_flags
    assert "traditional_script" in doc.quality_flags
    assert doc.title.startswith("行政規")
    assert "(guī)" not in doc.title
