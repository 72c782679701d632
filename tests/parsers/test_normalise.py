import pytest

from guifan.parsers.normalise import (
    doc_type_from_title, find_dates, looks_like_doc_number, normalise_date, normalise_doc_number,
    normalise_paragraphs, normalise_space, normalise_validity, strip_title_suffix,
)


@pytest.mark.parametrize("raw, iso", [
    ("2015年3月5日", "2015-03-05"),
    ("2015 年 03 月 05 日", "2015-03-05"),
    ("二〇一五年八月二十八日", "2015-08-28"),
    ("二○二二年一月二十七日", "2022-01-27"),
    ("二〇二〇年十月十日", "2020-10-10"),
    ("2015.03.05", "2015-03-05"),
    ("2015-3-5", "2015-03-05"),
    ("2015/03/05", "2015-03-05"),
    ("2022-02-11 09:52", "2022-02-11"),
    ("2022-02-11T09:52:00+08:00", "2022-02-11"),
    ("发布时间：2015年03月05日 10:00", "2015-03-05"),
    ("２０１５－０３－０５", "2015-03-05"),
    ("20150305", "2015-03-05"),
])
def test_dates(raw, iso):
    assert normalise_date(raw) == iso


@pytest.mark.parametrize("raw", ["", None, "2015年13月1日", "2015-02-30", "无", "第2015号", "1800-01-01"])
def test_bad_dates(raw):
    assert normalise_date(raw) is None


def test_find_dates_in_order():
    assert [d for _, d in find_dates("成文 2015年3月5日，发布 2015-03-09")] == ["2015-03-05", "2015-03-09"]


@pytest.mark.parametrize("raw, norm", [
    ("国发〔2015〕12号", "国发〔2015〕12号"),
    ("国发[2015]12号", "国发〔2015〕12号"),
    ("国发(2015)12号", "国发〔2015〕12号"),
    ("国发（2015）12号", "国发〔2015〕12号"),
    ("国发【2015】12号", "国发〔2015〕12号"),
    ("国发﹝2015﹞12号", "国发〔2015〕12号"),
    ("国发［2015］12号", "国发〔2015〕12号"),
    ("国发（２０１５）１２号", "国发〔2015〕12号"),
    ("国 发 〔 2015 〕 12 号", "国发〔2015〕12号"),
    ("某政办发〔2015〕第12号", "某政办发〔2015〕12号"),
])
def test_doc_numbers(raw, norm):
    assert normalise_doc_number(raw) == norm


def test_doc_number_empty():
    assert normalise_doc_number("") is None
    assert normalise_doc_number("   ") is None


def test_looks_like_doc_number():
    assert looks_like_doc_number("吉政明电〔2022〕1号")
    assert looks_like_doc_number("国发[2015]12号")
    assert not looks_like_doc_number("为做好吉林省嫩江干流补充治理工程建设，确保工程前期建设征地实物调查工作顺利进行")


@pytest.mark.parametrize("raw, value", [
    (None, "unknown"), ("", "unknown"), ("  ", "unknown"), ("其他", "unknown"),
    ("有效", "in_force"), ("现行有效", "in_force"), ("有 效", "in_force"),
    ("废止", "repealed"), ("已废止", "repealed"),
    ("失效", "expired"), ("已失效", "expired"),
    ("修订", "amended"), ("已修改", "amended"), ("部分失效", "amended"),
    ("尚未生效", "not_yet_in_force"),
])
def test_validity(raw, value):
    assert normalise_validity(raw) == value


@pytest.mark.parametrize("title, kind", [
    ("关于印发《某县行政规范性文件管理办法》的通知", "通知"),
    ("某县人民政府关于加强安全生产工作的意见", "意见"),
    ("某县农村土地承包经营权流转管理办法（试行）", "办法"),
    ("某县人民政府关于禁止在某地新增建设项目的通告", "通告"),
    ("关于同意设立某镇的批复", "批复"),
    ("某县2022年防汛工作方案", "方案"),
    ("国家税务总局公告2022年第1号", "公告"),
    ("关于某某事项的复函", "函"),
    ("某县城市总体规划（2021-2035年）", "规划"),
    ("某县人民政府关于某事项的决定", "决定"),
    ("函数图像", None),
    ("", None),
    (None, None),
])
def test_doc_type(title, kind):
    assert doc_type_from_title(title) == kind


def test_whitespace():
    assert normalise_space("\u3000\u3000第一条\xa0 本办法\u2002适用。\t ") == "第一条 本办法 适用。"
    assert normalise_space("a\u200bb") == "ab"
    assert normalise_paragraphs("  一、总则 \n\n\u3000\u3000第一条 \n") == "一、总则\n第一条"


@pytest.mark.parametrize("raw, title", [
    ("关于印发某办法的通知_某县人民政府", "关于印发某办法的通知"),
    ("关于印发某办法的通知 - 某县人民政府门户网站", "关于印发某办法的通知"),
    ("某县人民政府|关于印发某办法的通知", "关于印发某办法的通知"),
    ("某县2021-2025年规划", "某县2021-2025年规划"),
])
def test_title_suffix(raw, title):
    assert strip_title_suffix(raw) == title
