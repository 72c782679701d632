import pytest

from guifan.parsers import decode_html
from guifan.parsers.decode import decode_bytes

TEXT = "朱镕基总理与王堃同志出席会议，讨论规范性文件。"  # 镕 and 堃 are outside GB2312


def page(charset_meta: str, body: str) -> str:
    return f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset_meta}"></head><body><p>{body}</p></body></html>'


def test_gbk_bytes_declared_gb2312_decode_as_gb18030():
    raw = page("gb2312", TEXT).encode("gbk")
    text, enc = decode_html(raw)
    assert enc == "gb18030"
    assert TEXT in text


def test_meta_charset_attribute_form():
    raw = f'<html><head><meta charset="GBK"></head><body>{TEXT}</body></html>'.encode("gb18030")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and TEXT in text


def test_lying_meta_utf8_bytes():
    raw = page("gb2312", TEXT).encode("utf-8")
    text, enc = decode_html(raw)
    assert enc == "utf-8"
    assert TEXT in text


def test_lying_meta_says_utf8_but_bytes_are_gbk():
    raw = page("utf-8", TEXT * 5).encode("gbk")
    text, enc = decode_html(raw)
    assert enc == "gb18030"
    assert TEXT in text


def test_big5_declared():
    trad = "政府資訊公開工作年度報告，規範性文件與會議紀錄。"
    raw = page("big5", trad).encode("big5")
    text, enc = decode_html(raw)
    assert enc in ("big5hkscs", "cp950")
    assert trad in text


def test_big5_undeclared_is_detected():
    trad = "政府資訊公開工作年度報告，規範性文件與會議紀錄。本報告依據政府資訊公開條例編製，內容包括概述、主動公開情況、依申請公開情況等。" * 4
    raw = f"<html><body><p>{trad}</p></body></html>".encode("big5")
    text, enc = decode_html(raw)
    assert trad in text


@pytest.mark.parametrize("bom, codec", [
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
])
def test_bom_wins(bom, codec):
    raw = bom + page("gb2312", TEXT).encode(codec)
    text, enc = decode_html(raw)
    assert enc == codec
    assert TEXT in text
    assert not text.startswith("\ufeff")


def test_header_beats_meta():
    raw = page("utf-8", TEXT).encode("gbk")
    text, enc = decode_html(raw, {"Content-Type": "text/html; charset=GBK"})
    assert enc == "gb18030" and TEXT in text


def test_header_names_case_insensitive():
    raw = page("utf-8", TEXT).encode("gbk")
    for key in ("content-type", "CONTENT-TYPE", "Content-type"):
        assert decode_html(raw, {key: "text/html;charset=gbk"})[1] == "gb18030"


def test_header_lies_bytes_utf8():
    raw = page("utf-8", TEXT).encode("utf-8")
    text, enc = decode_html(raw, {"content-type": "text/html; charset=gb2312"})
    assert enc == "utf-8" and TEXT in text


def test_undeclared_gbk_detected():
    raw = f"<html><body><p>{TEXT * 3}</p></body></html>".encode("gbk")
    text, enc = decode_html(raw)
    assert enc == "gb18030" and TEXT in text


def test_undecodable_bytes_are_counted_not_silent():
    good = page("utf-8", TEXT).encode("utf-8")
    raw = good[:60] + b"\xff\xfe\xff" + good[60:]
    decoded = decode_bytes(raw)
    assert decoded.undecodable >= 1
    assert TEXT in decoded.text


def test_genuine_replacement_char_not_counted():
    raw = page("utf-8", "替换字符\ufffd保留" + TEXT).encode("utf-8")
    decoded = decode_bytes(raw)
    assert decoded.undecodable == 0


def test_ascii_page():
    text, enc = decode_html(b"<html><body>plain</body></html>")
    assert "plain" in text
