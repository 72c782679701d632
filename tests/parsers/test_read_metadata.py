import pytest

from guifan.parsers import extract
from guifan.parsers.read_metadata import read_label_pairs

from .pages import trs_page


def test_spaced_full_width_labels_inline():
    box = read_label_pairs(["索\u2002引\u2002号：11360123MB1234567X/2015-00012", "文　　号:某府办发[2015]12号",
                            "有 效 性：有效"])
    assert box.pairs["索引号"] == "11360123MB1234567X/2015-00012"
    assert box.pairs["文号"] == "某府办发[2015]12号"
    assert box.pairs["有效性"] == "有效"


def test_table_label_cell_then_value_cell():
    box = read_label_pairs(["发文机关", "某某县人民政府", "成文日期：", "2015年3月5日", "发文字号", "某府发〔2015〕1号"])
    assert box.pairs == {"发文机关": "某某县人民政府", "成文日期": "2015年3月5日", "发文字号": "某府发〔2015〕1号"}


def test_several_labels_on_one_line():
    box = read_label_pairs(["发布时间：2022-02-11 09:52  来源：县政府办  浏览次数：12"])
    assert box.pairs["发布时间"] == "2022-02-11 09:52"
    assert box.pairs["来源"] == "县政府办"


def test_label_glued_to_han_is_not_a_label():
    box = read_label_pairs(["采购单位名称：某某局"])
    assert "名称" not in box.pairs


def test_li_span_layout_in_page():
    html = """<html><body><ul class="meta">
    <li><span>索 引 号：</span>000014349/2015-00045</li>
    <li><span>发布机构：</span>某某县财政局</li>
    <li><span>发文字号：</span>某财发（２０１５）３号</li>
    <li><span>发布日期：</span>2015年08月28日</li>
    <li><span>时 效 性：</span>已废止</li>
    </ul><h1>某某县财政局关于规范财政资金管理的通知</h1>
    <div class="article-content"><p>各乡镇财政所，县直各单位：为加强财政资金管理，提高资金使用效益，现就有关事项通知如下。</p>
    <p>一、严格资金审批程序，所有支出必须经过审核。</p><p>二、加强监督检查，发现问题及时整改。</p></div></body></html>"""
    doc = extract(html.encode("utf-8"))
    assert doc.index_no == "000014349/2015-00045"
    assert doc.issuer == "某某县财政局"
    assert doc.doc_number == "某财发〔2015〕3号"
    assert doc.doc_number_raw == "某财发（２０１５）３号"
    assert doc.published_date == "2015-08-28"
    assert doc.validity == "repealed"
    assert doc.raw_meta["发布机构"] == "某某县财政局"
    assert doc.title == "某某县财政局关于规范财政资金管理的通知"
    assert doc.doc_type == "通知"
    assert "索引号" not in doc.body and "发布机构" not in doc.body


def test_trs_meta_table_fields():
    doc = extract(trs_page().encode("utf-8"), url="http://www.example.gov.cn/zwgk/gfxwj/201503/t20150309_1.html")
    assert doc.index_no == "11360123MB1234567X/2015-00012"
    assert doc.issuer == "某某县人民政府办公室"
    assert doc.written_date == "2015-03-05"
    assert doc.published_date == "2015-03-09"
    assert doc.doc_number == "某府办发〔2015〕12号"
    assert doc.doc_number_raw == "某府办发[2015]12号"
    assert doc.validity == "in_force"
    assert doc.topic == "综合政务"
    assert doc.title == "某某县人民政府关于印发《某某县行政规范性文件管理办法》的通知"
    assert doc.doc_type == "通知"


def test_no_validity_label_is_unknown():
    html = "<html><body><h1>关于某事的通知</h1><div><p>各单位：现将有关事项通知如下，请认真贯彻执行。</p></div></body></html>"
    assert extract(html.encode()).validity == "unknown"


def test_meta_tags_kept_in_raw_meta():
    html = ('<html><head><meta name="ArticleTitle" content="关于某事的通知"><meta name="PubDate" content="2016-11-22 09:30">'
            '<meta name="ContentSource" content="县发改局"></head><body><div id="zoom"><p>各单位：现将有关事项通知如下，请认真贯彻执行。</p></div></body></html>')
    doc = extract(html.encode())
    assert doc.title == "关于某事的通知"
    assert doc.published_date == "2016-11-22"
    assert doc.raw_meta["ContentSource"] == "县发改局"


@pytest.mark.parametrize("source, issuer", [
    ("芦塘县农业农村局", "芦塘县农业农村局"),   # a county portal's info bar names the department
    ("县人民政府办公室", "县人民政府办公室"),
    ("新华社", None),                          # a news agency is not an issuer
    ("人民网", None),
])
def test_source_counts_as_issuer_only_when_it_names_a_government_body(source, issuer):
    page = (f"<html><body><h2>关于做好防汛工作的通知</h2><div class='attr'>发布时间：2024-03-12　来源：{source}</div>"
            "<div class='content'><p>各乡镇人民政府，县政府各部门：为切实做好今年防汛工作，现将有关事项通知如下。</p>"
            "<p>一、提高思想认识，压实防汛责任，确保人民群众生命财产安全。</p></div></body></html>")
    assert extract(page.encode("utf-8"), "http://example.gov.cn/a.html").issuer == issuer
