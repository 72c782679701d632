"""python -m guifan.demo_portal [--day N] [--sites default|platforms|all|province] [--port-base 8701]
   python -m guifan.demo_portal --write-profiles crawler/sites
   python -m guifan.demo_portal --large N [--port 8801]

Serve demo sites on fixed ports until Ctrl-C. Each site's port is ``port-base`` plus its
position in ``ALL_SITES`` (demo-yunxi 8701, demo-qingshi 8702, demo-baihe 8703 …), the
ports written in ``crawler/sites/demo-*.toml``. ``--large N`` serves the scale-test site
(one TRS-style site with N generated documents) instead. ``--sites province`` serves the
simulated province on 127.0.1.N:8790 (``--province-port``), the addresses of
``crawler/sites/sim-*.toml``; ``--write-profiles DIR`` writes those profiles from the world.
"""
from __future__ import annotations

import argparse
import sys
import threading

from pathlib import Path

from . import ALL_SITES, PLATFORM_SITES, PROVINCE_SITES, SITES, DemoPortal
from .world import MAX_DAY, PROVINCE_PORT, UNITS, province_profile

GROUPS = {"default": SITES, "platforms": PLATFORM_SITES, "all": ALL_SITES, "province": PROVINCE_SITES}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m guifan.demo_portal", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--day", type=int, default=1, choices=range(1, MAX_DAY + 1), help="simulated day (1-3)")
    ap.add_argument("--sites", choices=sorted(GROUPS), default="default",
                    help="default: the two original sites; platforms: the CMS replicas; all: both; "
                         "province: the simulated province (127.0.1.N, port --province-port)")
    ap.add_argument("--province-port", type=int, default=PROVINCE_PORT, help="port of every province host")
    ap.add_argument("--write-profiles", metavar="DIR", help="write the province units' site profiles to DIR and exit")
    ap.add_argument("--port-base", type=int, default=8701, help="port of the first site in ALL_SITES")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--large", type=int, metavar="N", help="serve the scale-test site with N documents instead")
    ap.add_argument("--port", type=int, default=8801, help="port of the --large site (0: any free port)")
    args = ap.parse_args(argv)
    if args.write_profiles:
        for unit in UNITS.values():
            (Path(args.write_profiles) / f"{unit.name}.toml").write_text(province_profile(unit), encoding="utf-8")
        print(f"{len(UNITS)} profiles written to {args.write_profiles}")
        return 0
    if args.large is not None:
        from .large import LargePortal
        # A server process on its own: hand the GIL over sooner so that many concurrent
        # connections do not queue behind one CPU-bound render (the convoy effect).
        sys.setswitchinterval(0.0005)
        portal = LargePortal(documents=args.large, port=args.port, host=args.host).start()
        print(f"{portal.site_name}\t{portal.base_url()}\t{args.large} documents, {portal.list_pages} list pages",
              flush=True)
        names = []
    else:
        names = list(GROUPS[args.sites])
        ports = {name: args.province_port if name in PROVINCE_SITES else args.port_base + ALL_SITES.index(name)
                 for name in names}
        portal = DemoPortal(day=args.day, ports=ports, host=args.host, sites=names).start()
        for name in names:
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
