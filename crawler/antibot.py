"""Anti-bot walls: tell a blocked answer from a page, and back off from a domain that blocks.

`block_reason` classifies one answer (status, headers, bytes): 412/521 (瑞数, 加速乐 and kin),
418, a 202/403/200 JavaScript challenge, a captcha page. Such an answer is archived as a
`blocked` fetch with that reason, never as a document. `AntiBotBackoff` is a downloader
middleware that raises a domain's download delay after each block, eases it after answers
that get through, and stops asking a domain that keeps blocking.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from guifan.parsers.detect_challenge import block_reason

WALL_KEY = "guifan_wall_verdict"  # set by crawler.offload, which runs just before this middleware

__all__ = ["AntiBotBackoff", "HOST_BLOCKED", "RENDERABLE"]

# Reasons a real browser can get past (it runs the script and earns the cookie); not captchas.
RENDERABLE = {"http_412_challenge", "http_521_challenge", "http_202_challenge", "http_403_challenge",
              "challenge_stub"}
HOST_BLOCKED = "host_blocked"


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
        judged = WALL_KEY in request.meta  # with the extraction, in a worker (crawler/offload.py)
        reason = request.meta.pop(WALL_KEY, None)
        if request.meta.get("playwright"):
            return response  # the browser's view of a challenge: judged by the refetch that follows
        if not judged:
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
