"""The project's own gold corpora (benchmarks/corpus/) and how the extraction benchmark reads them.

The gold files are committed, so their integrity is checked always; the pages are restored
from local snapshots (`python -m benchmarks.corpus restore`) and the checks that need them skip,
with the reason, when they are absent. The loader tests build a small collection in tmp_path.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from benchmarks import corpus as project_corpus
from benchmarks import extraction_eval, scoring

KINDS = {"detail", "short", "table", "image", "attachment_only"}
META_KEYS = {"index_no", "doc_number", "issuer", "written_date", "published_date", "validity", "topic",
             "effective_date", "expiry_date"}
RESERVED = {  # ../shared/corpus origins, kept for independent evaluation (BRIEF.md)
    "fishersosoo/NS_policy_recommendation", "revercgy-hub/MYHOT", "LoveSunday7/government_policy_crawler",
    "immortal-autumn/Chinese-Web-Content-Extraction-Dataset", "GeneralNewsExtractor/GeneralNewsExtractor",
    "opendatalab/magic-html", "SimonXinw/job", "Hbjiance/http-www.ccgp-hebei.gov.cn-", "Yuhamixli/nfra.gov.cn",
    "changwu/pingtan-gov-zwgk-archive", "ljz060707-lang/China-Real-Estate-Policy-Database",
    "magictomagic/policy_crawler_v1", "jas0no7/local_spider_jason",
}
GOV = project_corpus.cases("gov")


def squash(text: str) -> str:
    return scoring.squash(text)


def check_origin(origin: dict) -> None:
    """Where the page came from, in full, and not from a repository kept for evaluation."""
    assert origin["repo"] not in RESERVED
    assert re.fullmatch(r"[0-9a-f]{40}", origin["commit"]) and re.fullmatch(r"[0-9a-f]{64}", origin["sha256"])
    assert origin["path"] and origin["license"]


def check_date_and_snippets(g: dict) -> None:
    """An ISO date or none; 6-12 exclude snippets, none in the gold body; 2-4 include phrases, all in it."""
    assert g["published_date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", g["published_date"])
    assert 6 <= len(g["exclude"]) <= 12 and 2 <= len(g["include"]) <= 4
    body = squash(g["body"])
    assert not [s for s in g["exclude"] if squash(s) in body], "an exclude snippet is in the gold body"
    assert not [s for s in g["include"] if squash(s) not in body], "an include phrase is not in the gold body"


def visible_text(page) -> str:
    """The page's text as a reader sees it (scripts and styles dropped), squashed."""
    text, _ = extraction_eval.generic_decode(page.read_bytes())
    root = lxml.html.document_fromstring(text)
    for el in root.iter("script", "style"):
        el.drop_tree()
    return squash(root.text_content())


@pytest.mark.parametrize("case", GOV, ids=[c.name for c in GOV])
def test_gov_gold_is_complete_and_consistent(case):
    g, origin = case.gold, case.origin
    check_origin(origin)
    assert g["title"] and g["body"] and g["kind"] in KINDS
    assert set(g["meta"]) <= META_KEYS
    check_date_and_snippets(g)
    assert all(" | " not in s for s in g["include"]), "include phrases must not depend on the cell separator"
    assert all(a["name"] and a["url"] for a in g["attachments"])


@pytest.mark.parametrize("case", GOV, ids=[c.name for c in GOV])
def test_gov_snippets_are_on_the_page(case):
    if not case.present():
        pytest.skip(f"{case.page} absent: run `python -m benchmarks.corpus restore gov`")
    page = visible_text(case.page)
    missing = [s for s in case.gold["exclude"] + case.gold["include"] if squash(s) not in page]
    assert not missing


ARTICLES = project_corpus.cases("articles")
ARTICLE_KINDS = {"article_with_comments", "article_with_related"}


@pytest.mark.parametrize("case", ARTICLES, ids=[c.name for c in ARTICLES])
def test_article_gold_is_complete_and_consistent(case):
    g, origin = case.gold, case.origin
    check_origin(origin)
    assert g["title"] and g["body"] and g["kind"] in ARTICLE_KINDS and g["notes"]
    assert g["site_domain"] or "site_domain null" in g["notes"], "a page without site_domain says why"
    assert all(line.strip() for line in g["body"].split("\n")), "an empty body line"
    check_date_and_snippets(g)


@pytest.mark.parametrize("case", ARTICLES, ids=[c.name for c in ARTICLES])
def test_article_title_snippets_and_every_body_line_are_on_the_page(case):
    if not case.present():
        pytest.skip(f"{case.page} absent: run `python -m benchmarks.corpus restore articles`")
    page = visible_text(case.page)
    g = case.gold
    assert squash(g["title"]) in page
    assert not [s for s in g["exclude"] + g["include"] if squash(s) not in page]
    assert not [line for line in g["body"].split("\n") if squash(line) not in page], "a body line is not on the page"


def make_collection(root, name, pages):
    """pages: {case: bytes or None}; None = gold without a page."""
    (root / name).mkdir(parents=True)
    (root / "pages" / name).mkdir(parents=True)
    for case, raw in pages.items():
        digest = hashlib.sha256(raw or b"gone").hexdigest()
        gold = {"url": None, "origin": {"repo": "o/r", "path": f"{case}.html", "commit": "0" * 40,
                                        "license": "none found", "sha256": digest},
                "title": "t", "body": "正文第一段", "kind": "short", "exclude": ["网站地图"], "include": []}
        (root / name / f"{case}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        if raw is not None:
            (root / "pages" / name / f"{case}.html").write_bytes(raw)


def test_load_collection_reports_missing_and_altered_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(project_corpus, "HERE", tmp_path)
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "pages")
    make_collection(tmp_path, "demo", {"a": "<p>正文第一段</p>".encode(), "b": None, "c": b"<p>x</p>"})
    (tmp_path / "pages" / "demo" / "c.html").write_bytes(b"<p>altered</p>")  # no longer matches its sha256

    loaded = extraction_eval.load_collection("demo")

    assert [p.name for p in loaded.pages] == ["a"]
    assert loaded.missing == ["b: no page file", "c: sha256 differs from the gold's origin"]


def test_load_collection_leaves_text_only_cases_out(tmp_path, monkeypatch):
    monkeypatch.setattr(project_corpus, "HERE", tmp_path)
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "pages")
    make_collection(tmp_path, "texts", {"a": "正文第一段".encode()})
    gold_path = tmp_path / "texts" / "a.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    gold["origin"]["path"] = "a.txt"   # the page is plain text: nothing for an HTML extractor
    gold_path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")

    loaded = extraction_eval.load_collection("texts")

    assert (loaded.pages, loaded.missing, loaded.not_html) == ([], [], 1)


def test_a_collection_whose_bodies_are_gold_for_another_task_says_why(tmp_path, monkeypatch):
    monkeypatch.setattr(project_corpus, "HERE", tmp_path)
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "pages")
    make_collection(tmp_path, "clauses", {"a": "<p>正文第一段</p>".encode()})
    assert extraction_eval.load_collection("clauses").not_extraction_gold == ""
    (tmp_path / "clauses" / "_collection.json").write_text(
        json.dumps({"extraction_gold": False, "why": "bodies stop at the 附件 line"}), encoding="utf-8")

    loaded = extraction_eval.load_collection("clauses")

    assert loaded.not_extraction_gold == "bodies stop at the 附件 line"
    assert [c.name for c in project_corpus.cases("clauses")] == ["a"]   # the marker is not a case


def test_by_kind_groups_macro_scores_and_leaks():
    pages = [extraction_eval.Page(n, b"", {"kind": k}) for n, k in (("a", "short"), ("b", "short"), ("c", "table"))]
    per_page = [{"page": "a", "precision": 1.0, "recall": 1.0, "f1": 1.0, "leaked": []},
                {"page": "b", "precision": 0.5, "recall": 1.0, "f1": 0.6, "leaked": ["网站地图"]},
                {"page": "c", "precision": 0.0, "recall": 0.0, "f1": 0.0, "leaked": []}]

    table = extraction_eval.by_kind([{"extractor": "x", "per_page": per_page}], pages)

    assert table["short"]["x"] == {"n": 2, "precision": 0.75, "recall": 1.0, "f1": 0.8, "leaking_pages": 1}
    assert table["table"]["x"]["n"] == 1 and table["table"]["x"]["f1"] == 0.0


# ------------------------------------------------------------------ scans: real scanned 公文 for OCR
SCANS = project_corpus.cases("scans")


@pytest.mark.parametrize("case", SCANS, ids=[c.name for c in SCANS])
def test_scan_gold_is_complete_and_cites_both_origins(case):
    g, origin = case.gold, case.origin
    assert origin["repo"] not in RESERVED and origin["license"]
    assert all(re.fullmatch(r"[0-9a-f]{40}", f.commit) and re.fullmatch(r"[0-9a-f]{64}", f.sha256) and f.path
               for f in case.files)
    assert {f.local.suffix.lower() for f in case.files} <= {".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}
    text = g["text_origin"]
    assert text["kind"] in {"ground_truth_file", "born_digital", "transcribed"} and text["where"]
    assert g["gold_text"].strip() and isinstance(g["pages"], int) and g["pages"] >= 1
    assert g["notes"]


def git_repo_with(root, files: dict[str, bytes]) -> str:
    """A real git repository under root holding files, committed; returns the commit."""
    import subprocess

    root.mkdir(parents=True)
    run = lambda *a: subprocess.run(["git", *a], cwd=root, check=True, capture_output=True, text=True).stdout
    run("init", "-q")
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    run("add", ".")
    run("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "scans")
    return run("rev-parse", "HEAD").strip()


def test_restore_brings_every_file_of_a_multi_page_scan_and_refuses_altered_bytes(tmp_path, monkeypatch):
    pages = {"notice/p1.jpg": b"\xff\xd8page one", "notice/p2.jpg": b"\xff\xd8page two"}
    commit = git_repo_with(tmp_path / "mirror" / "o+r", pages)
    monkeypatch.setenv("GUIFAN_MIRROR", str(tmp_path / "mirror"))
    monkeypatch.setattr(project_corpus, "HERE", tmp_path / "corpus")
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "corpus" / "pages")
    (tmp_path / "corpus" / "scans").mkdir(parents=True)

    def write_case(name, digests):
        files = [{"path": p, "sha256": d} for p, d in zip(pages, digests)]
        gold = {"origin": {"repo": "o/r", "commit": commit, "license": "MIT", "files": files},
                "gold_text": "通知", "pages": 2}
        (tmp_path / "corpus" / "scans" / f"{name}.json").write_text(json.dumps(gold), encoding="utf-8")

    write_case("good", [hashlib.sha256(b).hexdigest() for b in pages.values()])
    write_case("bad", [hashlib.sha256(b"\xff\xd8page one").hexdigest(), "0" * 64])
    good, bad = sorted(project_corpus.cases("scans"), key=lambda c: c.name != "good")

    assert project_corpus.restore(good) == "restored"
    assert [f.local.read_bytes() for f in good.files] == list(pages.values())
    assert [f.local.relative_to(tmp_path / "corpus" / "pages") for f in good.files] == [
        Path("scans/good/1.jpg"), Path("scans/good/2.jpg")]
    assert good.present() and project_corpus.restore(good) == "present"
    assert project_corpus.restore(bad) == "missing: sha256 of notice/p2.jpg differs from the manifest"
    assert not bad.present()


def test_attachment_bench_names_the_scans_it_cannot_read(tmp_path, monkeypatch):
    from benchmarks import attachment_bench

    monkeypatch.setattr(project_corpus, "HERE", tmp_path)
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "pages")
    (tmp_path / "scans").mkdir()
    (tmp_path / "pages" / "scans").mkdir(parents=True)
    for name, data in (("here", b"%PDF-1.4 scan"), ("gone", None)):
        gold = {"origin": {"repo": "o/r", "path": f"d/{name}.pdf", "commit": "0" * 40, "license": "MIT",
                           "sha256": hashlib.sha256(data or b"x").hexdigest()}, "gold_text": "正文", "pages": 1}
        (tmp_path / "scans" / f"{name}.json").write_text(json.dumps(gold), encoding="utf-8")
        if data:
            (tmp_path / "pages" / "scans" / f"{name}.pdf").write_bytes(data)

    cases, missing = attachment_bench.real_scans()

    assert [(c[0], c[1], c[2], c[3]) for c in cases] == [("here", [("here.pdf", b"%PDF-1.4 scan")], "正文", 1)]
    assert missing == ["gone: d/gone.pdf not restored"]


# ---------------------------------------- rasterised: real born-digital 公文 PDFs, rasterised (NOT scans)
RASTERISED = project_corpus.cases("rasterised")


@pytest.mark.parametrize("case", RASTERISED, ids=[c.name for c in RASTERISED])
def test_rasterised_gold_is_per_page_and_says_it_is_not_a_scan(case):
    g, origin = case.gold, case.origin
    assert origin["repo"] not in RESERVED and origin["license"]
    assert re.fullmatch(r"[0-9a-f]{40}", origin["commit"]) and re.fullmatch(r"[0-9a-f]{64}", origin["sha256"])
    assert origin["path"].lower().endswith(".pdf") and g["text_origin"]["kind"] == "born_digital"
    assert len(g["gold_pages"]) == len(g["raster_pages"]) == g["pages"] and all(t.strip() for t in g["gold_pages"])
    assert "NOT a scan" in g["notes"]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs pdftoppm (Debian: poppler-utils)")
def test_attachment_bench_rasterises_the_same_pages_every_run_and_names_the_missing(tmp_path, monkeypatch):
    from PIL import Image

    from benchmarks import attachment_bench
    from guifan.demo_portal import attachment_site as demo

    pdf = next(demo.attachment_bytes(d.path) for d in demo.documents() if d.kind == "pdf")
    monkeypatch.setattr(project_corpus, "HERE", tmp_path)
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "pages")
    (tmp_path / "rasterised").mkdir()
    (tmp_path / "pages" / "rasterised").mkdir(parents=True)
    for name, data in (("here", pdf), ("gone", None)):
        gold = {"origin": {"repo": "o/r", "path": f"d/{name}.pdf", "commit": "0" * 40, "license": "MIT",
                           "sha256": hashlib.sha256(data or b"x").hexdigest()},
                "raster_pages": [1], "gold_pages": ["正文"], "pages": 1}
        (tmp_path / "rasterised" / f"{name}.json").write_text(json.dumps(gold), encoding="utf-8")
        if data:
            (tmp_path / "pages" / "rasterised" / f"{name}.pdf").write_bytes(data)

    first, missing = attachment_bench.rasterised_pages(dpi=100)
    again, _ = attachment_bench.rasterised_pages(dpi=100)
    clean, _ = attachment_bench.rasterised_pages(dpi=100, simulate=False)

    assert missing == ["gone: d/gone.pdf not restored"]
    [(name, [(file_name, png)], gold, pages)] = first
    assert (name, file_name, gold, pages) == ("here", "here-p1.png", "正文", 1)
    assert again == first and clean[0][1][0][1] != png       # deterministic, and the simulation changes pixels
    image = Image.open(io.BytesIO(png))
    assert image.mode == "L" and round(image.info["dpi"][0]) == 100 and image.size[0] == pytest.approx(827, abs=2)


VALIDITY = project_corpus.cases("validity")
VALIDITY_NAMES = {c.name for c in VALIDITY}
ACTIONS = {"repeal", "invalidate", "amend", "extend", "continue"}
CITATION_TYPES = {"basis", "forward", "reference", "repeal", "other"}


@pytest.mark.parametrize("case", VALIDITY, ids=[c.name for c in VALIDITY])
def test_validity_gold_is_complete_and_consistent(case):
    g, origin = case.gold, case.origin
    assert origin["repo"] not in RESERVED
    assert re.fullmatch(r"[0-9a-f]{40}", origin["commit"]) and re.fullmatch(r"[0-9a-f]{64}", origin["sha256"])
    assert g["title"] and g["body"] and set(g["meta"]) <= META_KEYS
    clauses = g["clauses"]
    for field in ("effective_date", "expiry_date"):
        assert clauses[field] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", clauses[field])
    assert all(s in g["body"] for s in clauses["sentences"]), "a clause sentence is not in the body"
    assert all(c["text"] in g["body"] and c["type"] in CITATION_TYPES for c in g["citations"])
    for t in (g["decision"] or {}).get("targets", []):
        assert t["action"] in ACTIONS and (t["title"] or t["doc_number"])
        # every target says which corpus case is the document it names (null: not in the corpus)
        assert "case" in t and (t["case"] is None or (t["case"] in VALIDITY_NAMES and t["case"] != case.name))


def _text_case(root, name, title, body, doc_number, decision=None):
    raw = body.encode("utf-8")
    gold = {"url": None, "origin": {"repo": "o/r", "path": f"{name}.txt", "commit": "0" * 40, "license": "none found",
                                    "sha256": hashlib.sha256(raw).hexdigest()},
            "title": title, "body": body, "meta": {"doc_number": doc_number, "issuer": "中国人民银行",
                                                   "written_date": "2020-01-02", "published_date": None},
            "clauses": {"effective_date": None, "expiry_date": None, "trial": False, "sentences": []},
            "decision": decision, "citations": [], "notes": ""}
    (root / "vt" / f"{name}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (root / "pages" / "vt" / f"{name}.txt").write_bytes(raw)


def test_target_links_are_scored_against_the_case_labels(tmp_path, monkeypatch):
    """The benchmark's link check puts the pages into a real archive and compares each resolved
    target with the gold's `case` label: a link to the labelled case is right, a link for a
    null-labelled target (a near miss of the same title is archived) is wrong."""
    from benchmarks import validity_bench

    monkeypatch.setattr(project_corpus, "HERE", tmp_path)
    monkeypatch.setattr(project_corpus, "PAGES", tmp_path / "pages")
    (tmp_path / "vt").mkdir()
    (tmp_path / "pages" / "vt").mkdir(parents=True)
    body = ("中国人民银行决定废止以下规范性文件：\n一、《储蓄存款管理办法》（银发〔2001〕11号文印发）\n"
            "二、《单位存款管理规定》（银发〔2001〕12号）\n本决定自发布之日起施行。")
    targets = [{"title": "储蓄存款管理办法", "doc_number": "银发〔2001〕11号", "issuer": None, "action": "repeal",
                "case": "a"},
               {"title": "单位存款管理规定", "doc_number": "银发〔2001〕12号", "issuer": None, "action": "repeal",
                "case": None}]
    _text_case(tmp_path, "d", "中国人民银行关于废止部分规范性文件的决定", body, "银发〔2020〕1号", {"targets": targets})
    _text_case(tmp_path, "a", "储蓄存款管理办法", "第一条 为规范储蓄存款，制定本办法。", "银发〔2001〕11号")
    _text_case(tmp_path, "b2019", "单位存款管理规定", "第一条 为规范单位存款，制定本规定。", "银发〔2019〕5号")
    links = validity_bench.run("vt", from_gold=False)["links"]
    assert (links["links_made"], links["links_right"], links["wrong_links"], links["expected_links"]) == (1, 1, 0, 1)

    # the gold says the second target's document is not in the corpus (null); when the
    # decision names the near miss's 文号 the archive links it, and that link is wrong
    targets[1]["doc_number"] = "银发〔2019〕5号"
    _text_case(tmp_path, "d", "中国人民银行关于废止部分规范性文件的决定",
               body.replace("银发〔2001〕12号", "银发〔2019〕5号"), "银发〔2020〕1号", {"targets": targets})
    links = validity_bench.run("vt", from_gold=False)["links"]
    assert (links["links_made"], links["wrong_links"], links["wrong_by_kind"]) == (2, 1, {"for_null_target": 1})
    assert links["precision"] == 0.5 and links["wrong_share"] == 0.5
