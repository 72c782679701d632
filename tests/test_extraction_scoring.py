"""Unit tests of the extraction benchmark's scoring functions (benchmarks/scoring.py).

Fast and pure: no corpus, no extractor. The benchmark itself is `make bench-extraction`.
"""
import pytest

from benchmarks import scoring


def test_tokens_mixed_cjk_latin_digits():
    assert scoring.tokens("关于2015年GDP统计的通知") == ["关", "于", "2015", "年", "gdp", "统", "计", "的", "通", "知"]


def test_tokens_ignore_punctuation_and_whitespace():
    assert scoring.tokens("  规范，\n性。 ABC-123！ ") == ["规", "范", "性", "abc", "123"]


def test_tokens_nfkc_folds_fullwidth_and_ideographic_space():
    # full-width digits/letters become ASCII runs; U+3000 is whitespace
    assert scoring.tokens("ＧＢ１８０３０\u3000文件") == ["gb18030", "文", "件"]
    assert scoring.tokens("〔２０１５〕５号") == scoring.tokens("〔2015〕5号")


def test_tokens_latin_run_broken_by_cjk_and_space():
    assert scoring.tokens("abc def中ghi") == ["abc", "def", "中", "ghi"]


def test_normalize_folds_whitespace():
    assert scoring.normalize(" 第一条\u3000\u00a0 内容\n\n第二条 ") == "第一条 内容 第二条"
    assert scoring.squash("索 引\u3000号：\n 001") == "索引号:001"


def test_prf_identical():
    s = scoring.prf("县人民政府关于印发办法的通知", "县人民政府关于印发办法的通知")
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


def test_prf_identical_up_to_whitespace_and_width():
    s = scoring.prf("第１条\n  规定", "第1条 规定")
    assert s.f1 == 1.0


def test_prf_disjoint():
    s = scoring.prf("甲乙丙", "丁戊己")
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)


def test_prf_partial_is_bag_overlap():
    # predicted: 4 tokens (通 知 正 文), gold: 3 tokens (正 文 内) -> overlap 2
    s = scoring.prf("通知正文", "正文内")
    assert s.precision == pytest.approx(2 / 4)
    assert s.recall == pytest.approx(2 / 3)
    assert s.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_prf_counts_multiplicity():
    s = scoring.prf("的的的", "的")
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == 1.0


def test_prf_empty_conventions():
    assert scoring.prf("", "正文").f1 == 0.0
    assert scoring.prf(None, "正文").precision == 0.0
    assert scoring.prf("", "").f1 == 1.0
    assert scoring.prf("正文", "").precision == 0.0


def test_exclude_leak_detection_ignores_whitespace_and_width():
    body = "正文第一段。\n京ICP备\n05070218号\u3000版权所有"
    assert scoring.leaked(body, ["京ICP备05070218号", "扫一扫在手机打开当前页"]) == ["京ICP备05070218号"]
    assert scoring.leaked("ＩＣＰ备案", ["ICP备案"]) == ["ICP备案"]
    assert scoring.leaked("干净的正文", ["网站标识码"]) == []
    assert scoring.leaked(None, ["网站标识码"]) == []


def test_include_missing_detection():
    body = "（2007年6月29日第十届全国人民代表大会常务委员会\n第二十八次会议通过）"
    inc = ["（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）", "批准发行"]
    assert scoring.missing(body, inc) == ["批准发行"]


def test_empty_snippet_never_counts():
    assert scoring.leaked("anything", ["", "  "]) == []
    assert scoring.missing("anything", [""]) == []
    assert not scoring.contains("anything", "")


def test_field_normalisation():
    assert scoring.field_matches("published_date", "2022-02-11 09:52", "2022-02-11")
    assert scoring.field_matches("published_date", "2022年2月11日", "2022-02-11")
    assert not scoring.field_matches("published_date", "2022-02-12", "2022-02-11")
    assert scoring.field_matches("doc_number", "某政发〔２０１５〕 5号", "某政发〔2015〕5号")
    assert scoring.field_matches("title", " 关于 印发的通知\n", "关于印发的通知")
    assert not scoring.field_matches("issuer", None, "县人民政府")
    assert not scoring.field_matches("issuer", "", "")


def test_mean():
    assert scoring.mean([]) is None
    assert scoring.mean([1.0, 0.0]) == 0.5
