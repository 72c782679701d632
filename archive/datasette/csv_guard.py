"""Datasette's own CSV (every table and query page links one) made as safe as `guifan export`.

Datasette writes cells as they are, so a crawled title `=HYPERLINK("http://…")` is a live
formula when the file is opened in Excel or LibreOffice. :func:`wrap` sits around the
Datasette app and rewrites each of its CSV responses as it streams: a cell starting with a
formula character (:data:`guifan.archive.export.FORMULA_START`) gets a leading ``'``, exactly
as guifan's export does, except cells that are plain numbers (``-5``, ``+1.5e3``), which no
spreadsheet runs; and the file starts with a BOM so Excel reads it as UTF-8. It reads the
CSV Python's csv module writes (QUOTE_MINIMAL, ``"`` doubled), chunk by chunk, in constant
memory. guifan's own ``/-/export.csv`` is already safe and passes untouched.
"""
from __future__ import annotations

import codecs
import re

from ..export import BOM, FORMULA_START

_SIGNS = "+-"
_ALWAYS = frozenset(FORMULA_START) - frozenset(_SIGNS)     # = @ tab CR and the full-width forms
_NUMBER_CHARS = frozenset("0123456789.eE+-")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
START, QUOTED_FIRST, QUOTED, QUOTE_IN_QUOTED, UNQUOTED = range(5)


class CsvNeutraliser:
    """Feed CSV text in any chunks; get back the same CSV with formula cells neutralised."""

    def __init__(self):
        self.state = START
        self.pending: list[str] | None = None      # a cell that began with + or -: a number so far
        self.started = False

    def feed(self, text: str) -> str:
        out = [] if self.started else [BOM]
        self.started = True
        for ch in text:
            self._char(ch, out)
        return "".join(out)

    def close(self) -> str:
        out = [] if self.started else [BOM]
        self.started = True
        self._settle(out)
        return "".join(out)

    def _char(self, ch: str, out: list) -> None:
        state = self.state
        if state == START:
            if ch == '"':
                out.append(ch)
                self.state = QUOTED_FIRST
            elif ch in ",\r\n":                    # an empty cell, or the end of a row
                out.append(ch)
            else:
                self.state = UNQUOTED
                self._first(ch, out)
        elif state == QUOTED_FIRST:
            if ch == '"':
                self.state = QUOTE_IN_QUOTED
            else:
                self.state = QUOTED
                self._first(ch, out)
        elif state == QUOTED:
            if ch == '"':
                self.state = QUOTE_IN_QUOTED
            else:
                self._content(ch, out)
        elif state == QUOTE_IN_QUOTED:
            if ch == '"':                          # a doubled quote: content, and not a number
                self._settle(out, number_possible=False)
                out.append('""')
                self.state = QUOTED
            else:                                  # the closing quote, then a separator
                self._settle(out)
                out.append('"' + ch)
                self.state = START
        else:                                      # UNQUOTED
            if ch in ",\r\n":
                self._settle(out)
                out.append(ch)
                self.state = START
            else:
                self._content(ch, out)

    def _first(self, ch: str, out: list) -> None:
        if ch in _SIGNS:
            self.pending = [ch]
        elif ch in _ALWAYS:
            out.append("'" + ch)
        else:
            out.append(ch)

    def _content(self, ch: str, out: list) -> None:
        if self.pending is not None and ch in _NUMBER_CHARS:
            self.pending.append(ch)
            return
        self._settle(out, number_possible=False)
        out.append(ch)

    def _settle(self, out: list, number_possible: bool = True) -> None:
        """The cell begun with + or - is complete (or cannot be a number): write it out."""
        if self.pending is None:
            return
        text = "".join(self.pending)
        self.pending = None
        out.append(text if number_possible and _NUMBER.fullmatch(text) else "'" + text)


def is_datasette_csv(scope) -> bool:
    path = scope.get("path", "")
    if path.startswith("/-/"):
        return False                               # guifan's own export and Datasette's internals
    return path.endswith(".csv") or b"_format=csv" in scope.get("query_string", b"")


def wrap(app):
    """ASGI middleware: Datasette's CSV responses, neutralised as they stream."""
    async def guarded(scope, receive, send):
        if scope["type"] != "http" or not is_datasette_csv(scope):
            return await app(scope, receive, send)
        neutraliser: CsvNeutraliser | None = None
        decoder = codecs.getincrementaldecoder("utf-8")()   # Datasette writes UTF-8

        async def send_neutralised(message):
            nonlocal neutraliser
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if message["status"] == 200 and content_type.startswith((b"text/csv", b"text/plain")):
                    neutraliser = CsvNeutraliser()
                    message = {**message, "headers": [(k, v) for k, v in headers if k.lower() != b"content-length"]}
            elif message["type"] == "http.response.body" and neutraliser is not None:
                more = message.get("more_body", False)
                text = neutraliser.feed(decoder.decode(message.get("body", b""), final=not more))
                if not more:
                    text += neutraliser.close()
                message = {**message, "body": text.encode("utf-8")}
            await send(message)

        return await app(scope, receive, send_neutralised)
    return guarded
