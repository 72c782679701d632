"""Property tests: whatever bytes arrive, extract returns a Document or raises ParseError."""
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from guifan.parsers import Document, ParseError, decode_html, extract

from .pages import hanweb_page, trs_page

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TEMPLATES = [trs_page().encode("utf-8"), hanweb_page().encode("gbk"), trs_page().encode("gb18030")]

TAGS = ["div", "p", "span", "a", "table", "tr", "td", "br", "h1", "li", "ul", "script", "style", "html",
        "body", "head", "title", "meta", "iframe", "font", "b", "pre", "form", "select", "option"]
FRAGMENTS = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(["索引号：", "发文字号：", "〔2015〕", "发布日期：", "2015年3月5日", "有效性：", "有效",
                     "【打印本页】", "扫一扫在手机打开当前页", "建設(shè)", "ICP备", "&nbsp;", "&ensp;", "&#0;",
                     "<!--", "-->", "<![CDATA[", "<?xml version='1.0' encoding='gbk'?>", "\x00", "\ufeff",
                     '<meta charset="big5">', '<meta charset="nonsense-8">', "</html>", "<a href='x.pdf'>",
                     "，。；：", "\u3000\u3000"]),
    st.text(max_size=40),
)


def _check(raw: bytes, **kwargs) -> None:
    start = time.perf_counter()
    try:
        doc = extract(raw, **kwargs)
    except ParseError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert isinstance(doc, Document)
        assert isinstance(doc.body, str) and isinstance(doc.title, str)
        assert doc.validity in ("in_force", "amended", "repealed", "expired", "not_yet_in_force", "unknown")
        assert all(isinstance(f, str) for f in doc.quality_flags)
        for field in ("published_date", "written_date"):
            value = getattr(doc, field)
            assert value is None or (len(value) == 10 and value[4] == "-" and value[7] == "-")
    assert time.perf_counter() - start < 2.0


@SETTINGS
@given(st.binary(max_size=4000))
def test_random_bytes(raw):
    _check(raw)


@SETTINGS
@given(st.lists(FRAGMENTS, max_size=80))
def test_random_markup(parts):
    html = "".join(parts)
    for encoding in ("utf-8", "gb18030"):
        _check(html.encode(encoding, errors="ignore"))


@SETTINGS
@given(st.sampled_from(TEMPLATES), st.integers(min_value=0, max_value=10_000), st.binary(min_size=1, max_size=64),
       st.integers(min_value=0, max_value=200))
def test_mutated_pages(template, position, insert, cut):
    pos = position % len(template)
    raw = template[:pos] + insert + template[pos + cut:]
    _check(raw, url="http://www.example.gov.cn/a/b/t20150309_1.html",
           headers={"content-type": "text/html; charset=gbk"})


@SETTINGS
@given(st.sampled_from(TEMPLATES), st.integers(min_value=1, max_value=20_000))
def test_truncated_pages(template, length):
    _check(template[:length])


@SETTINGS
@given(st.dictionaries(st.sampled_from(["body_selector", "title_selector", "platform"]),
                       st.one_of(st.text(max_size=20), st.integers(), st.none()), max_size=3))
def test_arbitrary_hints(hints):
    _check(TEMPLATES[0], hints=hints)


@SETTINGS
@given(st.binary(max_size=2000), st.dictionaries(st.text(max_size=15), st.text(max_size=40), max_size=3))
def test_decode_html_never_crashes_on_text(raw, headers):
    try:
        text, encoding = decode_html(raw, headers)
    except ParseError:
        return
    assert isinstance(text, str) and isinstance(encoding, str)


def test_pathological_nesting_and_size():
    deep = ("<div>" * 20_000 + "正文内容，测试。" + "</div>" * 20_000).encode()
    _check(deep)
    wide = ("<p><b>甲</b><i>乙</i><a href='#'>丙</a></p>" * 30_000).encode()
    _check(wide)
    one_line = ("<html><body><p>" + "很长的一段文字，" * 120_000 + "</p></body></html>").encode()
    _check(one_line)
    many_brackets = ("<p>" + "【打印】 " * 50_000 + "</p>").encode()
    _check(many_brackets)
