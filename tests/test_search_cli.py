"""`guifan search` and `guifan index` as a user runs them."""
from __future__ import annotations

import csv
import io
import json

import pytest

from benchmarks.synthetic_archive import build_archive

from .conftest import run_guifan


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("cli") / "cli.db", 120, seed="cli-test")


def test_index_then_search_table(db):
    first = run_guifan("index", "--db", str(db))
    assert first.returncode == 0 and "versions searchable" in first.stdout
    again = run_guifan("index", "--db", str(db), "--check")
    assert again.returncode == 0 and again.stdout.startswith("indexed 0 new versions")
    table = run_guifan("search", "規範性文件", "--db", str(db), "-n", "3")
    assert table.returncode == 0, table.stderr
    assert "matching documents" in table.stdout and "【规范性文件】" in table.stdout


def test_search_json_and_filters(db):
    result = run_guifan("search", "管理", "--db", str(db), "--format", "json", "-n", "50",
                        "--site", "demo-qingshi", "--type", "通知,办法", "--from", "2016", "--to", "2023-06")
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)      # --format json: one array, as in every command
    assert hits
    for hit in hits:
        assert hit["site"] == "demo-qingshi" and hit["doc_type"] in ("通知", "办法")
        assert "2016-01-01" <= hit["published_date"] <= "2023-06-31"
        assert hit["version"] == hit["current_version"]


def test_search_csv_is_excel_safe(db):
    result = run_guifan("search", "资金", "--db", str(db), "--format", "csv")
    assert result.returncode == 0 and result.stdout.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows and all("【資金】" in r["snippet"] or "【资金】" in r["snippet"] for r in rows)


@pytest.mark.parametrize("args, phrase", [
    (('"教育',), "unbalanced double quote"),
    (("OR",), "OR needs a term"),
    (("。",), "nothing to search for"),
    (("教育", "--validity", "maybe"), "unknown validity"),
    (("教育", "--from", "2024-02-30"), "dates are YYYY"),
])
def test_bad_input_is_one_line_error(db, args, phrase):
    result = run_guifan("search", *args, "--db", str(db))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("guifan: error:") and phrase in result.stderr


def test_missing_archive(tmp_path):
    result = run_guifan("search", "教育", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 1 and "no archive at" in result.stderr
