"""Office binaries (DOC, WPS, ET, RTF) to OOXML through one long-lived LibreOffice.

A fresh `soffice --convert-to` costs about 2.5 s a file, nearly all of it LibreOffice
starting (benchmarks/attachment_bench.py measures both). `OfficeConverter` starts
LibreOffice once, on the first file that needs it, and converts every later file through
the same process over its UNO bridge (`office_bridge.py`, run under a Python that has
`uno`). The bridge and LibreOffice run boxed in (`parsers.sandbox`): a private profile and
scratch directory, an address-space limit, no network where the system allows it, and a
timeout per file after which the whole process group is killed and the next file starts a
new one. A file LibreOffice chokes on costs one restart, never the crawl.

The converter is an object its owner holds (an extraction worker, `guifan parse`, a
re-parse) and closes; there is no module state. Without LibreOffice, or without a Python
that can `import uno`, `missing()` says what is needed and nothing is started.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from .sandbox import Limits, kill_group, limit_self, no_network_prefix, tool_env

__all__ = ["OfficeConverter", "ConversionFailed", "TARGETS"]

BRIDGE = Path(__file__).with_name("office_bridge.py")
# What each binary kind becomes: the LibreOffice import filter that must read it (named, so
# that a damaged file fails instead of being imported as plain text), the kind it is
# converted to and the export filter that writes that.
WORD_OUT = ("docx", "MS Word 2007 XML")
CALC_OUT = ("xlsx", "Calc MS Excel 2007 XML")
TARGETS = {"doc": ("MS Word 97", *WORD_OUT), "wps": ("MS Word 97", *WORD_OUT),
           "rtf": ("Rich Text Format", *WORD_OUT), "et": ("MS Excel 97", *CALC_OUT),
           "xls": ("MS Excel 97", *CALC_OUT)}
# LibreOffice maps far more address space than it uses; below about 2.5 GiB it fails to start.
OFFICE_LIMITS = Limits(seconds=60.0, memory_mib=4096, file_mib=256, open_files=1024)
START_SECONDS = 90.0
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", "/opt/libreoffice/program/python")


class ConversionFailed(RuntimeError):
    """LibreOffice could not convert this file (damaged, encrypted, timed out …)."""


def find_soffice() -> str | None:
    """$GUIFAN_SOFFICE if set (and executable), else soffice or libreoffice on the PATH."""
    if "GUIFAN_SOFFICE" in os.environ:
        return shutil.which(os.environ["GUIFAN_SOFFICE"])
    return shutil.which("soffice") or shutil.which("libreoffice")


def find_uno_python() -> str | None:
    """A Python that can import LibreOffice's `uno` ($GUIFAN_UNO_PYTHON first)."""
    wanted = os.environ.get("GUIFAN_UNO_PYTHON")
    for python in ([wanted] if wanted else []) + list(UNO_PYTHONS):
        if not python or not os.access(python, os.X_OK):
            continue
        try:
            if subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=20).returncode == 0:
                return python
        except (OSError, subprocess.SubprocessError):
            continue
    return None


class OfficeConverter:
    """One LibreOffice, started on first use, converting files one at a time."""

    def __init__(self, limits: Limits = OFFICE_LIMITS):
        self.limits = limits
        self.proc: subprocess.Popen | None = None
        self.scratch: str | None = None
        self._buffer = b""
        self._missing: str | None = None
        self._checked = False
        self.starts = 0      # how many LibreOffice processes this converter has started
        self.converted = 0

    # -- availability -----------------------------------------------------------------
    def missing(self) -> str | None:
        """None when LibreOffice can be used, else what to install (looked up once)."""
        if not self._checked:
            self._checked = True
            self.soffice, self.python = find_soffice(), None
            if self.soffice is None:
                self._missing = "LibreOffice (soffice; Debian: libreoffice-writer-nogui libreoffice-calc-nogui)"
            else:
                self.python = find_uno_python()
                if self.python is None:
                    self._missing = "a Python with LibreOffice's uno module (Debian: python3-uno)"
        return self._missing

    # -- the process --------------------------------------------------------------------
    def _start(self) -> None:
        self.scratch = tempfile.mkdtemp(prefix="guifan-office-")
        profile = os.path.join(self.scratch, "profile")
        argv = no_network_prefix() + [self.python, str(BRIDGE), self.soffice, profile]
        self.proc = subprocess.Popen(argv, cwd=self.scratch, env=tool_env(self.scratch), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True,
                                     preexec_fn=lambda: limit_self(self.limits))
        self._buffer = b""
        self.starts += 1
        try:
            ready = self._answer(START_SECONDS)
        except ConversionFailed as exc:
            self._stop()
            raise ConversionFailed(f"LibreOffice did not start: {exc}") from None
        if not ready.get("ready"):
            self._stop()
            raise ConversionFailed("LibreOffice did not start")

    def _answer(self, seconds: float) -> dict:
        """The bridge's next line within `seconds`, or ConversionFailed (and the process is killed)."""
        deadline = time.monotonic() + seconds
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self._stop()
                raise ConversionFailed(f"LibreOffice gave no answer within {seconds:g} s (killed)")
            chunk = os.read(fd, 65536)
            if not chunk:
                code = self.proc.poll()
                self._stop()
                raise ConversionFailed(f"LibreOffice ended (exit status {code})")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def _stop(self) -> None:
        if self.proc is not None:
            kill_group(self.proc)
            for stream in (self.proc.stdin, self.proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.proc = None
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    def close(self) -> None:
        """End LibreOffice politely (end of input), then for sure."""
        if self.proc is not None:
            try:
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._stop()

    def __enter__(self) -> "OfficeConverter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- converting ---------------------------------------------------------------------
    def convert(self, body: bytes, kind: str) -> bytes:
        """The bytes of `kind` (doc, wps, et, rtf, xls) converted to DOCX or XLSX."""
        import_filter, target, export_filter = TARGETS[kind]
        if self.proc is None or self.proc.poll() is not None:
            self._stop()
            self._start()
        name = f"in-{self.converted}"
        src = os.path.join(self.scratch, f"{name}.{kind}")
        out = os.path.join(self.scratch, f"{name}.{target}")
        Path(src).write_bytes(body)
        try:
            self.proc.stdin.write(json.dumps({"in": src, "out": out, "import": import_filter,
                                                "filter": export_filter}).encode() + b"\n")
            self.proc.stdin.flush()
            answer = self._answer(self.limits.seconds)
            if not answer.get("ok"):
                raise ConversionFailed(answer.get("error") or "LibreOffice could not convert it")
            self.converted += 1
            return Path(out).read_bytes()
        except (BrokenPipeError, FileNotFoundError) as exc:
            self._stop()
            raise ConversionFailed(f"LibreOffice stopped ({type(exc).__name__})") from None
        finally:
            for path in (src, out):
                if self.scratch:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
