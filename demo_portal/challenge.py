"""JavaScript anti-bot challenges in front of some detail pages (fault ``"challenge"``).

Two families seen on Chinese government portals:

* ``412`` — a 瑞数-style stub: a tiny page whose inline script computes a token and sets
  ``guifan_challenge=<token>`` before reloading. With that cookie the real page is served.
* ``521`` — a 加速乐-style stub: the script assembles ``__jsl_clearance=<token>`` from
  pieces and navigates to the same URL again.

Tokens are deterministic per site (a browser that runs the script gets the right cookie; a
crawler that does not gets only the stub). Without JavaScript a client sees a small 412/521
answer and never the document.
"""
from __future__ import annotations

import hashlib
from http.cookies import CookieError, SimpleCookie

from .world import Site

MODULUS = 1_000_000_007
COOKIE_412 = "guifan_challenge"
COOKIE_521 = "__jsl_clearance"


def _seed(site: Site, kind: str) -> str:
    return hashlib.sha1(f"{site.name}/{kind}/challenge".encode()).hexdigest()[:16]


def _fold(s: str) -> int:
    h = 0
    for ch in s:
        h = (h * 31 + ord(ch)) % MODULUS
    return h


def token(site: Site, kind: str) -> str:
    """The cookie value the challenge script computes."""
    seed = _seed(site, kind)
    if kind == "412":
        return f"{seed}.{_fold(seed):x}"
    return f"1710460800.{_fold(seed[::-1])}|0|{seed}"


def cookie_name(kind: str) -> str:
    return COOKIE_412 if kind == "412" else COOKIE_521


def passed(site: Site, kind: str, cookie_header: str | None) -> bool:
    if not cookie_header:
        return False
    try:
        jar = SimpleCookie()
        jar.load(cookie_header)
    except CookieError:
        return False
    morsel = jar.get(cookie_name(kind))
    return morsel is not None and morsel.value == token(site, kind)


def stub(site: Site, kind: str) -> bytes:
    """The challenge page: no content, only a script that earns the cookie."""
    seed = _seed(site, kind)
    if kind == "412":
        script = (f'(function(){{var s="{seed}",h=0;for(var i=0;i<s.length;i++){{h=(h*31+s.charCodeAt(i))%{MODULUS};}}'
                  f'document.cookie="{COOKIE_412}="+s+"."+h.toString(16)+"; path=/";location.reload();}})();')
        return ('<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                '<meta http-equiv="Pragma" content="no-cache"><title></title>'
                f'<script type="text/javascript">{script}</script></head><body></body></html>').encode("ascii")
    rev = seed[::-1]
    script = (f'var r="{rev}",h=0;for(var i=0;i<r.length;i++){{h=(h*31+r.charCodeAt(i))%{MODULUS};}}'
              f"document.cookie=('_')+('_')+('jsl_cl')+('earance')+'='+'1710460800.'+h+'|0|'+"
              f"r.split('').reverse().join('')+';max-age=3600;path=/';"
              f"location.href=location.pathname+location.search")
    return f"<html><body><script>{script}</script></body></html>".encode("ascii")


def headers(kind: str) -> dict[str, str]:
    if kind == "412":
        return {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache, no-store",
                "Set-Cookie": "FSSBBIl1UgzbN7N80S=ZGVtby1wb3J0YWw; Path=/; HttpOnly"}
    return {"Content-Type": "text/html", "Cache-Control": "no-cache, no-store"}
