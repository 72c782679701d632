"""guifan demo portal: a family of simulated Chinese county government portals over real HTTP.

Design
------
* Deterministic: every document (title, 文号, dates, body, attachments) is generated from a
  string-seeded ``random.Random``, so pages are the same bytes on every run for the same
  day — except the rotating chrome listed below.
* Two CMS families, each with its real quirks:
  - ``demo-yunxi`` (云溪县, TRS WCM, UTF-8): columns ``/zwgk/gfxwj/`` and ``/zwgk/zcwj/``, lists
    ``index.html``, ``index_1.html`` … linked ONLY through ``createPageHTML(...)`` in a script;
    details ``/zwgk/<col>/YYYYMM/tYYYYMMDD_ID.html`` with the body in ``div.TRS_Editor``.
  - ``demo-qingshi`` (青石县, Hanweb jcms, GBK bytes, ``<meta charset=gb2312>``, HTTP
    ``Content-Type: text/html`` without charset): columns ``/col/col1234/index.html`` and
    ``/col/col1235/index.html`` paginated with ``?uid=…&pageNum=N`` anchors; details
    ``/art/Y/M/D/art_<col>_<id>.html`` with ``ArticleTitle/PubDate/ContentSource`` metas and
    the body in ``div#zoom``. Titles use GBK-only characters (昇 珺 堃 镕 喆).
* Ground truth lives in :mod:`demo_portal.catalog` and drives the server, so they cannot drift.
* Faults (flagged in ``DemoDoc.fault``): ``not_found`` (listed, answers 404), ``redirect``
  (listed URL 301s to the real one), ``malformed`` (broken HTML around a real document),
  ``unavailable_once`` (503 on the first request per path per server lifetime),
  ``robots_disallowed`` (listed under a robots.txt Disallow), ``wrong_charset`` (UTF-8 bytes
  declared gb2312, no charset in the header).
* Time: ``day`` 1..3. Day 2 edits one paragraph in three documents, repeals one (有效性 →
  废止, body untouched), drops one (404 and off the list) and adds three new ones at the top
  of their lists (shifting pagination). Day 3 brings the dropped one back unchanged.
* Rotating chrome that must NOT count as a content change: ``浏览次数：N`` (changes on every
  request) and ``今天是YYYY年M月D日 星期X`` (follows the simulated day).
* One document in ``demo-yunxi`` is a real reprint page (``data/seed_reprint.txt``):
  Traditional script with pinyin annotations, its share line above the body and its own
  footer; the catalog holds its clean body (pinyin removed).

* Platform replicas (``PLATFORM_SITES``, served only on request): one small site per CMS
  platform — Hanweb jpage/``dataproxy.jsp`` (demo-baihe), 开普云 UCAP (demo-songlin),
  Guangdong ``gkmlpt`` JSON API (demo-jinhai), the Anhui 政务公开 platform (demo-fengming),
  an unknown CMS for the generic adapter (demo-lutang, GBK) and a site with JavaScript
  challenges (demo-shiling, fault ``challenge``). See README.md.
* The simulated province (``PROVINCE_SITES``, served only on request): 31 county portals of
  模拟省 on 127.0.1.1 … 127.0.1.31 (every platform template; some known to their profiles
  only by the home page), a prefecture portal on 127.0.1.40 shared by two counties, and one
  county (西山县) whose address answers nothing. ``PROVINCE_UNITS`` are their registry entries
  (profiles ``crawler/sites/sim-*.toml``, ``demo_group = "province"``). See README.md.
* Conditional requests: detail pages send a strong ETag (page hash with the rotating chrome
  blanked) and Last-Modified, and answer 304 to matching validators.
* Scale: :class:`demo_portal.large.LargePortal` serves one TRS-style site with N documents
  generated per request.

Usage::

    from guifan.demo_portal import DemoPortal, SITES, catalog
    with DemoPortal(day=1) as portal:                  # SITES only
        portal.base_url("demo-yunxi")
        portal.set_day(2)
    with DemoPortal(sites=ALL_SITES) as portal:        # plus the platform replicas
        portal.base_url("demo-jinhai")

``python -m guifan.demo_portal [--day N] [--port-base 8701]`` serves on fixed ports until Ctrl-C.
"""
from . import catalog
from . import reprint_families  # noqa: F401 -- registers issue 15's reprint families with the catalog
from .catalog import DemoDoc
from .server import DemoPortal
from .world import ALL_SITES, PLATFORM_SITES, PROVINCE_SITES, PROVINCE_UNITS, SITES

__all__ = ["DemoPortal", "SITES", "PLATFORM_SITES", "ALL_SITES", "PROVINCE_SITES", "PROVINCE_UNITS", "catalog",
           "DemoDoc"]
