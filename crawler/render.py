"""Optional: get past JavaScript challenges with a real browser (`--render`).

A page answered with a JavaScript challenge (412 瑞数-like, 521 加速乐-like, a 200 stub) is
opened once in the system Chromium through scrapy-playwright. The browser runs the script
and earns the cookie; we take the cookies and fetch the page again over plain HTTP, so the
archive keeps the bytes the server sent — never the browser's re-serialised DOM — and the
request headers of that capture show the cookie that opened it. The cookies stay in
Scrapy's jar, so later pages of the same site usually need no browser at all.

Debian's `/usr/bin/chromium` is used as it is (`playwright install` is never needed).
"""
from __future__ import annotations

import asyncio
import shutil

import scrapy

from guifan.parsers.detect_challenge import block_reason

CHROMIUM = "/usr/bin/chromium"
HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The browser only needs the page and its scripts: no images, fonts, media or styles.
SKIPPED_RESOURCES = {"image", "media", "font", "stylesheet"}
SETTLE_TRIES = 20          # × SETTLE_WAIT_MS: how long a challenge may take to reload into the page
SETTLE_WAIT_MS = 250


class RenderUnavailable(RuntimeError):
    """--render was asked for but no browser or scrapy-playwright is available."""


def browser_path(executable: str | None = None) -> str:
    path = executable or shutil.which("chromium") or CHROMIUM
    if not shutil.which(path):
        raise RenderUnavailable(f"--render needs Chromium at {path} (Debian: apt-get install chromium)")
    return path


def render_settings(executable: str | None = None) -> dict:
    """Settings that send requests marked `playwright` through headless Chromium."""
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        raise RenderUnavailable("--render needs scrapy-playwright (pip install scrapy-playwright)") from None
    return {
        "GUIFAN_RENDER": True,
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": browser_path(executable), "headless": True,
                                      "args": LAUNCH_ARGS},
        "PLAYWRIGHT_ABORT_REQUEST": "guifan.crawler.render.skip_resource",
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
    }


def skip_resource(request) -> bool:
    return request.resource_type in SKIPPED_RESOURCES


def render_request(request: scrapy.Request, callback, errback) -> scrapy.Request:
    """The challenged request again, this time opened in the browser (kept open for its cookies)."""
    meta = {k: request.meta[k] for k in ("site", "kind", "referer", "list_hints") if k in request.meta}
    meta.update(playwright=True, playwright_include_page=True, guifan_rendered=True,
                original_method=request.method, original_body=request.body)
    return scrapy.Request(request.url, callback=callback, errback=errback, meta=meta, dont_filter=True,
                          priority=request.priority + 1)


async def _settled_html(page) -> str:
    """The page's HTML once the challenge script has reloaded it into the real page."""
    html = ""
    for _ in range(SETTLE_TRIES):
        try:
            await page.wait_for_load_state("load")
            html = await page.content()
        except Exception:  # noqa: BLE001 - the page is navigating; look again
            html = ""
        if html and not block_reason(200, {"content-type": "text/html"}, html.encode("utf-8")):
            return html
        await asyncio.sleep(SETTLE_WAIT_MS / 1000)
    return html


async def earned_cookies(response) -> list[dict]:
    """Cookies the browser holds for the page once its challenge has run; the page is closed."""
    page = response.meta.get("playwright_page")
    if page is None:
        return []
    try:
        await _settled_html(page)
        cookies = await page.context.cookies()
    finally:
        await page.close()
    return [{k: c[k] for k in ("name", "value", "domain", "path") if k in c} for c in cookies]


def refetch(request: scrapy.Request, cookies: list[dict], callback, errback) -> scrapy.Request:
    """The original plain-HTTP request again, carrying the cookies the browser earned."""
    meta = {k: request.meta[k] for k in ("site", "kind", "referer", "list_hints") if k in request.meta}
    meta["guifan_rendered"] = True
    method = request.meta.get("original_method", "GET")
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if method == "POST" else {}
    return scrapy.Request(request.url, method=method, body=request.meta.get("original_body") or b"",
                          headers=headers, cookies=cookies, callback=callback, errback=errback, meta=meta,
                          dont_filter=True, priority=request.priority)
