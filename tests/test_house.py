"""The shape of the house: one import name, layers that run downhill, one CLI convention."""
from __future__ import annotations

import ast
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest

from benchmarks.synthetic_archive import build_archive
from guifan.cli import all_parsers

from .conftest import REPO, run_guifan

# Import name -> folder (pyproject's package-dir mapping).
LAYERS = {"guifan.parsers": "parsers", "guifan.archive": "archive", "guifan.crawler": "crawler",
          "guifan.demo_portal": "demo_portal", "guifan": "guifan"}
BELOW_CLI = ("guifan.parsers", "guifan.archive", "guifan.crawler", "guifan.demo_portal")
CLI_MODULES = ("guifan.cli", "guifan.commands", "guifan.summary", "guifan.errors")


def project_modules() -> dict[str, Path]:
    found = {}
    for package, folder in LAYERS.items():
        for path in (REPO / folder).rglob("*.py"):
            parts = path.relative_to(REPO / folder).with_suffix("").parts
            name = ".".join((package, *parts)).removesuffix(".__init__")
            found.setdefault(name, path)
    return found


def imports_of(name: str, path: Path, modules: dict) -> set[str]:
    """Project modules `name` imports anywhere in its file (lazy imports in functions too)."""
    tree, out = ast.parse(path.read_text(encoding="utf-8")), set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out.update(t for t in targets if t in modules and t != name)
    return out


def test_installs_one_import_name():
    """No generic top-level names: the layers live under `guifan` only."""
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r"packages = \[(.*?)\]", text, re.S).group(1)
    assert {p.split(".")[0] for p in re.findall(r'"([\w.]+)"', packages)} == {"guifan"}
    for module in project_modules():
        assert module.split(".")[0] == "guifan"


def test_no_import_cycles_and_nothing_below_the_cli_imports_it():
    modules = project_modules()
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    for name, targets in graph.items():
        if name.startswith(BELOW_CLI):
            bad = [t for t in targets if t.startswith(CLI_MODULES)]
            assert not bad, f"{name} imports the CLI: {bad}"
    # A package imports its own modules through __init__; only cycles between distinct
    # modules that are not package/child pairs count.
    state: dict[str, int] = {}

    def visit(node, stack):
        state[node] = 1
        for nxt in graph[node]:
            if nxt.startswith(node + ".") or node.startswith(nxt + "."):
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if not state.get(nxt):
                visit(nxt, stack + [nxt])
        state[node] = 2

    for module in graph:
        if not state.get(module):
            visit(module, [module])


TABLES = r"(runs|fetches|captures|blobs|versions|documents|sites|urls|events|search_\w+|current|archive_meta)"
SQL = re.compile(r"\b(SELECT\b.+?\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+" + TABLES + r"\b",
                 re.I | re.S)


def test_no_sql_on_archive_tables_outside_the_archive():
    """The archive owns its tables: the crawler, the CLI and the demo go through its functions."""
    for name, path in project_modules().items():
        if name.startswith("guifan.archive"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                pytest.fail(f"{path.relative_to(REPO)}:{node.lineno} has SQL on archive tables: {node.value[:80]!r}")


def test_every_db_option_resolves_the_same_way(monkeypatch):
    """--db, then $GUIFAN_DB, then the command's default: for every command that takes --db."""
    from guifan.commands.common import resolve_db

    with_db = []
    for name, parser in all_parsers().items():
        for sub_name, sub in subparsers(name, parser):
            if not any("--db" in a.option_strings for a in sub._actions):
                continue
            with_db.append(sub_name)
            args = sub.parse_args(required_args(sub))
            monkeypatch.setenv("GUIFAN_DB", "/somewhere/env.db")
            resolve_db(args)
            assert args.db == "/somewhere/env.db", sub_name
            args = sub.parse_args(required_args(sub) + ["--db", "given.db"])
            resolve_db(args)
            assert args.db == "given.db", sub_name
            monkeypatch.delenv("GUIFAN_DB")
            args = sub.parse_args(required_args(sub))
            resolve_db(args)
            assert args.db.endswith(".db") and args.db != "/somewhere/env.db", sub_name
    assert {"crawl", "demo", "ingest", "schedule list", "search", "export", "show"} <= set(with_db)


def subparsers(name, parser):
    actions = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    if not actions:
        return [(name, parser)]
    return [(f"{name} {n}", p) for n, p in actions[0].choices.items()]


def required_args(parser) -> list[str]:
    values = []
    for action in parser._actions:
        if action.option_strings and action.required:
            values += [action.option_strings[0], "x"]
        elif not action.option_strings and action.nargs not in ("?", "*") and action.dest != "help":
            values += ["x"]
    for group in parser._mutually_exclusive_groups:
        if group.required:
            values.append(group._group_actions[0].option_strings[0])
    return values


def test_guifan_db_reaches_the_command(tmp_path):
    """End to end: a command run with only $GUIFAN_DB reads that archive."""
    db = build_archive(tmp_path / "env.db", 12, seed="env")
    env = {**os.environ, "GUIFAN_DB": str(db)}
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "guifan", "runs", "--format", "json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["run_id"] == 1


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("house") / "house.db", 40, seed="house")


def test_every_command_prints_json_that_parses(archive, tmp_path):
    conn = sqlite3.connect(archive)
    doc = conn.execute("SELECT doc_id FROM documents WHERE current_version = 2 LIMIT 1").fetchone()[0]
    conn.close()
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>关于印发管理办法的通知</title></head><body><h1>关于印发管理办法的通知</h1>"
                    "<p>各乡镇人民政府：现将管理办法印发给你们，请认真贯彻执行。</p></body></html>", encoding="utf-8")
    schedule = tmp_path / "s.toml"
    schedule.write_text('[[job]]\nname = "night"\ncron = "0 3 * * *"\nsites = ["demo-yunxi"]\n', encoding="utf-8")
    db = ["--db", str(archive)]
    commands = {
        "search": ["search", "管理", *db], "show": ["show", doc, *db], "history": ["history", doc, *db],
        "diff": ["diff", doc, *db], "runs": ["runs", *db], "report": ["report", "1", *db],
        "verify": ["verify", *db], "export": ["export", *db], "parse": ["parse", str(page)],
        "sites": ["sites"], "schedule list": ["schedule", "list", "--file", str(schedule)],
    }
    for name, argv in commands.items():
        result = run_guifan(*argv, "--format", "json")
        assert result.returncode == 0, f"{name}: {result.stderr}"
        value = json.loads(result.stdout)
        assert value, name
        jsonl = run_guifan(*argv, "--format", "jsonl")
        assert jsonl.returncode == 0, f"{name}: {jsonl.stderr}"
        lines = [json.loads(line) for line in jsonl.stdout.splitlines() if line.strip()]
        assert lines == (value if isinstance(value, list) else [value]), name


def test_help_lists_every_command_and_the_readme_documents_them():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = run_guifan("--help").stdout
    for name in all_parsers():
        assert re.search(rf"^\s+{name}\s", listed, re.M), f"guifan --help lacks {name}"
        assert f"guifan {name}" in readme, f"README does not mention `guifan {name}`"


def test_the_wheel_holds_one_top_level_name(tmp_path):
    """What `pip install` puts in site-packages: `guifan/` and its metadata, nothing else."""
    import subprocess
    import sys
    import zipfile

    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
                          "-q", "-w", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    [wheel] = tmp_path.glob("guifan-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"guifan"}
    for layer in ("parsers", "archive", "crawler", "demo_portal"):
        assert f"guifan/{layer}/__init__.py" in names
    assert "guifan/crawler/sites/ah-dingyuan.toml" in names            # package data came along
