"""Boilerplate lines of Chinese government portals, and how to drop them from a body.

Three kinds: page widgets (print/close, font size, QR-code and share prompts, breadcrumb,
view counters), footers (主办/承办, ICP备, 公网安备, 网站标识码, IPv6, 版权所有...) and
"related" blocks (相关链接, 上一篇/下一篇). Patterns are matched per line; a long line
is dropped only when it is dense with footer markers, so real sentences that merely
mention 版权 or 主办 survive.
"""
from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["is_boilerplate_line", "boilerplate_score", "strip_boilerplate_lines", "FOOTER_MARKERS",
           "fold_script", "is_related_header"]

# Traditional -> Simplified for the characters of the boilerplate vocabulary, so that the
# patterns below also catch portals (and reprints) in Traditional script.
_FOLD = str.maketrans(dict(zip(
    "辦權網標識碼備術維運圖聯繫隱聲訪問當頁開關閉號擊數瀏覽讀掃機發佈時間來責編輯護電話郵單址務協報線"
    "設計處點轉載複製錄鏈類簡體無礙閱臺際頂迴對證個總準視縮預覽寫購獻絡動態區縣鎮鄉園館資訊統"
    "權範規範員導領會議辦註冊登錄幫見題產業業稱請轉發與興別這論評覆藝術類樣場"
    "聞傳薦於熱歡讚門",
    "办权网标识码备术维运图联系隐声访问当页开关闭号击数浏览读扫机发布时间来责编辑护电话邮单址务协报线"
    "设计处点转载复制录链类简体无碍阅台际顶回对证个总准视缩预览写购献络动态区县镇乡园馆资讯统"
    "权范规范员导领会议办注册登录帮见题产业业称请转发与兴别这论评复艺术类样场"
    "闻传荐于热欢赞门",
)))


_FOLD_NEEDED = re.compile("[" + "".join(chr(k) for k in _FOLD) + "]")


def fold_script(text: str) -> str:
    """Fold the Traditional forms of boilerplate words to Simplified (same length)."""
    return text.translate(_FOLD) if _FOLD_NEEDED.search(text) else text

# Lines that are nothing but widgets: 【打印本页】【关闭窗口】, [打印] [关闭], 返回顶部 ...
_WIDGET_WORDS = (
    "打印本页", "打印此页", "打印文章", "打印正文", "打印页面", "打印", "关闭窗口", "关闭本页", "关闭页面",
    "关闭", "返回顶部", "回到顶部", "返回首页", "返回列表", "返回", "收藏本页", "收藏", "加入收藏",
    "设为首页", "保存本页", "保存", "下载本页", "纠错", "我要纠错", "分享", "放大", "缩小", "默认",
    "大", "中", "小", "字号", "字体", "视力保护色", "护眼模式", "朗读", "阅读模式", "无障碍", "繁体", "简体",
    "繁體版", "简体版", "打印文本", "复制链接", "转发", "顶部", "TOP", "top", "×", "x", "X",
    "QQ空间", "QQ好友", "QQ", "微信", "微博", "新浪微博", "腾讯微博", "人人网", "豆瓣", "Qzone", "分享至",
    "朋友圈", "更多", "推荐", "关注", "二维码", "手机版", "English", "ENGLISH",
    "pdf下载", "PDF下载", "word下载", "WORD下载", "Word下载", "下载", "PDF", "pdf", "WORD", "word",
    # accessibility and elder-mode toolbars (无障碍/长者模式/读屏), language and login links
    "无障碍版", "无障碍阅读", "无障碍浏览", "无障碍模式", "长者助手", "长者模式", "长者专区", "长者版", "长者浏览模式",
    "关怀版", "关怀模式", "适老化", "适老版", "读屏", "读屏专用", "指读", "连读", "语音播报", "语音阅读", "大鼠标",
    "大字幕", "十字线", "配色", "重置", "退出服务", "繁體", "繁体版", "英文版", "EN", "登录", "登 录", "注册",
    "退出", "我的收藏", "个人中心", "网站支持IPV6", "网站支持IPv6", "IPV6", "IPv6", "智能问答", "智能客服",
    # site tools: map, feedback, navigation, sharing, printing
    "网站地图", "网站导航", "内容纠错", "纠错", "使用帮助", "关于我们", "隐私声明", "隐私安全", "网站建议", "网站声明",
    "联系方式", "联系我们", "友情链接", "版权声明", "首页", "上一页", "下一页", "尾页", "搜索", "打印关闭",
    "分享文章到", "分享到", "下载文字版", "下载图片版", "政务微博", "政务微信", "客户端", "移动客户端", "扫一扫",
    "查看原图", "原图", "打印本文", "关闭本文",
    # share buttons of Taiwan / Hong Kong news sites, like buttons
    "用LINE传送", "LINE", "Line", "facebook", "Facebook", "FB", "Twitter", "twitter", "Plurk", "噗浪", "列印",
    "赞", "点赞", "喜欢", "图集", "+1",
)
_WIDGET_SEP = r"[\s\[\]【】()（）|｜/·•:：>»›<-]*"
_WIDGET_LINE = re.compile(  # unambiguous (separators only between words): no backtracking blow-up
    "^" + _WIDGET_SEP + "(?:(?:" + "|".join(map(re.escape, sorted(_WIDGET_WORDS, key=len, reverse=True)))
    + ")" + _WIDGET_SEP + ")+$"
)

# Full-line patterns (anchored to the start of a line, short lines).
_LINE_PATTERNS = re.compile(
    r"^(?:"
    r"扫一扫在手机(?:上)?(?:打开|浏览|查看)(?:当前|本)?页(?:面)?"
    r"|[^。]{0,8}扫一扫[^。]{0,24}"
    r"|(?:用)?(?:手机|微信)(?:扫描|扫码).{0,24}"
    r"|(?:用)?(?:手机)?微信扫(?:描|一扫)?(?:二维码)?(?:，|,)?(?:分享|点击|将本文).*"
    r"|(?:用)?微信扫描二维码分享至好友和朋友圈"
    r"|扫描二维码.{0,20}"
    r"|分享到[:：]?.{0,40}"
    r"|分享至[:：]?.{0,40}"
    r"|字号[:：].{0,20}"
    r"|【?字体[:：]?\s*[大中小].{0,20}"
    r"|(?:您|你)?(?:现在|当前)?(?:的|所在)?(?:当前)?位置[:：].{0,200}"
    r"|当前位置.{0,200}"
    r"|首页\s*[>›»/＞].{0,200}"
    r"|(?:浏览|点击|阅读|访问|查看)(?:次数|量|数)[:：]?\s*[-\d]*\s*(?:次)?(?:\s*分享[:：]?)?"
    r"|(?:浏览|点击|阅读|访问)(?:次数|量|数)?[:：]\s*[\[【(（]?\s*\d*\s*[\]】)）]?\s*(?:次)?"
    r"|(?:上|下)一(?:篇|条)[:：].{0,120}"
    r"|(?:上|下)一(?:篇|条)"
    r"|没有了"
    r"|相关(?:链接|文章|阅读|新闻|信息|文件|稿件|推荐|附件)[:：]?"
    r"|(?:附件)?下载[:：]?"
    r"|(?:网站|站点)地图|联系我们|网站声明|隐私(?:声明|政策)|使用帮助|网站帮助|网站纠错|意见建议"
    r"|(?:主办|承办|协办|技术支持|运维|维护|运行维护)(?:单位)?[:：].{0,160}"
    r"|(?:Copyright|COPYRIGHT|copyright|版权所有|©|\(c\)|（c）).{0,200}"
    r"|.{0,80}(?:ICP备|ICP证|公网安备|网站标识码|网站识别码|政府网站标识码).{0,120}"
    r"|本站已支持\s*IPv6\s*访问.{0,20}"
    r"|.{0,40}(?:建议使用|推荐使用).{0,40}(?:浏览器|分辨率).{0,60}"
    # browser advisories: 为确保最佳浏览效果，建议您使用以下浏览器版本…
    r"|(?=[^。]{0,80}(?:浏览器|分辨率|浏览效果|显示效果))"
    r"(?=[^。]{0,80}(?:最佳|以上版本|及以上|版本以上|建议您|推荐您|请使用|请升级|为确保|为了获得|为保证))[^。]{0,200}。?"
    r"|(?:本文|文章|稿件|新闻|内容|图片|视频)来源[:：].{0,80}"
    r"|公开(?:方式|形式|范围)[:：].{0,12}"
    r"|搜索热词[:：]?.{0,120}|热门搜索[:：]?.{0,120}|热搜词?[:：].{0,120}"
    r"|.{0,10}您是(?:本站)?第.{0,15}位(?:访客|访问者|浏览者).{0,20}"
    # links to the document's 政策解读, download/view lines and attachment file names (-> attachments)
    r"|(?:点击)?(?:查看)?(?:政策|相关|图文|图解|音频|视频|文字|媒体|专家|新闻)解读[:：]?.{0,160}"
    r"|【(?:图文|图解|音频|视频|文字|媒体|专家|政策)解读】.{0,160}"
    r"|(?:点击)?(?:原文|全文|原件|正文|文件|附件|PDF|pdf|WORD|Word|word|OFD|ofd)(?:文件|版)?(?:下载|查看|浏览|预览|阅读)[:：]?.{0,100}"
    r"|(?:请)?(?:点击|单击)(?:此处|这里|下方|下载)?(?:查看|下载|浏览|阅读|打开).{0,60}"
    r"|.{0,150}\.(?:pdf|PDF|docx?|DOCX?|xlsx?|XLSX?|wps|WPS|ofd|OFD|zip|ZIP|rar|RAR|et|txt)\s*(?:[(（\[]\s*[\d.]+\s*[KMG]?B?\s*[)）\]])?"
    r"|信息来源[:：].{0,40}"
    r"|来源[:：].{0,40}"
    r"|[（(\[【]?\s*(?:责任)?编辑[:：].{0,30}"
    r"|(?:作者|撰稿|审核|校对|责编|供稿)[:：].{0,30}"
    r"|(?:发布|更新|录入)(?:时间|日期)[:：].{0,80}"
    r"|【?(?:我要)?(?:打印|关闭|收藏|纠错)(?:本页|窗口|此页)?】?"
    r"|(?:点击|双击)?(?:滚屏|鼠标).{0,20}"
    r"|(?:[【\[]\s*[大中小]\s*[】\]]\s*){2,}"
    r"|(?:【[^【】]{1,8}】\s*)+"
    r"|.{0,30}(?:版权与免责声明|免责声明|版权声明|平台声明)[:：].*"
    r"|.{0,20}(?:禁止|不得|严禁|谢绝)(?:商业|任何)?(?:转载|摘编|复制).{0,40}"
    r"|(?:如需)?转载.{0,20}(?:请联系|请注明|须经).{0,60}"
    r"|原创版权.{0,30}"
    # copyright notices: 【…权益归腾讯公司独家所有。未经授权，不得转载、摘编等。】
    r"|(?!第[一二三四五六七八九十百零\d]+条|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)"
    r"(?=[^\n]{0,100}(?:未经|如需|请勿|禁止|不得|严禁|谢绝))(?=[^\n]{0,100}(?:转载|摘编|复制|镜像|使用))"
    r"(?=[^\n]{0,100}(?:授权|许可|同意|版权|权益|所有|出处|来源))[^\n]{0,150}"
    r"|(?:同时)?(?:转播|转发|推荐)到.{0,20}|正在加载.{0,5}|加载中.{0,5}|加载更多"
    r"|(?:查看)?更多\s*(?:>>|》|>|»)?|更多精彩(?:内容|资讯|新闻|文章)?(?:请)?(?:看|点|点击)这里"
    # counters and action bars of news and blog pages: 推荐70, 阅读 (), 1938人参与222评论, 发布于：北京市
    r"|(?:(?:推荐|赞|点赞|收藏|分享|评论|转发|喜欢|举报|回复|阅读)\s*[(（]?\s*[\d,.万]*\s*[)）]?\s*[/|·]?\s*){1,6}"
    r"|[\d,.万]+\s*人参与(?:\s*[\d,.万]+\s*条?评论)?"
    r"|发布于[:：]?\s*[^，。]{0,20}"
    r"|(?:按(?:热度|时间)\s*)+|(?:最热|热门|精选)(?:评论|跟贴|跟帖|留言)"  # a comment list's sort tabs, its heading
    # a dateline with its time of day, perhaps after a name and before a paper's byline:
    # 谢若含2017-03-01 14:27:02, 2020-10-04 15:05聯合報 記者林宸誼／即時報導
    r"|[^\s，。：:\d]{0,8}(?:(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}|(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)\s*"
    r"\d{1,2}:\d{2}(?::\d{2})?[^，。；：:]{0,24}"
    # app promotion: 喜欢这篇文章？去 App 商店搜 好奇心日报, 点我下载APP, 下载客户端 阅读体验更佳
    r"|(?=[^。]{0,80}(?:App|APP|app|客户端))"
    r"(?=[^。]{0,80}(?:点我|点此下载|立即下载|马上下载|扫码下载|下载.{0,8}(?:阅读|看新闻)|去\s*(?:App|APP)\s*商店|"
    r"看新闻|每天看|体验更佳|阅读体验))[^。]{0,120}。?"
    # a portal's return link: 返回搜狐，查看更多
    r"|返回[^，。\s]{1,10}[，,]?\s*查看更多"
    r")$",
    re.S,
)

# Markers that are footer-only; several in one line make it a footer whatever its length.
FOOTER_MARKERS = re.compile(
    r"主办(?:单位)?[:：]|承办(?:单位)?[:：]|协办(?:单位)?[:：]|技术支持[:：]|运维(?:单位)?[:：]|运行维护单位|ICP备|ICP证|公网安备|"
    r"网站标识码|网站识别码|本站已支持\s*IPv6|版权所有|Copyright|COPYRIGHT|©|网站地图|联系我们|隐私声明|"
    r"建议使用.{0,20}浏览器|最佳分辨率"
)
# Contact details: footer-ish only together with a real footer marker.
_WEAK_MARKERS = re.compile(r"地址[:：]|邮编[:：]|(?:联系|运维|值班)?电话[:：]|传真[:：]|E-?mail[:：]|邮箱[:：]")


# An "info bar": a short line with a date and 来源/作者/浏览... (发布时间：… 来源：… 字号：…).
_INFO_DATE = re.compile(r"(?:19|20)\d{2}\s*[-年./]\s*\d{1,2}\s*[-月./]\s*\d{1,2}")
_INFO_WORDS = re.compile(r"来源[:：]|作者[:：]|编辑[:：]|发布[:：]|浏览|点击|字号|阅读[:：(（]|阅读次数|责任编辑|"
                         r"发布时间|发表于|更新时间|访问量|评论[:：(（]|打印")


def is_info_line(line: str) -> bool:
    """True for a short line that carries a date plus source/author/counter labels."""
    return len(line) <= 150 and bool(_INFO_DATE.search(line)) and bool(_INFO_WORDS.search(line))


@lru_cache(maxsize=4096)  # pure; a portal's footer and nav lines recur on every page
def boilerplate_score(line: str) -> int:
    """Footer evidence in a line: 2 per footer marker, 1 per contact detail (if any marker)."""
    line = fold_script(line)
    strong = len(FOOTER_MARKERS.findall(line))
    if not strong:
        return 0
    return 2 * strong + len(_WEAK_MARKERS.findall(line))


_CLAUSE_START = re.compile(r"^第[一二三四五六七八九十百零〇\d]{1,6}条")


@lru_cache(maxsize=4096)  # pure; a portal's footer and nav lines recur on every page
def is_boilerplate_line(line: str) -> bool:
    """True if the whole line is portal boilerplate."""
    s = fold_script(line.strip())
    if not s:
        return True
    if _CLAUSE_START.match(s):  # 第八条 …: an article of the document, whatever it mentions
        return False
    if len(s) <= 300 and _LINE_PATTERNS.match(s):
        return True
    if len(s) <= 60 and _WIDGET_LINE.match(s):
        return True
    if is_info_line(s):
        return True
    score = boilerplate_score(s) if s.count("。") + s.count("，") <= 2 else 0
    if score >= 3 and len(s) <= 80 * score:
        return True
    return False


_RELATED_HEADER = re.compile(
    r"^(?:[【\[]?(?:相关(?:链接|文章|阅读|新闻|信息|文件|稿件|推荐|政策|解读)|延伸阅读|推荐阅读|热点推荐|"
    r"猜你喜欢|热门文章|最新文章|相关文档|(?:网友|用户|发表|最新|相关|全部|精彩)?评论(?:列表)?|我要(?:评论|留言)|"
    r"网友留言|留言板|[^\s，。]{1,6}推荐|大家都在看|大家都爱看|热门(?:新闻|资讯|阅读|推荐)|热点新闻|"
    r"(?:阅读|点击|评论|跟贴|新闻|热门|热度)?排行(?:榜)?|热读|延伸阅读|更多(?:阅读|相关|精彩)(?:新闻|文章|内容)?|"
    r"(?:跟贴|跟帖|网友跟贴)(?:列表)?|(?:您|你)?可能(?:会)?(?:感|有)?兴趣的?(?:文章|内容|新闻)?|"
    r"上一篇(?:文章)?(?:与|和|及|/)?下一篇(?:文章)?|(?:这个|本|同)(?:类别|分类|栏目)(?:其他|其它|更多)的?(?:文章|内容)|"
    r"(?:评论|留言|回复)(?:列表|区)\s*(?:[(（]\s*\d+\s*[)）])?|发表(?:留言|评论))[】\]]?[:：]?"
    r"|.{0,60}(?:已有|共有|现有|共)\s*\d+\s*(?:件|条|篇|个)?(?:评论|留言|回复)"
    r"|.{1,20}的(?:评论|留言)|(?:网友|读者)?(?:评论|留言|回复)\s*[(（\[]\s*\d+\s*[)）\]]"
    r"|.{0,20}(?:版权与免责声明|免责声明|版权声明|平台声明)(?:[:：].*)?"
    # a comment list's heading or its sort tabs: 最热评论, 热门评论, 按热度 按时间
    r"|(?:最热|热门|热点|精选|最新|网友|读者)(?:评论|跟贴|跟帖|留言)|按(?:热度|时间)(?:\s*按(?:热度|时间))?)$"
)


def is_related_header(line: str) -> bool:
    """True for the header of what portals hang under a text: 相关链接, 评论, 免责声明 …"""
    return bool(_RELATED_HEADER.match(fold_script(line.strip()[:300])))


def strip_boilerplate_lines(lines: list[str]) -> list[str]:
    """Drop boilerplate lines; cut a trailing 相关链接-style block of short lines."""
    kept: list[str] = []
    n = len(lines)
    i = 0
    seen: set[str] = set()
    chars_before = 0
    while i < n:
        line = lines[i]
        if _RELATED_HEADER.match(fold_script(line.strip()[:300])) and i > 0 and (i >= n // 3 or chars_before >= 150):
            break  # a related-links / comments / disclaimer block runs to the end
        chars_before += len(line)
        if len(line) >= 20:
            # The same paragraph twice: pages that carry a desktop and a mobile copy.
            if line in seen:
                i += 1
                continue
            seen.add(line)
        if not is_boilerplate_line(line):
            kept.append(_RETURN_LINK_TAIL.sub("", line) if ("查看更多" in line or "网页链接" in line) else line)
        i += 1
    # A bare label left at the very end (its list was links, or empty): 附件：, 附件信息:
    while kept and _TRAILING_LABEL.match(kept[-1].strip()):
        kept.pop()
    return _drop_excerpts(kept)


# A portal's return link run into the text's last paragraph: …也前往送别。返回搜狐，查看更多
# and a microblog's link card label after a post: …121名该校学生染疫。O网页链接
_RETURN_LINK_TAIL = re.compile(r"(?<=[。！？”」』）)])\s*(?:返回[^，。\s]{1,10}[，,]?\s*查看更多|[O○]?网页链接)\s*$")
_ELLIPSIS_END = re.compile(r"(?:\.{3,}|…+)\s*$")


def _drop_excerpts(lines: list[str]) -> list[str]:
    """Drop an excerpt box: a line cut off with … / ... whose words open a later line of the
    text (摘要 boxes and lead-ins that repeat the first sentence of the article)."""
    out = []
    for k, line in enumerate(lines):
        m = _ELLIPSIS_END.search(line)
        stem = line[:m.start()].strip() if m else ""
        if len(stem) >= 10 and any(other.startswith(stem) for other in lines[k + 1:k + 30]):
            continue
        out.append(line)
    return out


_TRAILING_LABEL = re.compile(r"^(?:附件|附件信息|附件下载|附件列表|相关附件|资料来源|注释|备注)\s*[:：]?$")
