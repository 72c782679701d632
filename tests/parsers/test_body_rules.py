"""One small hand-written page per body rule (issue #11): where the body is, where it ends,
what is chrome, how tables read. The pages are written for these tests, after the shapes
real county portals and news sites take; the corpus benchmark measures the rules on real pages."""
from __future__ import annotations

import pytest

from guifan.parsers import extract
from guifan.parsers.record import QUALITY_FLAGS

from .pages import FOOTER, NAV, PARAS

ADVISORY = "为确保最佳浏览效果，建议您使用以下浏览器版本：IE浏览器9.0版本及以上；谷歌浏览器63版本及以上；360浏览器9.1版本及以上。"
TOOLBAR = ('<div class="toolbar"><a href="#">无障碍</a> <a href="#">长者模式</a> <a href="#">读屏专用</a> '
           '<span>网站地图</span> <span>纠错</span></div>')
META_BOX = ('<table class="xxgk"><tr><td>索 引 号：</td><td>11440100MB2C91234X/2024-00123</td>'
            '<td>发布机构：</td><td>某某区市场监督管理局</td></tr>'
            '<tr><td>成文日期：</td><td>2024-05-06</td><td>发布日期：</td><td>2024-05-07</td></tr></table>')


def page(content: str, title: str = "某某区市场监督管理局关于食品经营许可证注销的公告", after: str = "",
         head: str = "") -> bytes:
    """A county portal page: advisory and toolbar, title, metadata box, the content, footer."""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_某某区人民政府</title>{head}</head>
<body><div class="top"><p class="tip">{ADVISORY}</p>{TOOLBAR}<ul class="nav">{NAV}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; 政务公开</div>
<div class="detail"><h1>{title}</h1>{META_BOX}
<div class="con">{content}</div>{after}
<div class="tools"><a href="#">分享</a> <a href="#">打印</a> <a href="#">关闭</a></div>
<div class="qr">扫一扫在手机打开当前页</div></div>{FOOTER}</body></html>""".encode("utf-8")


def body_of(raw: bytes, **kw) -> str:
    return extract(raw, url="http://www.example.gov.cn/zwgk/content/post_1.html", **kw).body


# ---------------------------------------------------------------- thin prose: chrome is never a body
def test_cover_line_over_an_attachment_is_the_body_and_flagged():
    raw = page('<p>内容详见附件。</p><p>附件：<a href="/files/P0202405.pdf">注销名单.pdf</a></p>')
    doc = extract(raw, url="http://www.example.gov.cn/zwgk/content/post_1.html")
    assert doc.body == "内容详见附件。"
    assert "attachment_only" in doc.quality_flags
    assert [a.name for a in doc.attachments] == ["注销名单.pdf"]


def test_one_sentence_and_a_table_of_names():
    rows = "".join(f"<tr><td>{i}</td><td>某某便利店{i}</td><td>JY1440106{i:06d}</td><td>注销</td></tr>"
                   for i in range(1, 8))
    raw = page("<p>根据申请，我局决定注销下列食品经营许可证，特此公告。</p>"
               f"<table><tr><th>序号</th><th>经营者名称</th><th>许可证编号</th><th>处理结果</th></tr>{rows}</table>")
    lines = body_of(raw).splitlines()
    assert lines[0] == "根据申请，我局决定注销下列食品经营许可证，特此公告。"
    assert lines[1] == "序号 | 经营者名称 | 许可证编号 | 处理结果"
    assert lines[-1] == "7 | 某某便利店7 | JY1440106000007 | 注销"
    assert len(lines) == 9


def test_image_body_with_caption_lines():
    captions = ["图为区领导检查防汛物资仓库", "图为应急队伍开展抢险演练", "图为街道排查低洼易涝点",
                "图为志愿者转移安置群众", "图为抢修队伍清理路面积水"]
    content = "".join(f'<p><img src="/img/{i}.jpg"></p><p style="text-align:center">{c}</p>'
                      for i, c in enumerate(captions))
    assert body_of(page(content, title="我区开展汛前安全大检查")).splitlines() == captions


def test_short_body():
    raw = page("<p>经研究，同意某某街道设立社区卫生服务站。</p><p>特此批复。</p>",
               title="某某区卫生健康局关于同意设立社区卫生服务站的批复")
    assert body_of(raw) == "经研究，同意某某街道设立社区卫生服务站。\n特此批复。"


@pytest.mark.parametrize("chrome", [ADVISORY, "无障碍", "长者模式", "读屏专用", "网站地图", "纠错", "分享",
                                    "扫一扫在手机打开当前页", "当前位置"])
def test_chrome_never_in_the_body(chrome):
    assert chrome not in body_of(page("<p>内容详见附件。</p>"))
    assert chrome not in body_of(page("".join(f"<p>{p}</p>" for p in PARAS)))


# ---------------------------------------------------------------- hidden copies
def test_hidden_read_aloud_copy_is_not_body():
    text = "".join(f"<p>{p}</p>" for p in PARAS)
    raw = page(text, after=f'<div class="bbnr" style="display:none;">{"".join(PARAS) * 2}</div>'
                           f'<div aria-hidden="true">{"".join(PARAS)}</div><div hidden>{"".join(PARAS)}</div>')
    body = body_of(raw)
    assert body.splitlines() == PARAS
    assert body.count(PARAS[2]) == 1


def test_page_hidden_until_a_script_runs_is_read():
    html = f'<html><body style="visibility: hidden"><div>{"".join(f"<p>{p}</p>" for p in PARAS)}</div></body></html>'
    assert PARAS[2] in body_of(html.encode())


def test_hidden_article_is_kept_when_the_page_shows_nothing_else():
    html = f'<html><body><div id="c" style="display:none">{"".join(f"<p>{p}</p>" for p in PARAS)}</div></body></html>'
    assert PARAS[2] in body_of(html.encode())


# ---------------------------------------------------------------- stop at the end
def test_body_ends_before_policy_interpretation_downloads_and_file_names():
    text = "".join(f"<p>{p}</p>" for p in PARAS)
    tail = ('<p>某某县人民政府办公室</p><p>2024年5月6日</p><p>公开方式：主动公开</p>'
            '<p>某某县人民政府办公室 2024年5月8日印发</p>'
            '<p>附件：<a href="/f/1.docx">1.申请表.docx</a></p><p>某某县行政规范性文件目录.pdf</p>'
            '<p><a href="/f/1.pdf">原文下载</a></p><p>PDF文件查看</p><p>点击查看政策解读：<a href="/jd/1.html">'
            '【图文解读】《某某县行政规范性文件管理办法》解读</a></p>')
    after = ('<div class="jd"><h3>政策解读</h3><ul><li><a href="/jd/1.html">【音频解读】《某某县行政规范性文件管理办法》'
             '的政策解读</a> 2024-05-09</li></ul></div><div class="page">上一篇：<a href="/a">关于某某的通知</a></div>'
             f'<div class="related"><h3>相关新闻</h3><ul>{NAV}</ul></div>')
    lines = body_of(page(text + tail, after=after)).splitlines()
    assert lines == PARAS + ["某某县人民政府办公室", "2024年5月6日", "某某县人民政府办公室 2024年5月8日印发"]


def test_comments_and_recommendations_after_an_article_are_cut():
    text = "".join(f"<p>{p}</p>" for p in PARAS)
    after = ('<div class="editor">本文来源：某某日报 责任编辑：张三_NB1234</div>'
             '<div class="rec"><h3>为您推荐</h3><p>某地发布新规，市民关心的这些问题有了答案，快来看看吧！</p></div>'
             '<div class="cmt"><h3>网友评论</h3><p>写得很好，支持政府的这项政策，希望尽快落实到位。</p>'
             '<p>我们小区什么时候开始？请有关部门尽快答复，谢谢。</p></div>')
    raw = f"""<html><head><meta charset="utf-8"><title>文章_某某网</title></head><body>
<div class="article"><h1>文章</h1><div class="text">{text}</div>{after}</div>{FOOTER}</body></html>"""
    assert body_of(raw.encode()).splitlines() == PARAS


def test_window_grows_over_a_chrome_line_to_the_colophon():
    text = "".join(f"<p>{p}</p>" for p in PARAS) + "<p>公开方式：主动公开</p><p>某某县人民政府办公室 2024年5月8日印发</p>"
    assert body_of(page(text)).splitlines()[-1] == "某某县人民政府办公室 2024年5月8日印发"


def test_linked_sub_headings_inside_the_text_stay_but_a_video_card_goes():
    text = (f'<p><a href="/1">一、总体要求</a></p><p>{PARAS[1]}</p>'
            '<p class="video"><a href="/v/1">县长带你看新规 一分钟读懂</a> <span>（来源：县融媒体中心）</span></p>'
            f'<p>{PARAS[2]}</p>')
    lines = body_of(page(text)).splitlines()
    assert lines == ["一、总体要求", PARAS[1], PARAS[2]]


def test_text_above_the_title_outside_the_document_is_not_body():
    blurb = "这是某某的个人空间，喜欢旅行，喜欢摄影，记录生活中的点点滴滴，欢迎常来坐坐，留下你的足迹。"
    text = "".join(f"<p>{p}</p>" for p in PARAS)
    raw = f"""<html><head><meta charset="utf-8"><meta property="og:title" content="周末游记_上篇 @ 某某的空间">
<title>周末游记_上篇 @ 某某的空间</title></head><body><div class="blog-head"><h2>{blurb}</h2></div>
<div class="post"><h2><a href="/p/1">周末游记_上篇</a></h2><div class="text">{text}</div></div></body></html>"""
    doc = extract(raw.encode())
    assert doc.title == "周末游记_上篇"
    assert doc.body.splitlines() == PARAS


def test_cover_above_the_title_inside_the_document_stays():
    text = ("<p>某某县人民政府令</p><p>第12号</p><p>《某某县行政规范性文件管理办法》已经县政府常务会议通过，现予公布，自2024年6月1日起施行。</p>"
            "<p>县长：张三</p><p>2024年5月6日</p><p>某某县行政规范性文件管理办法</p>" + "".join(f"<p>{p}</p>" for p in PARAS))
    lines = body_of(page(text, title="某某县行政规范性文件管理办法")).splitlines()
    assert lines[:2] == ["某某县人民政府令", "第12号"]


def test_phrases_separated_by_spaces_count_as_text():
    lines = ["清晨的山谷飘着薄雾 远处的山峦若隐若现", "沿着小路慢慢走去 耳边传来阵阵鸟鸣",
             "溪水从石缝间流过 清澈见底凉意沁人", "午后阳光洒满草地 孩子们追逐嬉戏"]
    blurb = "<p>站长推荐：本站收录各地旅游攻略，欢迎投稿，共同分享旅途中的美好时光。</p>"
    raw = f"""<html><head><meta charset="utf-8"><title>山谷游记</title></head><body><div class="side">{blurb}</div>
<div class="post"><h1>山谷游记</h1><div class="article-content">{"".join(f"<p>{x}</p>" for x in lines)}</div></div></body></html>"""
    assert body_of(raw.encode()).splitlines() == lines


# ---------------------------------------------------------------- tables
def test_table_rows_merged_cells_and_header():
    table = ("<table><thead><tr><th rowspan='2'>类别</th><th colspan='2'>标准（元/月）</th></tr>"
             "<tr><th>城镇</th><th>农村</th></tr></thead>"
             "<tr><td rowspan='2'>低保</td><td><p>1200</p></td><td>1000</td></tr>"
             "<tr><td>1250</td><td>1050</td></tr><tr><td></td><td></td><td></td></tr></table>")
    lines = body_of(page(f"<p>{PARAS[1]}</p>{table}")).splitlines()
    assert lines[1:] == ["类别 | 标准（元/月）", "类别 | 城镇 | 农村", "低保 | 1200 | 1000", "低保 | 1250 | 1050"]


def test_layout_table_is_read_block_by_block():
    cell = "".join(f"<p>{p}</p>" for p in PARAS)
    raw = f"""<html><head><meta charset="utf-8"><title>通知</title></head><body><table><tr>
<td class="side"><ul>{NAV}</ul></td><td class="main"><h1>通知</h1>{cell}</td></tr></table></body></html>"""
    assert body_of(raw.encode()).splitlines() == PARAS


# ---------------------------------------------------------------- the flag vocabulary
def test_quality_flags_are_one_vocabulary():
    assert "attachment_only" in QUALITY_FLAGS and "empty_body" in QUALITY_FLAGS
    for raw in (page("<p>内容详见附件。</p><p><a href='/f/1.pdf'>名单.pdf</a></p>"), b"<html><body></body></html>"):
        assert set(extract(raw).quality_flags) <= set(QUALITY_FLAGS)


# ------------------------------------------- news and blog chrome (issue #11: articles with comments)
NEWS = ["某市今天公布了今年一季度的经济数据，全市地区生产总值同比增长百分之五点二，增速比去年同期加快。",
        "市统计局有关负责人表示，工业生产稳中有进，消费市场持续回暖，就业形势总体稳定。",
        "下一步，全市将继续扩大有效投资，推动经济运行持续向好，确保完成全年目标任务。"]


def news_page(top: str = "", tail: str = "", after: str = "", title: str = "某市一季度经济运行稳中向好",
              page_title: str = "", head: str = "") -> bytes:
    """A news site's article: headline, what sits above the text, the text, what follows it."""
    text = "".join(f"<p>{p}</p>" for p in NEWS)
    return f"""<html><head><meta charset="utf-8"><title>{page_title or title + '_某某新闻网'}</title>{head}</head>
<body><ul class="nav">{NAV}</ul><div class="article"><h1>{title}</h1>{top}
<div class="text">{text}{tail}</div>{after}</div>{FOOTER}</body></html>""".encode("utf-8")


def test_reader_comments_under_a_hot_comments_heading_and_counters_are_not_body():
    top = '<div class="info"><span>1938人参与</span><span>222评论</span></div>'
    after = ('<div class="vote">推荐<span>70</span></div><div class="box"><h5>最热评论</h5>'
             '<div><p>水木朝阳地 [河北省,保定市网友]</p><p>美是很美，只希望现代的灯光不会对这里带来伤害</p>'
             '<p>推荐162/回复/举报2019-02-20 07:00</p><p>手机用户8164 [辽宁省,丹东市网友]</p>'
             '<p>能充分利用有限资源，展示中华文化，值得点赞!</p></div></div>')
    assert body_of(news_page(top=top, after=after)).splitlines() == NEWS


def test_microblog_post_title_comments_and_recommendation_feed():
    headline = "得州883家幼儿园染疫 华盛顿大学“中招”"
    post = f"【{headline}】新冠肺炎疫情下，家长们担心把孩子送回校园是否安全。据官方统计，该州有883家托儿所出现了病例。"
    raw = f"""<html><head><meta charset="utf-8"><title>得州883家幼儿园染疫 华盛顿大学中招... 来自某某报 - 微博</title></head>
<body><div class="feed"><div class="info"><a href="/u/1">某某报</a> 7月7日 12:16 来自 360安全浏览器</div>
<div class="text">{post}<a href="http://t.cn/x"><i>O</i>网页链接</a></div>
<div class="publish"><textarea></textarea><label><span>同时转发到我的微博</span></label></div>
<ul class="tabs"><li><a href="#">按热度</a></li><li><a href="#">按时间</a></li></ul>
<div class="list"><div class="item"><a href="/u/2">绿茶127</a>：得州？ 这个消息看得人心里很不是滋味，大家都要保重。</div>
<div class="time">7月7日 20:27</div></div></div>
<div class="rec"><h4><a href="/">相关推荐</a></h4><div class="item"><a href="/u/3">某用户</a>
发布了头条文章：《加拿大实际感染比确诊高几倍？过两周见分晓》 据报道，专家认为实际感染人数可能比确诊人数高出数倍，需要进一步观察。</div>
<div class="item">#国外那些事儿#某地的疫情数据又创新高，每天新增病例好几万，大家怎么看这个问题？？？</div></div></body></html>"""
    doc = extract(raw.encode(), url="https://weibo.com/1823184085/Ja520cHZo")
    assert doc.title == headline
    assert doc.body == post


def test_datelines_share_buttons_app_promotion_and_related_news_are_not_body():
    top = '<div class="time">2020-10-04 15:05<span>聯合報 記者林宸誼／即時報導</span></div>'
    share = '<div class="share"><a href="#">用LINE傳送</a> <a href="#">facebook</a></div><p>推薦</p>'
    tail = share + '<p>不用抽 不用搶 現在用APP看新聞 保證天天中獎　點我下載APP　按我看活動辦法</p>'
    after = f'<div class="related"><h3>相關新聞</h3><ul>{NAV}</ul></div>'
    assert body_of(news_page(top=top, tail=tail, after=after)).splitlines() == NEWS
    tail = '<p>喜欢这篇文章？去 App 商店搜 某某日报 ，每天看点不一样的。</p>'
    assert body_of(news_page(top='<p class="author">谢若含2017-03-01 14:27:02</p>', tail=tail)).splitlines() == NEWS


def test_app_store_in_a_sentence_stays():
    tip = "另外，用户也可以关闭支付宝、微信钱包绑定的苹果App Store免密支付服务，或者调低免密支付额度。"
    assert body_of(news_page(tail=f"<p>{tip}</p>")).splitlines() == NEWS + [tip]


def test_portal_return_link_platform_statement_and_location_line_are_not_body():
    top = '<p class="loc">发布于：北京市</p>'
    last = NEWS[-1]
    raw = news_page(top=top, tail='<p>' + last[:0] + '</p>',
                    after='<p class="statement">平台声明：该文观点仅代表作者本人，某某号系信息发布平台，某某仅提供信息存储空间服务。</p>'
                          '<p>阅读 ()</p>')
    raw = raw.replace(f"<p>{last}</p>".encode(), f'<p>{last}<a href="//www.example.com/">返回某某，查看更多</a></p>'.encode())
    assert body_of(raw).splitlines() == NEWS


def test_excerpt_box_that_repeats_the_opening_sentence_is_not_body():
    top = '<div class="excerpt"><p>某市今天公布了今年一季度的经济数据，全市地区生产总值...</p></div>'
    assert body_of(news_page(top=top)).splitlines() == NEWS


def test_newest_recommended_article_date_is_not_the_page_date():
    top = ('<div class="bar"><span class="time" data-time="2016-10-06 18:02:38">最新推荐文章于&nbsp;2024-02-02 '
           '22:51:05&nbsp;发布</span> <span>阅读量545</span></div>')
    assert extract(news_page(top=top), url="https://blog.example.net/u/article/details/1").published_date == "2016-10-06"


def test_blocks_classed_as_comments_or_recommendations_are_not_body_even_without_a_heading():
    after = ('<div id="comments"><div class="comment-item"><p>这篇报道写得很好，数据详实，希望继续关注后续的发展情况。</p></div>'
             '<div class="comment-item"><p>我们这里的情况也差不多，消费市场确实比去年热闹了不少。</p></div></div>'
             '<div class="recommend-list"><p>某省今年上半年外贸进出口总值再创新高，同比增长百分之八。</p></div>')
    assert body_of(news_page(after=after)).splitlines() == NEWS


def test_a_wrapper_named_after_its_comments_still_yields_its_article():
    raw = news_page(after='<div class="cmt"><p>写得很好，支持这项政策，希望尽快落实到位。</p></div>')
    raw = raw.replace(b'<div class="article">', b'<div class="article-with-comments">')
    assert body_of(raw).splitlines() == NEWS
