import pytest

from guifan.parsers import Attachment, Document, NotHTMLError, ParseError, extract

from .pages import PARAS, hanweb_page, trs_page

BOILERPLATE = ["打印本页", "关闭窗口", "扫一扫在手机打开当前页", "当前位置", "字号", "ICP备", "公网安备",
               "网站标识码", "本站已支持IPv6访问", "主办", "承办", "相关链接", "栏目3", "浏览次数",
               "用微信扫描二维码分享至好友和朋友圈"]


def test_trs_page_body_and_boilerplate():
    doc = extract(trs_page().encode("utf-8"), url="http://www.example.gov.cn/zwgk/201503/t20150309_1.html")
    assert isinstance(doc, Document)
    for p in PARAS:
        assert p in doc.body
    for junk in BOILERPLATE:
        assert junk not in doc.body, junk
    assert doc.body.splitlines()[0] == PARAS[0]
    assert doc.title not in doc.body  # title line not repeated
    assert "索引号" not in doc.body and "成文日期" not in doc.body
    assert doc.body.splitlines()[-1] == "2015年3月5日"
    assert doc.encoding == "utf-8"
    assert doc.quality_flags == []
    assert doc.site is None and doc.doc_id is None and doc.version is None


def test_trs_page_attachments_are_absolute():
    doc = extract(trs_page().encode("utf-8"), url="http://www.example.gov.cn/zwgk/201503/t20150309_1.html")
    assert Attachment("某某县行政规范性文件目录.pdf", "http://www.example.gov.cn/zwgk/201503/P020150309123.pdf") in doc.attachments
    assert Attachment("申请表", "http://www.example.gov.cn/files/form.docx") in doc.attachments


def test_hanweb_gbk_page():
    raw = hanweb_page().encode("gbk")
    doc = extract(raw, url="http://www.example.gov.cn/art/2016/11/22/art_1_2.html", headers={"Content-Type": "text/html"})
    assert doc.encoding == "gb18030"
    assert doc.title == "某某县人民政府关于加强农村宅基地管理的实施意见"
    assert doc.doc_type == "意见"
    assert doc.published_date == "2016-11-22"
    lines = doc.body.splitlines()
    assert lines == PARAS  # <br>-separated paragraphs, indentation stripped
    for junk in BOILERPLATE:
        assert junk not in doc.body, junk


def test_hints_sharpen():
    html = trs_page().replace('class="TRS_Editor"', 'class="odd-cms-body"')
    doc = extract(html.encode(), hints={"platform": "trs", "body_selector": "div.odd-cms-body",
                                        "title_selector": "h1.title"})
    assert doc.body.splitlines()[0] == PARAS[0]
    assert "某某县人民政府办公室" in doc.body
    doc2 = extract(html.encode(), hints={"body_selector": "//div[@class='odd-cms-body']"})
    assert doc2.body == doc.body


def test_bad_hint_is_ignored():
    doc = extract(trs_page().encode(), hints={"body_selector": "div[[[", "title_selector": "!!"})
    assert PARAS[1] in doc.body


def test_headers_any_case_and_none():
    raw = hanweb_page().encode("gbk")
    assert extract(raw, headers=None).encoding == "gb18030"
    assert extract(raw, headers={"CONTENT-TYPE": "text/html; charset=GBK"}).encoding == "gb18030"


@pytest.mark.parametrize("raw", [b"", b"   \n", b"%PDF-1.4\n%\xe2\xe3", b"PK\x03\x04\x14\x00\x06\x00",
                                 b"\x89PNG\r\n\x1a\n\x00\x00", b"\xff\xd8\xff\xe0\x00\x10JFIF",
                                 b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", bytes(range(256)) * 4])
def test_not_html(raw):
    with pytest.raises(NotHTMLError):
        extract(raw)


def test_error_is_parse_error_with_one_line_message():
    with pytest.raises(ParseError) as info:
        extract(b"%PDF-1.7 ...")
    assert "\n" not in str(info.value) and "PDF" in str(info.value)


def test_empty_page_flags_empty_body():
    doc = extract(b"<html><head><title>x</title></head><body></body></html>")
    assert doc.body == "" and "empty_body" in doc.quality_flags


def test_challenge_page():
    stub = (b'<html><head><meta charset="utf-8"><script>var $_ts=window["$_ts"];if(!$_ts)$_ts={};'
            b'$_ts.nsd=1234;</script><script src="/abc.js"></script></head><body></body></html>')
    doc = extract(stub)
    assert "challenge_page" in doc.quality_flags
    assert "empty_body" in doc.quality_flags


def test_stray_html_close_before_article():
    html = ("<html><head><title>t</title></head><body><div class='head'>头部</div></html>"
            "<div class='article'>" + "".join(f"<p>{p}</p>" for p in PARAS) + "</div></body></html>")
    doc = extract(html.encode())
    assert PARAS[2] in doc.body


def test_related_and_share_lines_inside_container_removed():
    extra = ("<p>分享到：</p><p>相关链接：</p><p><a href='/a'>某某县关于甲的通知</a></p>"
             "<p><a href='/b'>某某县关于乙的通知</a></p><p><a href='/c'>某某县关于丙的通知</a></p>")
    doc = extract(trs_page(extra_body=extra).encode())
    assert "分享到" not in doc.body and "某某县关于乙的通知" not in doc.body
    assert PARAS[-1] in doc.body


def test_big_page_is_fast():
    import time

    paras = [f"{p}（第{i}段）" for i in range(1200) for p in PARAS]  # ~1 MB of markup
    html = trs_page(paras=paras)
    raw = html.encode("utf-8")
    assert len(raw) > 1_000_000
    start = time.perf_counter()
    doc = extract(raw)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.5, elapsed
    assert len(doc.body.splitlines()) >= 6000


def test_trailing_table_of_numbers_kept_with_rows_as_lines():
    rows = "".join(f"<tr><td>{2015 + i}</td><td>{100 + i}</td><td>{3.5 + i}%</td></tr>" for i in range(30))
    html = ("<html><body><div class='nav'>" + "".join(f"<a href='/{i}'>栏目{i}</a>" for i in range(20)) + "</div>"
            "<div class='main'><p>" + PARAS[1] + "</p><p>" + PARAS[2] + "</p>"
            "<table><tr><th>年份</th><th>产值</th><th>增速</th></tr>" + rows + "</table></div>"
            "<div class='footer'>主办：某某县人民政府 网站标识码：3601230001</div></body></html>")
    doc = extract(html.encode())
    lines = doc.body.splitlines()
    assert "年份 | 产值 | 增速" in lines  # docs/design.md: one line per row, cells joined by " | "
    assert "2044 | 129 | 32.5%" in lines
    assert "主办" not in doc.body


def test_platform_hint_prefers_its_container():
    html = trs_page(extra_body="")
    doc = extract(html.encode(), hints={"platform": "trs"})
    assert doc.body.splitlines()[0] == PARAS[0]
