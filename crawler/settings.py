"""Scrapy settings for guifan: polite by default, every component wired here."""
from guifan import __version__
from guifan.crawler import limits

BOT_NAME = "guifan"
SPIDER_MODULES = ["guifan.crawler.spiders"]
NEWSPIDER_MODULE = "guifan.crawler.spiders"

# Politeness: an honest user agent, robots.txt, about one request per second per domain.
USER_AGENT = f"guifan/{__version__} (archival crawler of public government documents; research use)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# The delay counts from a domain's last answer, not from when its request was handed over, so a
# site never sees two requests closer than the delay, however busy this process is
# (crawler/extensions.py: DelayFromAnswer; measured by the nation's politeness meter).
GUIFAN_DELAY_FROM_ANSWER = True
GUIFAN_DELAY_TOLERANCE = 0.2  # of the delay: how far a request may run ahead of the site's schedule

# Sites on this machine (the demo portal) need no delay; real portals keep the above.
GUIFAN_RELAX_LOOPBACK = True
DOWNLOAD_SLOTS = {"loopback": {"delay": 0.0, "concurrency": 8, "jitter": 0.0}}

# The spider sees every response and retries itself, so each attempt is recorded.
HTTPERROR_ALLOW_ALL = True
RETRY_ENABLED = False
GUIFAN_MAX_RETRIES = 2
GUIFAN_RETRY_STATUSES = [500, 502, 503, 504, 522, 524, 408, 429]

DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE, DOWNLOAD_WARNSIZE = limits.DOWNLOAD_MAXSIZE, limits.DOWNLOAD_WARNSIZE
REDIRECT_MAX_TIMES = 10
HTTPCACHE_ENABLED = False  # a cached response must never be archived as a fresh capture

DOWNLOADER_MIDDLEWARES = {"guifan.crawler.middlewares.LoopbackFastLane": 50}
ITEM_PIPELINES = {"guifan.crawler.pipelines.ArchivePipeline": 500}
# DownloaderRoom before DelayFromAnswer: it reads a round trip from the lastseen that
# DelayFromAnswer then moves.
EXTENSIONS = {"guifan.crawler.extensions.Progress": 500, "guifan.crawler.extensions.DownloaderRoom": 505,
              "guifan.crawler.extensions.DelayFromAnswer": 510}
# Many sites in one crawler (crawler/runner.py: many_sites turns these on): only as many
# requests in the downloader as the process answers without queueing them (DownloaderRoom:
# narrowed while the median round trip is GUIFAN_ROOM_LAG seconds over each site's fastest),
# and the next request from the site with the most work left (crawler/frontier.py).
GUIFAN_ROOM_BY_LAG = False
GUIFAN_ROOM_LAG = 0.05
GUIFAN_ROOM_MIN = 32
GUIFAN_ROOM_START = 200
GUIFAN_PROGRESS_INTERVAL = 0  # seconds; the CLI turns it on

GUIFAN_DB = "guifan.db"
GUIFAN_CONDITIONAL = True      # revisit with If-None-Match / If-Modified-Since
GUIFAN_GONE_AFTER_RUNS = 3     # a document no list shows for this many runs gets a tombstone
GUIFAN_RUN_ID = None  # set by `guifan crawl`; a bare `scrapy crawl` opens its own run
GUIFAN_RESUMED = False  # set by the runner when it resumes a run: pages the run recorded are not fetched again

# Many sites in one crawl (docs/operations.md, "National scale"): from GUIFAN_MULTISITE_FROM sites
# on, the runner gives one Scrapy crawler many sites (at most GUIFAN_SITES_PER_CRAWLER each; 0:
# all) instead of one crawler per site, whose engine, scheduler, downloader and middlewares
# cost ~6 ms of the reactor per request and ~0.7 MB each. Such a crawler pops requests from
# one queue per download slot (host), the one with the fewest in the downloader first
# (DownloaderAwarePriorityQueue), and may have one request per site at once.
GUIFAN_MULTISITE_FROM = 21
GUIFAN_SITES_PER_CRAWLER = 0

# Below GUIFAN_MULTISITE_FROM one Scrapy crawler runs per site: a telnet console each would take 51 ports (6023-6073) and
# then fail, and an open console is a shell into the crawl for anyone on the machine.
TELNETCONSOLE_ENABLED = False

LOG_LEVEL = "INFO"
LOG_FORMATTER = "guifan.crawler.logformatter.QuietLogFormatter"  # per-page DEBUG lines only at DEBUG
FEED_EXPORT_ENCODING = "utf-8"

# Revisits (crawler/revisit.py): a known detail page is fetched again (conditionally) once
# BASE × 2^streak has passed since its last fetch, streak = its unchanged confirmations in a
# row, at most MAX. Seconds or "30m", "6h", "1d", "2w". BASE 0 (default): every run revisits
# every known page — what a crawl started by hand, the demo and the tests expect; schedules
# turn it on (see docs/operations.md).
GUIFAN_REVISIT_BASE = 0
GUIFAN_REVISIT_MAX = "30d"

# Anti-bot walls (crawler/antibot.py): each blocked answer doubles the domain's delay floor
# (from START up to MAX_DELAY seconds), answers that get through halve it again; after
# GIVE_UP blocks in a row the domain's remaining requests are recorded as blocked and not sent.
# GUIFAN_RENDER (`--render`) opens challenged pages once in the system Chromium (crawler/render.py).
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "guifan.crawler.antibot.AntiBotBackoff": 60}
GUIFAN_BACKOFF_START = 5.0
GUIFAN_BACKOFF_MAX_DELAY = 120.0
GUIFAN_BACKOFF_GIVE_UP = 20
GUIFAN_RENDER = False

# Throughput (crawler/offload.py, benchmarks/crawl_bench.py): detail pages are extracted in
# worker processes (-1: one per core but one; 0: inline), and a callback's few outputs go
# through the (synchronous) pipeline without Scrapy's 100 parallel tasks per response.
GUIFAN_EXTRACT_PROCESSES = -1
# Attachments (issue 13, docs/attachments.md) are read in a pool of their own, so that a long
# OCR never holds pages back: DOC/WPS/ET/RTF through one LibreOffice per worker, scans by
# Tesseract (on by default; GUIFAN_OCR = False or --no-ocr skips them, leaving `scanned_pdf`).
GUIFAN_ATTACHMENT_PROCESSES = 1
GUIFAN_OFFICE = True
GUIFAN_OCR = True
GUIFAN_OCR_LANGUAGES = "chi_sim"
GUIFAN_OCR_DPI = 200
GUIFAN_OCR_MAX_PAGES = 20
# A bad file must not stop the crawl (crawler/offload.py): one attachment's whole read stops
# after this many seconds (OCR has 600 s of its own, LibreOffice 60 s a file), and the
# attachment worker runs under this soft address-space limit (0: none).
GUIFAN_ATTACHMENT_TIMEOUT = 900
GUIFAN_ATTACHMENT_MEMORY_MB = 3072
# 65: its process_response runs just before AntiBotBackoff's (60), which takes the worker's
# wall verdict, and after redirects and decompression (580-600).
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "guifan.crawler.offload.ExtractInWorkers": 65}
CONCURRENT_ITEMS = 4
# SQLite writes in a process of their own (crawler/writer.py), committed in batches of at
# most this many fetches (those that arrive within 20 ms of each other).
ITEM_PIPELINES = {"guifan.crawler.writer.ProcessArchivePipeline": 500}
GUIFAN_WRITE_BATCH = 64
# A writer that finds the archive locked by another process waits this many seconds (with
# backoff, logging who holds the lock) before the run stops as interrupted (docs/archive.md).
GUIFAN_LOCK_WAIT = 600

# Distributed mode (crawler/distributed.py: `guifan worker`, `guifan ingest`): a worker silent
# for this many seconds is taken for dead and its leased requests go back in the queue.
GUIFAN_REDIS_HEARTBEAT = 15
# Workers share each site's politeness: its next request leaves no worker before the delay has
# passed since the last one left or was answered, whichever worker sent it (a gate in Redis).
GUIFAN_SHARED_POLITENESS = True
# robots.txt for every request, also those queued before the file arrived (crawler/robots.py).
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
                          "guifan.crawler.robots.RobotsTxtForAll": 100}
# Crawl scope (crawler/middlewares.py): nothing outside the profile's hosts is requested, not even
# its robots.txt (40: before RobotsTxtForAll); a redirect leaving them is recorded, not followed
# (610: sees each 3xx before RedirectMiddleware at 600), and followed hops are kept for the WARC.
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "guifan.crawler.middlewares.OffSiteGuard": 40,
                          "guifan.crawler.middlewares.OffSiteRedirects": 610}
# Scrapy re-reads and parses a generator callback's source for every response to warn about
# `return value` in it (its cache misses on bound methods): ~0.4 ms per page. Ours use
# `yield from` helpers that return values on purpose.
WARN_ON_GENERATOR_RETURN_VALUE = False
