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
    # news and blog chrome (issue #11): counters, datelines, share and app promotion, disclaimers
    "推荐70", "阅读 ()", "1938人参与222评论", "发布于：北京市", "按热度", "最热评论",
    "谢若含2017-03-01 14:27:02", "2020-04-01 10:29", "2020-10-04 15:05聯合報 記者林宸誼／即時報導",
    "用LINE傳送", "facebook", "推薦", "同时转发到我的微博", "返回搜狐，查看更多",
    "喜欢这篇文章？去 App 商店搜 好奇心日报 ，每天看点不一样的。",
    "不用抽 不用搶 現在用APP看新聞 保證天天中獎　點我下載APP　按我看活動辦法",
    "平台声明：该文观点仅代表作者本人，搜狐号系信息发布平台，搜狐仅提供信息存储空间服务。",
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
    "市民可通过下载“i深圳”APP进行预约。",  # an app named in the text is not an app promotion
    "另外苹果用户也可以关闭支付宝绑定的苹果App Store免密支付服务。",
    "报名时间：2021-03-01 09:00至2021-03-05 17:00",  # a time of day inside a notice's text
    "会议于2021年3月1日 9:00在县政府召开。",
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


def test_related_news_heading_in_traditional_script_cuts_the_list():
    lines = ["第一段正文内容，说明有关事项。" * 4, "第二段正文内容，提出工作要求。" * 4, "相關新聞", "某地發生的另一件事"]
    assert strip_boilerplate_lines(lines) == lines[:2]


def test_excerpt_repeating_the_first_sentence_and_a_return_link_tail_go():
    first = "人们对于讨厌的事物总是能很有共同话题。约会软件也深谙此道。"
    lines = ["人们对于讨厌的事物总是能很有共同话题...", first, "最后一段正文。返回搜狐，查看更多"]
    assert strip_boilerplate_lines(lines) == [first, "最后一段正文。"]


def test_a_short_line_ending_in_an_ellipsis_that_nothing_repeats_stays():
    lines = ["总结起来……", "这是另一段正文，与上一行无关。"]
    assert strip_boilerplate_lines(lines) == lines
