"""python -m demo_portal [--day N] [--port-base 8701]: serve every demo site on fixed ports."""
from __future__ import annotations

import argparse
import threading

from . import DemoPortal, SITES
from .sites import MAX_DAY


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m demo_portal", description=__doc__)
    ap.add_argument("--day", type=int, default=1, choices=range(1, MAX_DAY + 1), help="simulated day (1-3)")
    ap.add_argument("--port-base", type=int, default=8701, help="first port; sites get consecutive ports")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args(argv)
    ports = {name: args.port_base + i for i, name in enumerate(SITES)}
    portal = DemoPortal(day=args.day, ports=ports, host=args.host).start()
    for name in SITES:
        print(f"{name}\t{portal.base_url(name)}", flush=True)
    print(f"day {args.day}; press Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
