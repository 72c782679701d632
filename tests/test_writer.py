"""The archive writer process (crawler/writer.py): what is sent is recorded, in order, with
its outcomes counted back; a fetch the archive refuses stops the crawl with that error."""
from __future__ import annotations

import sqlite3

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from guifan.archive import Archive, FetchResult
from guifan.crawler.writer import WriterProcess


def page(n: int) -> FetchResult:
    body = f"<html><head><title>关于第{n}号文件的通知</title></head><body><div class='TRS_Editor'>" \
           f"<p>第{n}号文件正文，共三段。</p><p>第二段。</p><p>第三段。</p></div></body></html>"
    return FetchResult(site="demo-yunxi", kind="list", url=f"http://127.0.0.1:8701/zwgk/index_{n}.html",
                       final_url=f"http://127.0.0.1:8701/zwgk/index_{n}.html", status=200,
                       body=body.encode("utf-8"), response_headers=[("Content-Type", "text/html; charset=utf-8")])


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "writer.db"
    with Archive(db) as archive:
        archive.upsert_site({"name": "demo-yunxi"})
        return db, archive.start_run(["demo-yunxi"])


def test_every_item_sent_is_recorded_and_counted(run):
    db, run_id = run
    stats = MemoryStatsCollector(get_crawler())
    writer = WriterProcess(str(db), run_id, batch_size=8)
    writer.stats["demo-yunxi"] = stats
    for n in range(50):
        writer.send(page(n))
    writer.close()
    assert writer.error is None and writer.process.exitcode == 0
    with sqlite3.connect(db) as conn:
        urls = [r[0] for r in conn.execute("SELECT u.url FROM fetches f JOIN urls u USING (url_id) ORDER BY f.rowid")]
        captures = conn.execute("SELECT count(*) FROM captures").fetchone()[0]
    assert urls == [page(n).url for n in range(50)]  # all of them, in the order sent
    assert captures == 50
    assert sum(v for k, v in stats.get_stats().items() if k.startswith("guifan/outcome/")) == 50


def test_a_fetch_the_archive_refuses_ends_the_crawl_with_its_error(run):
    db, run_id = run
    writer = WriterProcess(str(db), run_id, batch_size=8)
    bad = page(1)
    bad.body = "text where bytes belong"  # cannot be hashed or stored
    writer.send(bad)
    writer.send(page(2))
    writer.close()  # waits for the writer: it reports the error, then ends
    assert isinstance(writer.error, TypeError) and "encoded" in str(writer.error)
    with pytest.raises(TypeError, match="encoded"):  # what the pipeline raises at the next item
        writer.send(page(3))
    assert writer.process.exitcode is not None
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
