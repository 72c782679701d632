"""Anti-bot walls: tell a blocked answer from a page, and back off from a domain that blocks.

`block_reason` classifies one answer (status, headers, bytes): 412/521 (瑞数, 加速乐 and kin),
418, a 202/403/200 JavaScript challenge, a captcha page. Such an answer is archived as a
`blocked` fetch with that reason, never as a document. `AntiBotBackoff` is a downloader
middleware that raises a domain's download delay after each block, eases it after answers
that get through, and stops asking a domain that keeps blocking.
"""
from __future__ import annotations

import re

from scrapy.exceptions import IgnoreRequest

from parsers import decode_html
from parsers.detect_challenge import looks_like_challenge

ALWAYS_BLOCKED = {412: "http_412_challenge", 521: "http_521_challenge", 418: "http_418"}
# Reasons a real browser can get past (it runs the script and earns the cookie); not captchas.
RENDERABLE = {"http_412_challenge", "http_521_challenge", "http_202_challenge", "http_403_challenge",
              "challenge_stub"}
HOST_BLOCKED = "host_blocked"
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


class AntiBotBackoff:
    """Per download slot (domain): a delay floor that doubles on each block and halves back
    after answers that get through; after GUIFAN_BACKOFF_GIVE_UP blocks in a row the
    domain's remaining requests are dropped (recorded as blocked, reason host_blocked)."""

    def __init__(self, crawler):
        settings = crawler.settings
        self.crawler = crawler
        self.start = settings.getfloat("GUIFAN_BACKOFF_START")
        self.max_delay = settings.getfloat("GUIFAN_BACKOFF_MAX_DELAY")
        self.give_up = settings.getint("GUIFAN_BACKOFF_GIVE_UP")
        self.penalty: dict[str, float] = {}
        self.base: dict[str, float] = {}
        self.blocks_in_a_row: dict[str, int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _slot(self, request):
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return key, downloader.slots.get(key)

    def process_request(self, request, spider=None):
        key, _ = self._slot(request)
        if self.give_up and self.blocks_in_a_row.get(key, 0) >= self.give_up:
            raise IgnoreRequest(f"{HOST_BLOCKED}: {key} answered {self.give_up} anti-bot walls in a row")
        return None

    def process_response(self, request, response, spider=None):
        if request.meta.get("playwright"):
            return response  # the browser's view of a challenge: judged by the refetch that follows
        headers = {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}
        reason = block_reason(response.status, headers, response.body)
        key, slot = self._slot(request)
        request.meta["guifan_blocked"] = reason     # the spider reads the verdict instead of judging again
        if reason:
            self.crawler.stats.inc_value(f"guifan/blocked/{reason}")
            self.blocks_in_a_row[key] = self.blocks_in_a_row.get(key, 0) + 1
            self._set_penalty(key, slot, max(self.start, 2 * self.penalty.get(key, 0.0)))
        elif 200 <= response.status < 400:
            self.blocks_in_a_row[key] = 0
            if self.penalty.get(key):
                eased = self.penalty[key] / 2
                self._set_penalty(key, slot, eased if eased >= self.start else 0.0)
        return response

    def _set_penalty(self, key: str, slot, delay: float) -> None:
        delay = min(delay, self.max_delay)
        self.penalty[key] = delay
        if slot is None:
            return
        self.base.setdefault(key, slot.delay)
        slot.delay = max(self.base[key], delay)
        self.crawler.stats.max_value("guifan/backoff/max_delay", slot.delay)
