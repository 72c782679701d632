"""guifan sites: list the site profiles."""
from __future__ import annotations

from crawler.profiles import all_profiles


def add(sub) -> None:
    p = sub.add_parser("sites", help="list the site profiles")
    p.set_defaults(handler=run)


def run(args) -> int:
    for profile in all_profiles().values():
        tag = " (demo)" if profile.demo else ""
        print(f"{profile.name:24} {profile.admin_code}  {profile.platform:8} {profile.name_zh}{tag}")
    return 0
