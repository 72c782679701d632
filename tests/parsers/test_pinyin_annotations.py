import pytest

from guifan.parsers.pinyin_annotations import (
    is_pinyin_syllable, is_traditional_script, remove_pinyin_annotations,
)


@pytest.mark.parametrize("raw, clean", [
    ("建設(shè)", "建設"),
    ("規(guī)范", "規范"),
    ("開(kāi)展", "開展"),
    ("會(huì)議", "會議"),
    ("領(lǐng)導(dǎo)", "領導"),
    ("新杭鎮(zhèn)信息公開", "新杭鎮信息公開"),
    ("執(zhí)行", "執行"),
    ("網(wǎng)絡(luò)", "網絡"),
    ("全角（zhèn）括号", "全角括号"),
    ("無聲調(diao)也算", "無聲調也算"),
    ("數字聲調(diao4)", "數字聲調"),
    ("女(nǚ)性", "女性"),
])
def test_annotations_removed(raw, clean):
    text, n = remove_pinyin_annotations(raw)
    assert text == clean
    assert n >= 1


@pytest.mark.parametrize("raw", [
    "成立领导小组(以下简称“领导小组”)",
    "附件(PDF)",
    "国发(2015)12号",
    "(一)加强组织建设",
    "（二）完善制度",
    "村(社區)",
    "见附件(pdf)",
    "甲方(ABC)",
    "单位(abc)",  # not a pinyin syllable
    "数值(x)",  # 'x' alone is not a syllable
    "shè(shè)",  # no Han character before the bracket
    "建設 (shè)",  # a space: not the artefact
    "建設[shè]",  # not a parenthesis
    "公司(Co)",
])
def test_legitimate_parentheses_stay(raw):
    text, n = remove_pinyin_annotations(raw)
    assert text == raw
    assert n == 0


@pytest.mark.parametrize("syl, ok", [
    ("shè", True), ("guī", True), ("lǐng", True), ("zhuàng", True), ("nǚ", True), ("lv", True),
    ("er", True), ("a", True), ("PDF", False), ("Shè", False), ("abc", False), ("shex", False),
    ("", False), ("zhuangg", False),
])
def test_syllables(syl, ok):
    assert is_pinyin_syllable(syl) is ok


def test_traditional_detection():
    assert is_traditional_script("在縣委、縣政府的領導下，新杭鎮信息公開工作認真貫徹落實現政府關於此項工作的實施意見，各項公開工作得到了深入開展")
    assert not is_traditional_script("在县委、县政府的领导下，新杭镇信息公开工作认真贯彻落实现政府关于此项工作的实施意见，各项公开工作得到了深入开展")
    assert not is_traditional_script("")
