"""Small synthetic portal pages for the parser tests (written for these tests)."""
from __future__ import annotations

NAV = "".join(f'<li><a href="/col/{i}/">栏目{i}</a></li>' for i in range(12))
FOOTER = (
    '<div class="footer"><p>主办：某某县人民政府办公室　承办：某某县大数据中心</p>'
    '<p>网站标识码：3601230001　<a href="https://beian.miit.gov.cn">赣ICP备12345678号-1</a>　'
    '赣公网安备 36012302000123号</p><p>本站已支持IPv6访问</p></div>'
)
PARAS = [
    "各乡镇人民政府，县政府各部门：",
    "为进一步规范行政规范性文件制定和监督管理工作，根据《中华人民共和国立法法》和省政府有关规定，结合我县实际，制定本办法。",
    "第一条 本办法所称行政规范性文件，是指除政府规章外，由行政机关依照法定权限、程序制定并公开发布，涉及公民、法人和其他组织权利义务，具有普遍约束力，在一定期限内反复适用的公文。",
    "第二条 县人民政府及其工作部门、乡镇人民政府制定行政规范性文件，适用本办法。",
    "第三条 行政规范性文件不得增加法律、法规规定之外的行政权力事项或者减少法定职责。",
]


def trs_page(title="某某县人民政府关于印发《某某县行政规范性文件管理办法》的通知", paras=PARAS,
             extra_body="", charset="utf-8") -> str:
    meta_box = (
        '<table class="xxgk-meta"><tr><td>索&ensp;引&ensp;号：</td><td>11360123MB1234567X/2015-00012</td>'
        '<td>主题分类：</td><td>综合政务</td></tr>'
        '<tr><td>发文机关：</td><td>某某县人民政府办公室</td><td>成文日期：</td><td>2015年3月5日</td></tr>'
        f'<tr><td>标　　题：</td><td colspan="3">{title}</td></tr>'
        '<tr><td>文　　号:</td><td>某府办发[2015]12号</td><td>发布日期：</td><td>2015-03-09</td></tr>'
        '<tr><td>有 效 性：</td><td>有效</td></tr></table>'
    )
    body = "".join(f"<p>\u3000\u3000{p}</p>" for p in paras)
    return f"""<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}_某某县人民政府</title></head>
<body><div class="header"><ul class="nav">{NAV}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 规范性文件</div>
<div class="main">{meta_box}
<h1 class="title">{title}</h1>
<div class="info">字号：<a>大</a> <a>中</a> <a>小</a></div>
<div class="TRS_Editor">{body}
<p style="text-align:right">某某县人民政府办公室</p><p style="text-align:right">2015年3月5日</p>{extra_body}</div>
<div class="attach">附件：<a href="./P020150309123.pdf">某某县行政规范性文件目录.pdf</a>
<a href="/files/form.docx">申请表</a></div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a><a href="javascript:window.close()">【关闭窗口】</a></div>
<div class="qr">扫一扫在手机打开当前页</div>
<div class="related"><h3>相关链接</h3><ul>{NAV}</ul></div>
</div>{FOOTER}</body></html>"""


def hanweb_page(title="某某县人民政府关于加强农村宅基地管理的实施意见", paras=PARAS) -> str:
    body = "<br>".join(f"\u3000\u3000{p}" for p in paras)
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="2016-11-22 09:30">
<meta name="ContentSource" content="县自然资源局"><title>某某县人民政府</title></head>
<body><table width="100%"><tr><td>{NAV}</td></tr></table>
<table class="main"><tr><td>
<table><tr><td class="title">{title}</td></tr>
<tr><td>发布时间：2016-11-22 信息来源：县自然资源局 浏览次数：<span>123</span></td></tr></table>
<div id="zoom">{body}</div>
<div>【<a href="#">打印本页</a>】【<a href="#">关闭窗口</a>】</div>
<div>用微信扫描二维码分享至好友和朋友圈</div>
</td></tr></table>{FOOTER}</body></html>"""
