import pytest

from guifan.parsers.strip_boilerplate import is_boilerplate_line, strip_boilerplate_lines


@pytest.mark.parametrize("line", [
    "【打印本页】【关闭窗口】",
    "【打印本页】 【关闭窗口】 【返回顶部】",
    "[打印] [关闭]",
    "扫一扫在手机打开当前页",
    "扫一扫在手机打开当前页面",
    "字号：大 中 小",
    "字号：【大】【中】【小】",
    "【字体：大 中 小】",
    "当前位置：首页 > 政务公开 > 规范性文件",
    "您现在的位置：首页 > 信息公开",
    "首页 > 政务公开 > 政策文件",
    "用微信扫描二维码分享至好友和朋友圈",
    "分享到：",
    "浏览次数：1234",
    "浏览次数：",
    "访问量：[ 56 ]",
    "主办：某某县人民政府办公室 承办：某某县大数据中心",
    "主办单位：某某县人民政府",
    "赣ICP备12345678号-1",
    "网站标识码：3601230001 赣公网安备 36012302000123号",
    "本站已支持IPv6访问",
    "版权所有：某某县人民政府 地址：某某县人民路1号 邮编：330000",
    "Copyright © 2024 某某县人民政府 All Rights Reserved",
    "上一篇：关于某某的通知",
    "下一篇：没有了",
    "相关链接",
    "发布时间：2024-03-15 来源：县政府办 浏览次数：12",
    "2005-04-27 14:32更新 来源：千龙新闻网",
    "（责任编辑： 黄帅 ）",
    "主辦：廣德市人民政府辦公室",  # Traditional script, as on reprint sites
    "掃一掃在手機打開當前頁",
    "原创版权禁止商业转载授权>>",
    "更多>>",
])
def test_boilerplate_lines(line):
    assert is_boilerplate_line(line)


@pytest.mark.parametrize("line", [
    "第一条 为规范行政规范性文件管理，根据有关法律法规，制定本办法。",
    "一、总体要求",
    "（一）加强组织领导",
    "某某县人民政府办公室",
    "2015年3月5日",
    "各乡镇人民政府，县政府各部门：",
    "地址：某某县人民路1号 联系电话：0791-1234567",  # contact details inside a procurement notice
    "申请人应当提交版权所有人的书面授权，并注明作品来源。",
    "第五条 网站主办单位应当建立信息发布审核制度，确保信息准确。" * 3,
    "大力推进“放管服”改革，进一步优化营商环境。",
])
def test_content_lines_kept(line):
    assert not is_boilerplate_line(line)


def test_related_block_cut_and_duplicates_dropped():
    lines = ["第一段正文内容，说明有关事项。" * 3, "第二段正文内容，提出工作要求。" * 3, "第三段。",
             "第一段正文内容，说明有关事项。" * 3, "相关链接", "某县关于甲的通知", "某县关于乙的通知"]
    assert strip_boilerplate_lines(lines) == lines[:3]


def test_related_word_at_top_does_not_cut_everything():
    lines = ["相关文件", "第一段正文内容，说明有关事项。", "第二段正文内容。"]
    assert strip_boilerplate_lines(lines) == lines[1:]
