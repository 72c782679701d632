"""The registry of every county-level unit: official code, name, prefecture, province, and the
home page and policy column public sources give for it, each URL with its citation.

The data is generated (`python -m guifan.crawler.registry.build`, see docs/registry.md) into one
JSON file per province under `units/`; nothing here is read at import time, so `guifan --help`
stays fast. Hand-made profiles (crawler/sites/*.toml) win over these entries: see `catalog`.
"""
from __future__ import annotations

import importlib.resources
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .sources import PROVINCE_SLUGS

REGISTRY_DIR = Path(__file__).parent
if not (REGISTRY_DIR / "units").is_dir():  # inside a zipped egg (Scrapyd)
    REGISTRY_DIR = importlib.resources.files("guifan.crawler.registry")


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    province: str
    kind: str = ""
    prefecture: str = ""
    home: str = ""
    home_from: str = ""        # "<source>:<key>": the source is named in the province file's `sources`
    home_flags: tuple = ()
    column: str = ""
    column_label: str = ""     # what the source called the column, verbatim
    column_from: str = ""
    column_flags: tuple = ()
    file: str = field(default="", compare=False)

    @property
    def region(self) -> str:
        return self.province + self.prefecture + self.name

    @property
    def site_name(self) -> str:
        """The name `guifan sites` and `guifan crawl` use for an imported unit: ah-341321."""
        return f"{PROVINCE_SLUGS[self.code[:2]][0]}-{self.code}"

    def to_dict(self) -> dict:
        # Not dataclasses.asdict: it deep-copies, and the catalog makes 2,800 of these.
        d = {k: getattr(self, k) for k in FIELDS}
        d["home_flags"], d["column_flags"] = list(self.home_flags), list(self.column_flags)
        return d


FIELDS = [f for f in Unit.__dataclass_fields__ if f != "file"]


def unit_files() -> list:
    folder = REGISTRY_DIR / "units"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)


@lru_cache(maxsize=1)
def load_registry() -> tuple[tuple[Unit, ...], dict]:
    """All units, sorted by code, and each province file's `sources` (by file name)."""
    units, sources = [], {}
    for path in unit_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        sources[path.name] = data["sources"]
        for rec in data["units"]:
            rec = {**rec, "home_flags": tuple(rec.get("home_flags", ())),
                   "column_flags": tuple(rec.get("column_flags", ()))}
            units.append(Unit(province=data["province"], file=path.name, **rec))
    return tuple(sorted(units, key=lambda u: u.code)), sources


def load_units() -> tuple[Unit, ...]:
    return load_registry()[0]


def units_by_code() -> dict[str, Unit]:
    return {u.code: u for u in load_units()}


def citation(unit: Unit, which: str) -> dict:
    """The full citation of a unit's home or column URL: repository, file, commit and key."""
    ref = getattr(unit, f"{which}_from")
    source, _, key = ref.partition(":")
    return {**load_registry()[1][unit.file][source], "key": key}


def official_codes() -> dict[str, str]:
    """The committed official code table (code -> name), all levels."""
    text = (REGISTRY_DIR / "official-codes.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {code: name for code, name in rows}
