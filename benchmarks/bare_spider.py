"""The baseline of the crawl benchmark: a bare Scrapy spider that only fetches.

    python -m benchmarks.bare_spider BASE_URL DOCUMENTS CONCURRENCY
    python -m benchmarks.bare_spider --urls FILE CONCURRENCY

It requests the same pages guifan fetches from the large demo site (every list page and
every detail page, URLs computed from `demo_portal.large`), or every URL of FILE (one a line:
the pages a guifan crawl of the simulated nation fetched, `benchmarks/scale_bench.py`),
parses and stores nothing, and prints the number of responses received.
"""
from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from guifan.demo_portal import large


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str = "", documents: int = 0, urls: str = "", **kwargs):
        super().__init__(**kwargs)
        self.base_url, self.documents, self.urls, self.responses = base_url, documents, urls, 0

    async def start(self):
        if self.urls:
            with open(self.urls, encoding="utf-8") as f:
                for line in f:
                    yield scrapy.Request(line.strip(), callback=self.count, errback=self.count, dont_filter=True)
            return
        for n in range(large.list_page_count(self.documents)):
            yield scrapy.Request(self.base_url + large.list_path(n), callback=self.count)
        for pos in range(self.documents):
            yield scrapy.Request(self.base_url + large.detail_path(pos), callback=self.count)

    def count(self, response):
        self.responses += 1


def main(argv: list[str]) -> int:
    if argv[0] == "--urls":
        target, concurrency = {"urls": argv[1]}, int(argv[2])
    else:
        target, concurrency = {"base_url": argv[0], "documents": int(argv[1])}, int(argv[2])
    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
        "HTTPERROR_ALLOW_ALL": True, "RETRY_ENABLED": False,   # every answer counts once, as guifan's do
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, **target)
    process.start()
    print(f"{crawler.spider.responses} responses")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
