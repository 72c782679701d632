"""Rebuild the registry of county-level units from local copies of its public sources.

    python -m guifan.crawler.registry.build --gov website-gov.ts --policy website-policy.ts \
        --codes 2024.txt [--out crawler/registry]

Reads the official code list (yescallop/areacodes `data/<year>.txt`: "CODE NAME" lines), the
home pages (`GOV_WEBSITES` tree of anyi-econ/china-public-debt `data/website-gov.ts`) and the
policy columns (`POLICY_URL_MAP` of `data/website-policy.ts`), matches source entries to
official units by province, prefecture and name, flags doubtful URLs, and writes one JSON file
per province plus the compact official code table the validation tests check against.
Standard library only; the same inputs always give the same bytes.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .sources import FLAGS, PROVINCE_SLUGS, SOURCES, host, is_article, is_county_code, is_web_url, site_domain, unit_kind

OUT_DIR = Path(__file__).parent
CODES_TABLE = "official-codes.tsv"
UNITS_DIR = "units"
# Source nodes filed elsewhere than the official list files them: the XPCC cities are under
# a top-level 新疆生产建设兵团 node; 济源 is listed by the name of its 示范区.
PROVINCE_ALIASES = {"新疆维吾尔自治区": ("新疆生产建设兵团",)}
NAME_ALIASES = {"济源市": ("济源示范区",)}


@dataclass
class Official:
    code: str
    name: str
    province: str
    prefecture: str        # "" where the unit has no prefecture (municipal districts, 省直辖 units)

    @property
    def level(self) -> int:
        return 1 if self.code[2:] == "0000" else 2 if self.code[4:] == "00" else 3


@dataclass
class Entry:
    """One source entry: its path of names (province/prefecture/county), URL and label."""
    path: tuple[str, ...]
    url: str
    label: str = ""
    used: bool = field(default=False, compare=False)

    @property
    def key(self) -> str:
        return "/".join(self.path)


def read_codes(text: str) -> list[Official]:
    names: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        code, _, name = line.strip().partition(" ")
        if not (len(code) == 6 and code.isdigit() and name.strip()):
            raise SystemExit(f"codes file line {number}: expected 'CODE NAME', got {line!r}")
        names[code] = name.strip()
    return [Official(code, name, names.get(code[:2] + "0000", ""),
                     names.get(code[:4] + "00", "") if is_county_code(code) else "")
            for code, name in names.items()]


STRING = r'"(?:[^"\\]|\\.)*"'
TOKENS = re.compile(rf'({STRING})|//[^\n]*|/\*.*?\*/|(\w+)\s*:\s*({STRING})|([{{}}])', re.S)


def read_gov(text: str) -> list[Entry]:
    """Every node of the GOV_WEBSITES tree, as (path of names, url)."""
    start = text.index("GOV_WEBSITES")
    entries, stack, node = [], [], None
    for m in TOKENS.finditer(text, start):
        if m.group(4) == "{":
            node = {}
            stack.append(node)
        elif m.group(4) == "}":
            done = stack.pop()
            path = tuple(n["name"] for n in stack) + (done.get("name", ""),)
            entries.append(Entry(path, done.get("url", "")))
        elif m.group(2) in ("name", "url") and stack:
            stack[-1][m.group(2)] = json.loads(m.group(3))
    return entries


POLICY_LINE = re.compile(rf'^\s*({STRING})\s*:\s*({STRING})\s*,?\s*(?://\s*(.*?))?\s*$')


def read_policy(text: str) -> list[Entry]:
    """POLICY_URL_MAP's "省/市/县": "url", // label lines; a later key wins, as in JavaScript."""
    body = text[text.index("POLICY_URL_MAP"):]
    body = body[: body.index("\n};")]
    entries: dict[str, Entry] = {}
    for line in body.splitlines():
        m = POLICY_LINE.match(line)
        if m:
            key, url = json.loads(m.group(1)), json.loads(m.group(2))
            entries[key] = Entry(tuple(key.split("/")), url, m.group(3) or "")
    return list(entries.values())


def match(units: list[Official], entries: list[Entry]) -> dict[str, Entry]:
    """Official code -> the source entry for that unit (same province, same name, prefecture agreeing)."""
    by_name: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        if len(e.path) >= 2 and e.url:
            by_name.setdefault((e.path[0], e.path[-1]), []).append(e)
    found = {}
    for u in units:
        provinces = (u.province, *PROVINCE_ALIASES.get(u.province, ()))
        names = (u.name, *NAME_ALIASES.get(u.name, ()))
        candidates = [e for p in provinces for n in names for e in by_name.get((p, n), [])]
        best = pick(u, candidates)
        if best:
            best.used = True
            found[u.code] = best
    return found


def pick(u: Official, candidates: list[Entry]) -> Entry | None:
    """The candidate whose place in the tree agrees with the unit's; None when it stays ambiguous."""
    if u.prefecture:
        agreeing = [e for e in candidates if len(e.path) == 3 and e.path[1] == u.prefecture]
    else:
        agreeing = [e for e in candidates if len(e.path) == 2 or e.path[0] != u.province]
    if len(agreeing) == 1:
        return agreeing[0]
    return candidates[0] if len(candidates) == 1 and not agreeing else None


def owners(units: list[Official], homes: dict[str, Entry]) -> tuple[dict, dict]:
    """Host -> codes of the highest-level units with their home page there; the same by domain."""
    by_host: dict[str, tuple[int, set]] = {}
    by_domain: dict[str, tuple[int, set]] = {}
    for u in units:
        e = homes.get(u.code)
        if not e:
            continue
        for table, key in ((by_host, host(e.url)), (by_domain, site_domain(e.url))):
            level, codes = table.get(key, (9, set()))
            if u.level < level:
                table[key] = (u.level, {u.code})
            elif u.level == level:
                codes.add(u.code)
    return ({k: v[1] for k, v in by_host.items()}, {k: v[1] for k, v in by_domain.items()})


def on_other_unit(url: str, code: str, home: str, hosts: dict, domains: dict) -> bool:
    """Another unit's home host; or, off the unit's own domain, another unit's domain. A home page
    (home="") is judged by host alone: nanguan.changchun.gov.cn is 南关区's own site, not 长春市's."""
    owners = hosts.get(host(url), {code})
    if code not in owners or len(owners) > 1:   # two units claiming one home: at least one is wrong
        return True
    off_own_domain = bool(home) and site_domain(url) != site_domain(home)
    return off_own_domain and code not in domains.get(site_domain(url), {code})


def url_flags(url: str, code: str, home: str, hosts: dict, domains: dict, label: str = "") -> list[str]:
    flags = []
    if on_other_unit(url, code, home, hosts, domains) or label.startswith("shared from"):
        flags.append("shared_portal")
    if is_article(url):
        flags.append("single_article")
    if home and url != home and site_domain(url) != site_domain(home):
        flags.append("off_home_domain")
    return flags


def unit_record(u: Official, home: Entry | None, column: Entry | None, hosts: dict, domains: dict) -> dict:
    rec = {"code": u.code, "name": u.name, "kind": unit_kind(u.name), "prefecture": u.prefecture}
    home_url = home.url if home and is_web_url(home.url) else ""
    if home_url:
        # A home page is judged against the others only: it is the unit's own domain by definition.
        rec.update(home=home_url, home_from=f"gov:{home.key}",
                   home_flags=url_flags(home_url, u.code, "", hosts, domains))
    if column and is_web_url(column.url):
        rec.update(column=column.url, column_label=column.label, column_from=f"policy:{column.key}",
                   column_flags=url_flags(column.url, u.code, home_url, hosts, domains, column.label))
    return {k: v for k, v in rec.items() if v not in ("", [])}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(gov: Path, policy: Path, codes: Path, out: Path = OUT_DIR, commits: dict | None = None) -> dict:
    officials = read_codes(codes.read_text(encoding="utf-8"))
    county = [u for u in officials if is_county_code(u.code)]
    gov_entries, policy_entries = read_gov(gov.read_text(encoding="utf-8")), read_policy(policy.read_text(encoding="utf-8"))
    homes = match(officials, gov_entries)       # provinces and prefectures too: they own shared portals
    homes.update({u.code: e for u in officials if u.level == 1 for e in gov_entries if e.path == (u.name,)})
    columns = match(county, policy_entries)
    hosts, domains = owners(officials, homes)
    sources = {k: {**v, **({"commit": commits[k]} if commits and k in commits else {})} for k, v in SOURCES.items()}
    for key, path in (("gov", gov), ("policy", policy), ("codes", codes)):
        sources[key]["sha256"] = sha256(path)
    by_province: dict[str, list[dict]] = {}
    for u in sorted(county, key=lambda u: u.code):
        by_province.setdefault(u.code[:2], []).append(unit_record(u, homes.get(u.code), columns.get(u.code), hosts, domains))
    upper = {}
    for u in officials:
        if u.level < 3 and u.code in homes and is_web_url(homes[u.code].url):
            upper.setdefault(u.code[:2], []).append(
                {"code": u.code, "name": u.name, "home": homes[u.code].url, "home_from": f"gov:{homes[u.code].key}"})
    write_units(out / UNITS_DIR, officials, by_province, upper, sources)
    write_codes_table(out / CODES_TABLE, officials, sources["codes"])
    return report(county, homes, columns, gov_entries, policy_entries)


def write_units(folder: Path, officials: list[Official], by_province: dict, upper: dict, sources: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    names = {u.code: u.name for u in officials}
    for stale in folder.glob("*.json"):
        stale.unlink()
    for prefix, records in sorted(by_province.items()):
        head = {"province": names[prefix + "0000"], "code": prefix + "0000",
                "generated_by": "python -m guifan.crawler.registry.build; do not edit: a profile in "
                                "crawler/sites/ with the unit's admin_code overrides an entry",
                "flags": FLAGS, "sources": sources}
        lines = [json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "upper_portals": [']
        lines += [" " + json.dumps(r, ensure_ascii=False) + "," for r in sorted(upper.get(prefix, []), key=lambda r: r["code"])]
        lines[-1] = lines[-1].rstrip(",")
        lines.append(' ],\n "units": [')
        lines += [" " + json.dumps(r, ensure_ascii=False) + "," for r in records]
        lines[-1] = lines[-1][:-1]
        text = "\n".join(lines) + "\n ]\n}\n"
        json.loads(text)  # what is written must read back
        (folder / f"{prefix}-{PROVINCE_SLUGS[prefix][1]}.json").write_text(text, encoding="utf-8")


def write_codes_table(path: Path, officials: list[Official], source: dict) -> None:
    head = [f"# Official administrative division codes (GB/T 2260), {source['what']}.",
            f"# From {source['repository']}, {source['file']} at commit {source['commit']} "
            f"({source['licence']}); sha256 of that file {source['sha256']}.",
            "# code<TAB>name; written by python -m guifan.crawler.registry.build"]
    rows = [f"{u.code}\t{u.name}" for u in sorted(officials, key=lambda u: u.code)]
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")


def report(county, homes, columns, gov_entries, policy_entries) -> dict:
    unused = [e.key for e in policy_entries if not e.used and len(e.path) >= 3]
    return {"units": len(county), "with_home": sum(u.code in homes for u in county),
            "with_column": len(columns), "unmatched_county_columns": unused,
            "units_without_home": [f"{u.code} {u.province}{u.prefecture}{u.name}" for u in county if u.code not in homes]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m guifan.crawler.registry.build", description=__doc__.split("\n\n")[0])
    p.add_argument("--gov", type=Path, required=True, help="local copy of data/website-gov.ts")
    p.add_argument("--policy", type=Path, required=True, help="local copy of data/website-policy.ts")
    p.add_argument("--codes", type=Path, required=True, help="local copy of areacodes data/<year>.txt")
    p.add_argument("--out", type=Path, default=OUT_DIR, help=f"where to write (default {OUT_DIR})")
    for key in SOURCES:
        p.add_argument(f"--{key}-commit", help=f"commit the {key} copy was taken at (default {SOURCES[key]['commit'][:7]})")
    p.add_argument("-v", "--verbose", action="store_true", help="list the units left without a home page")
    args = p.parse_args(argv)
    commits = {k: getattr(args, f"{k}_commit") for k in SOURCES if getattr(args, f"{k}_commit")}
    for path in (args.gov, args.policy, args.codes):
        if not path.is_file():
            p.error(f"no such file: {path}")
    r = build(args.gov, args.policy, args.codes, args.out, commits)
    print(f"{r['units']} county-level units, {r['with_home']} with a home page, {r['with_column']} with a column; "
          f"{len(r['unmatched_county_columns'])} county column entries matched no official unit", file=sys.stderr)
    if args.verbose:
        for line in r["units_without_home"] + [f"unmatched column: {k}" for k in r["unmatched_county_columns"]]:
            print("  " + line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
