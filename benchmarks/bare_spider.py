"""The baseline of the crawl benchmark: a bare Scrapy spider that only fetches.

    python -m benchmarks.bare_spider BASE_URL DOCUMENTS CONCURRENCY

It requests the same pages guifan fetches from the large demo site (every list page and
every detail page, URLs computed from `demo_portal.large`), parses and stores nothing,
and prints the number of responses received.
"""
from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from guifan.demo_portal import large


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, documents: int, **kwargs):
        super().__init__(**kwargs)
        self.base_url, self.documents, self.responses = base_url, documents, 0

    async def start(self):
        for n in range(large.list_page_count(self.documents)):
            yield scrapy.Request(self.base_url + large.list_path(n), callback=self.count)
        for pos in range(self.documents):
            yield scrapy.Request(self.base_url + large.detail_path(pos), callback=self.count)

    def count(self, response):
        self.responses += 1


def main(argv: list[str]) -> int:
    base_url, documents, concurrency = argv[0], int(argv[1]), int(argv[2])
    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": concurrency, "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, base_url=base_url, documents=documents)
    process.start()
    print(f"{crawler.spider.responses} responses")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
