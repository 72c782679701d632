"""Running an outside tool (LibreOffice, Tesseract, pdftoppm) on untrusted bytes, boxed in.

Each tool runs as a child process in a new session with resource limits set before it
starts (address space, CPU seconds, size of files it may write, open files), in a private
working directory, with no network where the system allows it (a user + network namespace
via `unshare -rn`: only loopback, which is down), and with a wall-clock timeout after which
its whole process group is killed. A tool that runs away costs at most its limits; the
caller gets a `ToolFailed` saying which limit it hit.

Nothing here is module state: what was learnt about the machine (is `unshare` usable?) is
looked up again by each caller that wants it, which costs one short process.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
from dataclasses import dataclass

__all__ = ["Limits", "ToolFailed", "ToolMissing", "limit_self", "no_network_prefix", "run_tool", "tool_env"]

MIB = 1024 * 1024


class ToolMissing(RuntimeError):
    """The tool is not installed: the outcome is `unsupported: needs …`, not an error."""


class ToolFailed(RuntimeError):
    """The tool ran and failed (exit status, timeout, a limit): the file gets status `error`."""


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0          # wall clock, then the process group is killed
    memory_mib: int = 1024         # address space (RLIMIT_AS) of each process
    cpu_seconds: int | None = None  # RLIMIT_CPU; None: bounded by `seconds` only
    file_mib: int = 512            # largest file the tool may write (RLIMIT_FSIZE)
    open_files: int = 256


def limit_self(limits: Limits) -> None:
    """Apply `limits` to the calling process (a preexec_fn: runs in the child before exec)."""
    def cap(which, value):
        soft, hard = resource.getrlimit(which)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, hard))

    cap(resource.RLIMIT_AS, limits.memory_mib * MIB)
    cap(resource.RLIMIT_FSIZE, limits.file_mib * MIB)
    cap(resource.RLIMIT_NOFILE, limits.open_files)
    cap(resource.RLIMIT_CORE, 0)
    if limits.cpu_seconds:
        cap(resource.RLIMIT_CPU, limits.cpu_seconds)


def no_network_prefix() -> list[str]:
    """`unshare -rn` if this system lets an ordinary process make the namespaces, else []."""
    unshare = shutil.which("unshare")
    if not unshare:
        return []
    try:
        ok = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return [unshare, "-rn"] if ok else []


def tool_env(home: str) -> dict[str, str]:
    """A small environment: no proxies or credentials of the caller, a private HOME, one
    thread for Tesseract (the extraction workers already use every core)."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TESSDATA_PREFIX")}
    return {**keep, "HOME": home, "TMPDIR": home, "OMP_THREAD_LIMIT": "1", "LC_ALL": keep.get("LC_ALL", "C.UTF-8")}


def kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_tool(argv: list[str], limits: Limits, workdir: str, stdin: bytes | None = None,
             prefix: list[str] | None = None) -> bytes:
    """Run argv boxed in; its stdout, or ToolMissing / ToolFailed."""
    if shutil.which(argv[0]) is None:
        raise ToolMissing(argv[0])
    try:
        proc = subprocess.Popen((prefix or []) + argv, cwd=workdir, env=tool_env(workdir),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=lambda: limit_self(limits))
    except OSError as exc:
        raise ToolMissing(f"{argv[0]} ({exc.strerror})") from None
    try:
        out, err = proc.communicate(stdin, timeout=limits.seconds)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise ToolFailed(f"{os.path.basename(argv[0])} timed out after {limits.seconds:g} s") from None
    except BaseException:   # the caller's own deadline (crawler.helpers.ReadStopped) or an interrupt
        kill_group(proc)
        raise
    if proc.returncode != 0:
        why = err.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        if proc.returncode < 0:
            why = [f"killed by signal {-proc.returncode} (a resource limit)"]
        raise ToolFailed(f"{os.path.basename(argv[0])}: {why[0][:200]}")
    return out
