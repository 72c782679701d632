"""Serve the simulated nation: a thousand or more sites from one process, one asyncio loop.

Every site listens on its own loopback address, all on one port (``selectors``/epoll under
asyncio: a thousand listening sockets and their connections cost one thread). Pages come
from the same templates as every other demo site (``DemoPortal.respond``). Slow sites wait
``latency`` seconds before answering; down sites are not bound (connection refused).

**Politeness.** The server is started with a rate ``r`` (requests per second per site):
it meters each client (its IP address) on each site with the generic cell rate algorithm
(GCRA, the leaky bucket as a meter): a request is early when it arrives more than
``tolerance`` seconds before the client's theoretical arrival time, which advances by
``1/r`` per admitted request. An early request is answered ``429 Too Many Requests`` (with
``Retry-After``) and counted as a violation of that site. A client that keeps to ``r`` on
average, with arrivals that jitter by less than the tolerance (default half an interval:
event loops lag), is never refused; one that goes faster for long is, whatever its bursts.

``GET /report`` on the control address (``http://127.0.0.1:PORT``) answers JSON: per site
the requests, violations, clients, the shortest gap between two requests of one client and
the first/last request times; ``POST /reset[?rate=R]`` clears the counters (and meters at
``R`` from then on: a benchmark runs several crawls against one server).
"""
from __future__ import annotations

import asyncio
import contextlib
import email.utils
import http
import json
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import nation
from .server import DemoPortal

CONTROL_HOST = "127.0.0.1"
HEAD_LIMIT = 64 * 1024


class Headers(dict):
    """Request headers, looked up without regard to case (as http.server's message is)."""

    def __init__(self, pairs):
        super().__init__((k.lower(), v) for k, v in pairs)

    def get(self, key, default=None):
        return super().get(key.lower(), default)

    def __contains__(self, key) -> bool:
        return super().__contains__(key.lower())

    def __getitem__(self, key):
        return super().__getitem__(key.lower())


@dataclass
class SiteMeter:
    requests: int = 0
    violations: int = 0
    first: float = 0.0
    last: float = 0.0
    min_gap: float = float("inf")
    max_gap: float = 0.0       # the longest wait between two requests of one client (starvation)
    clients: dict = field(default_factory=dict)    # client -> [theoretical arrival time, last arrival]

    def as_dict(self) -> dict:
        return {"requests": self.requests, "violations": self.violations, "clients": len(self.clients),
                "min_gap": None if self.min_gap == float("inf") else round(self.min_gap, 4),
                "max_gap": round(self.max_gap, 4),
                "first": self.first, "last": self.last}


class Politeness:
    """The per-site, per-client GCRA meter (rate 0: count only, refuse nothing)."""

    def __init__(self, rate: float, tolerance: float | None = None):
        self.rate = rate
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.tolerance = 0.5 * self.interval if tolerance is None else tolerance
        self.sites: dict[str, SiteMeter] = {}

    def admit(self, site: str, client: str, now: float) -> float:
        """0 if the request may be served, else the seconds the client should have waited."""
        m = self.sites.get(site)
        if m is None:
            m = self.sites[site] = SiteMeter(first=now)
        m.requests += 1
        m.last = now
        state = m.clients.get(client)
        if state is None:
            state = m.clients[client] = [now, None]
        tat, previous = state
        if previous is not None:
            m.min_gap = min(m.min_gap, now - previous)
            m.max_gap = max(m.max_gap, now - previous)
        state[1] = now
        if self.interval and tat - now > self.tolerance:
            m.violations += 1
            return tat - now
        state[0] = max(tat, now) + self.interval
        return 0.0

    def report(self) -> dict:
        sites = {name: m.as_dict() for name, m in sorted(self.sites.items())}
        first = min((m.first for m in self.sites.values()), default=0.0)
        last = max((m.last for m in self.sites.values()), default=0.0)
        return {"rate": self.rate, "tolerance": self.tolerance,
                "requests": sum(m.requests for m in self.sites.values()),
                "violations": sum(m.violations for m in self.sites.values()),
                "sites_with_violations": sum(1 for m in self.sites.values() if m.violations),
                "first": first, "last": last, "sites": sites}

    def reset(self, rate: float | None = None) -> None:
        """Forget every count (and meter at another rate from now on, if given)."""
        self.sites.clear()
        if rate is not None:
            tolerance_share = self.tolerance / self.interval if self.interval else 0.5
            self.rate, self.interval = rate, (1.0 / rate if rate > 0 else 0.0)
            self.tolerance = tolerance_share * self.interval


class NationPortal(DemoPortal):
    """The first ``n`` sites of the nation, served from one asyncio loop (a thread of its own
    when started with ``start()``; ``serve_forever()`` runs it in the calling thread)."""

    def __init__(self, n: int, *, port: int = 0, rate: float = 0.0, tolerance: float | None = None,
                 seed: str = "nation", day: int = 1, latency: float | None = None):
        self.nation = nation.nation_sites(n, seed)
        self.latency = latency      # every site this slow (a benchmark's latency-bound case), else each its own
        nation.register(self.nation)
        super().__init__(day=day, sites=[s.name for s in self.nation])
        self.by_host = {s.host: s for s in self.nation}
        self.port = port
        self.politeness = Politeness(rate, tolerance)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers_async: list[asyncio.AbstractServer] = []
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> "NationPortal":
        self._thread = threading.Thread(target=self._run, name="nation-portal", daemon=True)
        self._thread.start()
        self._ready.wait(120)
        if self._error is not None:
            raise self._error
        return self

    def _run(self) -> None:
        self.loop = asyncio.new_event_loop()
        try:
            self.loop.run_until_complete(self._bind_all())
        except BaseException as exc:        # handed to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self._close_all())
        self.loop.close()

    def serve_forever(self, on_ready=None) -> None:
        """Serve in this thread until SIGTERM or SIGINT (the command line)."""
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._bind_all())
        for sig in (signal.SIGTERM, signal.SIGINT):
            self.loop.add_signal_handler(sig, self.loop.stop)
        if on_ready is not None:
            on_ready()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(self._close_all())
            self.loop.close()

    async def _bind_all(self) -> None:
        """The control address first (on a free port unless one is given), then every live
        site on the same port; a port free on 127.0.0.1 but taken on a site's address makes
        it try another."""
        for attempt in range(5):
            control = await asyncio.start_server(self._control, CONTROL_HOST, self.port, limit=HEAD_LIMIT)
            self._servers_async = [control]
            port = control.sockets[0].getsockname()[1]
            try:
                for s in self.nation:
                    if not s.down:
                        self._servers_async.append(await asyncio.start_server(
                            self._serve, s.host, port, limit=HEAD_LIMIT, backlog=64))
            except OSError:
                await self._close_all()
                if self.port or attempt == 4:
                    raise
                continue
            self.port = port
            return

    async def _close_all(self) -> None:
        for server in self._servers_async:
            server.close()
        for server in self._servers_async:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        self._servers_async = []

    def stop(self) -> None:
        if self.loop is not None and self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None

    # --- public state -----------------------------------------------------------------
    def base_url(self, site: str) -> str:
        return f"http://{nation_site(self, site).host}:{self.port}"

    @property
    def control_url(self) -> str:
        return f"http://{CONTROL_HOST}:{self.port}"

    def report(self) -> dict:
        return self.politeness.report()

    def profiles(self) -> list[dict]:
        """Every site's profile, pointing at this server (the dead ones too: nothing listens there)."""
        return [nation.profile(s, self.port) for s in self.nation]

    def _record(self, site: str, method: str, path: str, status: int) -> None:
        pass    # the meter counts requests; a log of every request of a national crawl is not kept

    # --- HTTP ------------------------------------------------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        client = writer.get_extra_info("peername")[0]
        site = self.by_host[host]
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                                 ValueError):
            writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                method, target, headers, body = request
                wait = self.politeness.admit(site.name, client, time.monotonic())
                if wait:
                    status, out_headers, out = too_many(wait)
                else:
                    latency = site.latency if self.latency is None else self.latency
                    if latency:
                        await asyncio.sleep(latency)
                    status, out_headers, out = self.respond(site.name, method, target, headers, body)
                    out_headers.setdefault("Server", self.apps[site.name].server_name())
                writer.write(response_bytes(status, out_headers, out, method != "HEAD"))
                await writer.drain()
                if (headers.get("Connection") or "").lower() == "close":
                    break
        with contextlib.suppress(Exception):
            writer.close()

    async def _control(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, ValueError):
            request = await read_request(reader)
            if request is not None:
                method, target, _, _ = request
                path = urlsplit(target).path
                if path == "/report":
                    status, body = 200, json.dumps(self.report()).encode()
                elif path == "/reset" and method == "POST":
                    rate = parse_qs(urlsplit(target).query).get("rate")
                    self.politeness.reset(float(rate[0]) if rate else None)
                    status, body = 200, json.dumps({"reset": True, "rate": self.politeness.rate}).encode()
                elif path == "/sites":
                    status, body = 200, json.dumps(nation.summary(self.nation), ensure_ascii=False).encode()
                else:
                    status, body = 404, b'{"error": "GET /report, POST /reset, GET /sites"}'
                writer.write(response_bytes(status, {"Content-Type": "application/json", "Connection": "close"},
                                            body, True))
                await writer.drain()
        with contextlib.suppress(Exception):
            writer.close()


def nation_site(portal: NationPortal, name: str) -> nation.NationSite:
    for s in portal.nation:
        if s.name == name:
            return s
    raise KeyError(f"{name!r} is not a site of this nation")


async def read_request(reader: asyncio.StreamReader):
    """(method, target, headers, body) of the next request on the connection, None at its end."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = Headers((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line))
    length = headers.get("Content-Length", "0")
    body = await reader.readexactly(int(length)) if length.isdigit() and int(length) > 0 else b""
    return method, target, headers, body


def too_many(wait: float) -> tuple[int, dict[str, str], bytes]:
    body = (f"<html><head><title>429 Too Many Requests</title></head><body><h1>429 Too Many Requests</h1>"
            f"<p>one request per {wait:.2f} s more, please</p></body></html>").encode()
    return 429, {"Content-Type": "text/html", "Retry-After": str(max(1, round(wait + 0.5)))}, body


def response_bytes(status: int, headers: dict[str, str], body: bytes, send_body: bool) -> bytes:
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {status} {phrase}", f"Date: {email.utils.formatdate(usegmt=True)}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if status != 304:
        lines.append(f"Content-Length: {len(body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + body if send_body and status != 304 else head
