"""Reprint index benchmark (docs/reprints.md).

    python -m benchmarks.reprint_bench [--docs 200000] [--families 200] [--lsh-docs 20000] [--json OUT]

1. The synthetic archive of ``--docs`` documents (built once and cached under artifacts/ by
   the same code as benchmarks.search_export_bench; copied, never changed) is indexed from
   scratch: build time, fingerprints stopped as boilerplate, pairs found among documents that
   are all made from the same templates, peak resident memory.
2. Incremental: ``--families`` reprint families are added through ``Archive.record_fetch`` —
   each an original with its own wording, an exact copy on another site, a copy in Traditional
   script, a 转发 notice around it, an adapted copy (names and numbers changed) and a document
   reusing two of its paragraphs — and the index is refreshed: cost per new document, and
   precision/recall of the families' pairs.
3. Listing one document's reprints (``reprints_of`` + ``family_of``): p50/p95/max over 500
   documents, half of them in families.
4. The named baseline: datasketch MinHash-LSH (128 permutations, Jaccard threshold 0.5, the
   same 5-character shingles) over ``--lsh-docs`` of the documents plus the families: time per
   document and recall per kind.
5. Real pages (benchmarks/corpus/reprints/, labelled by hand): precision and recall.

A benchmark, not a test: it reports.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from guifan.archive import Archive, FetchResult, doc_id_for, reprints
from guifan.archive import reprint_text as rt
from benchmarks.machine import machine_line
from benchmarks.search_export_bench import REPO_ROOT, _RssSampler, ensure_archive

SITES = ["demo-yunxi", "demo-qingshi", "demo-baihe", "demo-songlin", "demo-jinhai", "demo-fengming", "demo-lutang"]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base = Path(args.db or REPO_ROOT / "artifacts" / f"search-bench-{args.docs}.db")
    results = {"machine": machine_line(), "docs": args.docs, "base": ensure_archive(base, args.docs)}
    work = base.with_name(f"reprint-bench-{args.docs}.db")
    shutil.copy(base, work)
    conn = sqlite3.connect(work, isolation_level=None)
    results["build"] = measured(lambda: reprints.rebuild(conn))
    results["background"] = background(conn)
    truth = add_families(work, args.families, random.Random(args.seed))
    results["incremental"] = measured(lambda: reprints.refresh(conn), per=len(truth["docs"]))
    results["families"] = score(conn, truth)
    results["listing"] = listing(conn, truth, random.Random(args.seed))
    results["lsh"] = lsh_baseline(conn, truth, args.lsh_docs)
    from benchmarks.reprint_corpus import evaluate

    results["real"] = evaluate()
    conn.close()
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if not args.keep:
        work.unlink()
    return 0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=200_000, help="synthetic documents (default 200000)")
    p.add_argument("--families", type=int, default=200, help="reprint families added incrementally (default 200)")
    p.add_argument("--lsh-docs", type=int, default=20_000, help="documents the MinHash-LSH baseline indexes")
    p.add_argument("--db", help="the synthetic archive to reuse (default artifacts/search-bench-N.db)")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--keep", action="store_true", help="keep the indexed copy (artifacts/reprint-bench-N.db)")
    p.add_argument("--json", help="also write the results here")
    return p.parse_args(argv)


def measured(run, per: int | None = None) -> dict:
    sampler = _RssSampler()
    before = sampler.rss_mb()
    sampler.start()
    start = time.perf_counter()
    stats = run()
    seconds = time.perf_counter() - start
    sampler.stop()
    out = {"seconds": round(seconds, 1), "indexed": stats.indexed, "stopped": stats.stopped,
           "repaired": stats.repaired, "pairs": stats.pairs, "rss_before_mb": round(before), "rss_peak_mb": round(sampler.peak)}
    if stats.indexed:
        out["ms_per_doc"] = round(seconds * 1000 / (per or stats.indexed), 2)
    return out


def background(conn) -> dict:
    kinds = dict(conn.execute("SELECT kind, count(*) FROM reprint_pairs GROUP BY kind").fetchall())
    return {"pairs_by_kind": kinds, "stopped": conn.execute("SELECT count(*) FROM reprint_stopped").fetchone()[0],
            "postings": conn.execute("SELECT count(*) FROM reprint_postings").fetchone()[0]}


# --- families -----------------------------------------------------------------------------------

WORDS = ("推进 落实 完善 建立 健全 加强 统筹 优化 深化 规范 保障 服务 监管 考核 评估 公开 资金 项目 群众 乡镇 村组 企业 "
         "农户 学校 医院 道路 水库 林地 耕地 社区 养老 托育 就业 培训 补贴 标准 台账 清单 平台 数据 档案 安全 应急 "
         "防汛 抗旱 生态 环境 垃圾 污水 供水 供电 燃气 交通 物流 旅游 文化 体育 卫生 教育 科技 人才 产业 园区 招商").split()
PLACES = ["云溪县", "青石县", "白鹤县", "松林县", "金海县", "凤鸣县", "芦塘县"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 20))]
    mid = len(words) // 2
    return "".join(words[:mid]) + "，" + "".join(words[mid:]) + f"，每年不少于{rng.randint(2, 90)}次。"


def _family(rng: random.Random, n: int) -> dict[str, str]:
    place = rng.choice(PLACES)
    paras = [f"{place}" + _sentence(rng) + _sentence(rng) for _ in range(rng.randint(5, 9))]
    original = "\n".join(paras)
    other = rng.choice([p for p in PLACES if p != place])
    adapted = original.replace(place, other)
    for _ in range(6):
        word = rng.choice(WORDS)
        adapted = adapted.replace(word, rng.choice(WORDS), 1)
    cover = (f"各乡镇人民政府，县直各有关单位：\n现将《{place}第{n}号工作通知》转发给你们，请结合实际认真贯彻执行。\n"
             f"{other}人民政府办公室\n")
    reuse = "\n".join([_sentence(rng) + _sentence(rng) for _ in range(4)] + paras[1:3])
    import opencc

    return {"original": original, "exact": original, "traditional": opencc.OpenCC("s2t").convert(original),
            "forward": cover + original, "adapted": adapted, "partial": reuse}


KIND_OF = {"exact": "exact", "traditional": "exact", "forward": "forward", "adapted": "adapted", "partial": "partial"}


def add_families(db: Path, n: int, rng: random.Random) -> dict:
    """Record n families; the truth is (original, copy, kind) by doc_id."""
    from guifan.parsers.record import Document

    truth = {"docs": [], "pairs": []}
    with Archive(db) as archive:
        run = archive.start_run(SITES)
        for i in range(n):
            texts = _family(rng, i)
            ids = {}
            for j, (role, text) in enumerate(texts.items()):
                site = SITES[(i + j) % len(SITES)]
                url = f"http://{site}.example.invalid/family/{i}/{role}.html"
                published = f"2024-{1 + j:02d}-{1 + i % 28:02d}"
                title = ("关于转发" if role == "forward" else "") + f"第{i}号工作通知（{role}）"
                doc = Document(url=url, title=title, body=text, published_date=published)
                archive.record_fetch(run, FetchResult(site=site, kind="detail", url=url, final_url=url, status=200,
                                                      response_headers=[], body=text.encode(),
                                                      fetched_at=f"2024-06-01T00:00:{j:02d}.000Z", document=doc))
                ids[role] = doc_id_for(site, url)
            truth["docs"] += list(ids.values())
            for role, kind in KIND_OF.items():
                truth["pairs"].append((ids["original"], ids[role], kind))
        archive.finish_run(run, "completed")
    return truth


def score(conn, truth) -> dict:
    """Recall of the families' original→copy pairs (kind and direction right), and precision:
    of all pairs touching a family document, how many join two documents of one family."""
    found = {(a, b): k for a, b, k in conn.execute("SELECT doc_a, doc_b, kind FROM reprint_pairs")}
    by_kind: dict[str, list[int]] = {}
    for a, b, kind in truth["pairs"]:
        hit = found.get((a, b)) == kind
        by_kind.setdefault(kind, []).append(int(hit))
    family_of = {}
    for a, b, _ in truth["pairs"]:
        family_of[a] = family_of[b] = a
    touching = [(a, b) for a, b in found if a in family_of or b in family_of]
    right = [p for p in touching if family_of.get(p[0], 0) == family_of.get(p[1], 1)]
    return {"recall_by_kind": {k: round(sum(v) / len(v), 3) for k, v in by_kind.items()},
            "recall": round(sum(sum(v) for v in by_kind.values()) / len(truth["pairs"]), 3),
            "precision": round(len(right) / len(touching), 3) if touching else None, "pairs_touching": len(touching)}


def listing(conn, truth, rng: random.Random, n: int = 500) -> dict:
    top = conn.execute("SELECT max(rowid) FROM documents").fetchone()[0]
    docs = rng.sample(truth["docs"], min(n // 2, len(truth["docs"])))
    while len(docs) < n:
        row = conn.execute("SELECT doc_id FROM documents WHERE rowid = ?", (rng.randint(1, top),)).fetchone()
        if row:
            docs.append(row[0])
    times = []
    for doc in docs:
        start = time.perf_counter()
        reprints.reprints_of(conn, doc)
        reprints.family_of(conn, doc)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"documents": n, "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2), "max_ms": round(times[-1], 2)}


def lsh_baseline(conn, truth, n_docs: int) -> dict:
    """datasketch MinHash-LSH on the same shingles: the usual near-duplicate index."""
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        return {"skipped": "datasketch is not installed (pip install -e '.[bench]')"}
    family = set(truth["docs"])
    rows = conn.execute("SELECT doc_id FROM reprint_docs ORDER BY doc_no LIMIT ?", (n_docs,)).fetchall()
    ids = [r[0] for r in rows if r[0] not in family] + truth["docs"]
    lsh, kept = MinHashLSH(threshold=0.5, num_perm=128), {}
    start = time.perf_counter()
    for doc_id in ids:
        key = rt.key_of(reprints._text_of(conn, doc_id)).text
        m = MinHash(num_perm=128)
        m.update_batch(list({key[i:i + rt.SHINGLE].encode("utf-8") for i in range(max(1, len(key) - rt.SHINGLE + 1))}))
        lsh.insert(doc_id, m)
        if doc_id in family:
            kept[doc_id] = m
    seconds = time.perf_counter() - start
    by_kind: dict[str, list[int]] = {}
    for a, b, kind in truth["pairs"]:
        by_kind.setdefault(kind, []).append(int(b in lsh.query(kept[a])))
    return {"documents": len(ids), "ms_per_doc": round(seconds * 1000 / len(ids), 2),
            "recall_by_kind": {k: round(sum(v) / len(v), 3) for k, v in by_kind.items()}}


def report(r: dict) -> None:
    print(f"machine: {r['machine']}")
    print(f"synthetic archive: {r['docs']} documents ({r['base']})")
    b = r["build"]
    print(f"\nindex build          {b['seconds']:>8} s  {b.get('ms_per_doc')} ms/doc  RSS {b['rss_before_mb']} → "
          f"{b['rss_peak_mb']} MB peak")
    bg = r["background"]
    print(f"  boilerplate fingerprints stopped {bg['stopped']}, postings kept {bg['postings']}; "
          f"pairs among template-made documents: {bg['pairs_by_kind'] or 'none'}")
    i = r["incremental"]
    print(f"incremental          {i['seconds']:>8} s for {i['indexed']} new documents: {i.get('ms_per_doc')} ms/doc, "
          f"RSS peak {i['rss_peak_mb']} MB")
    f = r["families"]
    print(f"  families: recall {f['recall']} {f['recall_by_kind']}, precision {f['precision']} "
          f"({f['pairs_touching']} pairs touch family documents)")
    lst = r["listing"]
    print(f"list one document's reprints: p50 {lst['p50_ms']} ms, p95 {lst['p95_ms']} ms, max {lst['max_ms']} ms "
          f"({lst['documents']} documents)")
    lsh = r["lsh"]
    if "skipped" in lsh:
        print(f"MinHash-LSH baseline: {lsh['skipped']}")
    else:
        print(f"MinHash-LSH baseline (datasketch, 128 perm, threshold 0.5) over {lsh['documents']} documents: "
              f"{lsh['ms_per_doc']} ms/doc; recall {lsh['recall_by_kind']}")
    real = r["real"]
    print(f"\nreal pages: {real.get('summary')}")


if __name__ == "__main__":
    sys.exit(main())
