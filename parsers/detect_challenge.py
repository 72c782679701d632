"""Recognise anti-bot walls served instead of the page: JavaScript challenge stubs, captchas,
and the status codes of the usual wall vendors. Pure functions of the answer's status,
headers and bytes; the crawler (crawler/antibot.py) acts on the verdict."""
from __future__ import annotations

import re

from .decode import decode_html

__all__ = ["block_reason", "looks_like_challenge", "visible_chars", "WALL_MAX_VISIBLE"]

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


ALWAYS_BLOCKED = {412: "http_412_challenge", 521: "http_521_challenge", 418: "http_418"}
_CAPTCHA = re.compile(r"captcha|验证码|geetest|TencentCaptcha|nc_1_wrapper|slide_verify|拖动滑块", re.I)
_INVISIBLE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->|<[^>]*>|&nbsp;|\s+", re.I | re.S)
MAX_CLASSIFIED = 512 * 1024   # a wall is a small page; big answers are not read twice
WALL_MAX_VISIBLE = 400        # walls show at most this many characters (captcha, challenge stubs)


def visible_chars(html: str, stop_after: int | None = None) -> int:
    """Characters a reader sees (markup, scripts, comments and whitespace removed).

    With `stop_after`, counting stops once the count exceeds it: every wall test only asks
    whether a page shows more than WALL_MAX_VISIBLE characters, and an ordinary page
    answers that in its first few kilobytes instead of being scanned to the end.
    """
    count = pos = 0
    for m in _INVISIBLE.finditer(html):
        count += m.start() - pos
        pos = m.end()
        if stop_after is not None and count > stop_after:
            return count
    return count + len(html) - pos


def _looks_like_markup(body: bytes, content_type: str) -> bool:
    if "html" in content_type or "text/plain" in content_type:
        return True
    return body.lstrip()[:1] == b"<"


def block_reason(status: int, headers: dict[str, str], body: bytes | None) -> str | None:
    """Why this answer is an anti-bot wall rather than the page, or None if it is not one."""
    if status in ALWAYS_BLOCKED:
        return ALWAYS_BLOCKED[status]
    if not body or len(body) > MAX_CLASSIFIED or status not in (200, 202, 403, 429):
        return None
    content_type = (headers.get("content-type") or headers.get("Content-Type") or "").lower()
    if not _looks_like_markup(body, content_type):
        return None
    html, _ = decode_html(body, {"content-type": content_type} if content_type else None)
    visible = visible_chars(html, stop_after=WALL_MAX_VISIBLE)  # exact up to 400; "more" above
    if visible <= WALL_MAX_VISIBLE and _CAPTCHA.search(html):
        return "captcha"
    if looks_like_challenge(html, visible):
        return "challenge_stub" if status == 200 else f"http_{status}_challenge"
    return None
