"""The LibreOffice side of guifan's office converter: run by `parsers.office_convert`, not imported.

It runs under a Python that has LibreOffice's `uno` module (Debian: `python3-uno`, for the
system /usr/bin/python3, which is usually not the project's venv), starts one headless
`soffice` listening on a private pipe with a private profile, and then converts file after
file over the UNO bridge: one LibreOffice start for the whole crawl instead of one per file.

Protocol, one JSON object per line: the request {"in": path, "out": path, "import": filter, "filter": filter}
on stdin, the answer {"ok": true} or {"ok": false, "error": why} on stdout. End of stdin
ends LibreOffice and the bridge. Macros never run, links are never updated, nothing is shown.

    python3 office_bridge.py SOFFICE PROFILE_DIR
"""
import json
import os
import subprocess
import sys
import time
import uuid

import uno  # noqa: F401  -- provided by LibreOffice; fails here first if missing
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

CONNECT_SECONDS = 90


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start(soffice, profile):
    pipe = "guifan-" + uuid.uuid4().hex
    argv = [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--nofirststartwizard", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
            "--accept=pipe,name=%s;urp;StarOffice.ComponentContext" % pipe]
    office = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except NoConnectException:
            if office.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("soffice did not start (exit status %s)" % office.poll())
            time.sleep(0.1)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return office, desktop


def convert(desktop, request):
    load = (prop("Hidden", True), prop("ReadOnly", True), prop("MacroExecutionMode", 0),
            prop("UpdateDocMode", 0), prop("RepairPackage", False), prop("Silent", True),
            prop("FilterName", request["import"]))
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["in"]), "_blank", 0, load)
    if doc is None:
        return {"ok": False, "error": "LibreOffice cannot open it (damaged, encrypted or not an office file)"}
    try:
        doc.storeToURL(uno.systemPathToFileUrl(request["out"]), (prop("FilterName", request["filter"]),))
    finally:
        doc.close(True)
    return {"ok": True}


def main():
    soffice, profile = sys.argv[1], sys.argv[2]
    office, desktop = start(soffice, profile)
    print(json.dumps({"ready": True, "pid": office.pid}), flush=True)
    try:
        for line in sys.stdin:
            try:
                answer = convert(desktop, json.loads(line))
            except Exception as exc:  # noqa: BLE001 - UNO raises its own kinds; the caller only needs why
                answer = {"ok": False, "error": ("%s: %s" % (type(exc).__name__, exc))[:300]}
            print(json.dumps(answer), flush=True)
    finally:
        try:
            desktop.terminate()
        except Exception:  # noqa: BLE001 - it may already be gone
            pass
        try:
            office.wait(10)
        except subprocess.TimeoutExpired:
            office.kill()
    os._exit(0)


if __name__ == "__main__":
    main()
