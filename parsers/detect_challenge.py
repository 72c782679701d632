"""Recognise anti-bot JavaScript challenge stubs (served instead of the page)."""
from __future__ import annotations

import re

__all__ = ["looks_like_challenge"]

_MARKERS = re.compile(
    r"\$_ts\s*=|\$_ts\.|__jsl_clearance|acw_sc__v2|acw_tc|_waf_|waf_cookie|yunsuo_session_verify|"
    r"security_session_verify|__cf_chl_|cf-browser-verification|challenge-platform|jschl[-_]|"
    r"Checking your browser|Just a moment\.\.\.|DDoS protection by|请开启\s*JavaScript|请启用\s*JavaScript|"
    r"JavaScript is (?:required|disabled)|enable JavaScript|安全验证|人机验证|滑动验证|访问验证|"
    r"正在进行安全检测|浏览器安全检查|网站防火墙|访问频率过快|请求过于频繁|安全狗|创宇盾|云锁|"
    r"document\.cookie\s*=.{0,400}(?:location\.(?:reload|href|replace)|window\.location)",
    re.I | re.S,
)


def looks_like_challenge(raw_text: str, visible_chars: int) -> bool:
    """True if the page is a small script stub with challenge markers and little visible text."""
    if visible_chars > 400:
        return False
    head = raw_text[:200_000]
    if _MARKERS.search(head):
        return True
    # A page that is nearly all script and sets a cookie then reloads.
    scripts = len(re.findall(r"<script", head, re.I))
    return visible_chars < 50 and scripts >= 1 and len(head) > 500 and "cookie" in head.lower() \
        and bool(re.search(r"location|reload", head, re.I))
