"""robots.txt obeyed by every request, also those that waited for the file to arrive.

Scrapy 2.19's RobotsTxtMiddleware lets requests that arrive while robots.txt is being
fetched wait on one shared Deferred through `Deferred.asFuture`, which hands the parser to
the first waiter only and None (= "no robots.txt, allow") to the others. A crawl resumed
from JOBDIR starts with many requests per site at once, so disallowed pages got fetched.
The parser is stored before the Deferred fires, so a waiter reads it from there.
"""
from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtForAll(RobotsTxtMiddleware):
    async def robot_parser(self, request):
        parser = await super().robot_parser(request)
        stored = self._parsers.get(urlparse_cached(request).netloc, parser)
        return parser if isinstance(stored, Deferred) else stored
