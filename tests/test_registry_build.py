"""The registry importer (python -m guifan.crawler.registry.build): on small sources written
here, and — where the local snapshots of the real sources exist — rebuilding the committed
registry byte for byte."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from guifan.crawler.registry import REGISTRY_DIR
from guifan.crawler.registry.sources import SOURCES

CODES = """340000 安徽省
340100 合肥市
340102 瑶海区
340103 庐阳区
341300 宿州市
341321 砀山县
341322 萧县
341323 灵璧县
341324 泗县
110000 北京市
110101 东城区
"""
GOV = """/** header: name: "not this" */
export interface GovWebsiteNode { name: string; url: string; children?: GovWebsiteNode[]; }
export const GOV_WEBSITES: GovWebsiteNode[] = [
  { name: "北京市", url: "https://www.beijing.gov.cn/", children: [
      { name: "东城区", url: "https://www.bjdch.gov.cn/" } ] },
  { name: "安徽省", url: "https://www.ah.gov.cn/", children: [
      { name: "合肥市", url: "https://www.hefei.gov.cn/", children: [
          { name: "瑶海区", url: "https://www.hfyaohai.gov.cn/" },  // a comment with "quotes"
          { name: "庐阳区", url: "" } ] },
      { name: "宿州市", url: "https://www.ahsz.gov.cn/", children: [
          { name: "砀山县", url: "https://www.dangshan.gov.cn/" },
          { name: "萧县", url: "http://www.ahxx.gov.cn/" },
          { name: "灵璧县", url: "https://www.lingbi.gov.cn/" },
          { name: "泗县", url: "https://www.sixian.gov.cn/" } ] } ] }
];
"""
POLICY = """export const POLICY_URL_MAP: RegionUrlMap = {
  // a comment line
  "北京市/东城区": "https://www.bjdch.gov.cn/zwgk/gfxwj/",
  "安徽省/合肥市/瑶海区": "https://www.hfyaohai.gov.cn/public/column/1?type=4", // 规范性文件 (score=80)
  "安徽省/宿州市/砀山县": "https://www.ah.gov.cn/site/tpl/4931", // shared from "安徽省"
  "安徽省/宿州市/萧县": "https://www.ahxx.gov.cn/zwgk/202401/t20240102_123.html", // 政策文件 (score=55)
  "安徽省/宿州市/灵璧县": "https://zwgk.lingbi.gov.cn/list/", // 政策文件库 (score=100)
  "安徽省/宿州市/泗县": "https://www.ahsz.gov.cn/zcwj/", // 政府文件 (score=40)
  "安徽省/宿州市/不存在县": "https://www.nowhere.gov.cn/", // 规范性文件 (score=80)
};
"""


def build(tmp_path: Path, out: Path) -> subprocess.CompletedProcess:
    for name, text in (("gov.ts", GOV), ("policy.ts", POLICY), ("codes.txt", CODES)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "guifan.crawler.registry.build", "--gov", str(tmp_path / "gov.ts"),
                           "--policy", str(tmp_path / "policy.ts"), "--codes", str(tmp_path / "codes.txt"),
                           "--out", str(out), "--gov-commit", "a" * 40],
                          capture_output=True, text=True, timeout=60)


def test_importer_on_small_sources(tmp_path):
    result = build(tmp_path, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "7 county-level units, 6 with a home page, 6 with a column; 1 county column entries matched no official unit" \
        in result.stderr
    anhui = json.loads((tmp_path / "out/units/34-anhui.json").read_text(encoding="utf-8"))
    units = {u["code"]: u for u in anhui["units"]}
    assert anhui["sources"]["gov"]["commit"] == "a" * 40                    # --gov-commit is cited
    assert anhui["sources"]["policy"]["commit"] == SOURCES["policy"]["commit"]
    assert units["340103"] == {"code": "340103", "name": "庐阳区", "kind": "市辖区", "prefecture": "合肥市"}  # no portal: listed
    assert units["340102"]["column_label"] == "规范性文件 (score=80)" and "column_flags" not in units["340102"]
    assert units["340102"]["home_from"] == "gov:安徽省/合肥市/瑶海区"
    assert units["341321"]["column_flags"] == ["shared_portal", "off_home_domain"]
    assert units["341322"]["column_flags"] == ["single_article"]
    assert "column_flags" not in units["341323"]                           # zwgk.lingbi.gov.cn: its own domain
    assert units["341324"]["column_flags"] == ["shared_portal", "off_home_domain"]   # the prefecture's portal
    assert [p["code"] for p in anhui["upper_portals"]] == ["340000", "340100", "341300"]
    beijing = json.loads((tmp_path / "out/units/11-beijing.json").read_text(encoding="utf-8"))
    assert beijing["units"][0]["column_from"] == "policy:北京市/东城区"
    table = (tmp_path / "out/official-codes.tsv").read_text(encoding="utf-8")
    assert "341321\t砀山县" in table and "yescallop/areacodes" in table


def test_importer_is_reproducible(tmp_path):
    assert build(tmp_path, tmp_path / "one").returncode == 0
    assert build(tmp_path, tmp_path / "two").returncode == 0
    for path in sorted((tmp_path / "one").rglob("*.*")):
        assert path.read_bytes() == (tmp_path / "two" / path.relative_to(tmp_path / "one")).read_bytes(), path.name


def test_importer_says_which_line_of_the_codes_is_bad(tmp_path):
    (tmp_path / "codes.txt").write_text("340000 安徽省\n34010 合肥市\n", encoding="utf-8")
    for name in ("gov.ts", "policy.ts"):
        (tmp_path / name).write_text("", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "guifan.crawler.registry.build", "--gov", str(tmp_path / "gov.ts"),
                             "--policy", str(tmp_path / "policy.ts"), "--codes", str(tmp_path / "codes.txt"),
                             "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "codes file line 2" in result.stderr


MIRRORS = Path("/work/.mirror")


def snapshot(repo: str) -> Path:
    git_dir = MIRRORS / repo.replace("/", "+") / "repo"
    if not git_dir.is_dir() or not shutil.which("git"):
        pytest.skip(f"no local snapshot of {repo} under {MIRRORS} (the raw sources are not committed)")
    return git_dir


def test_rebuild_from_the_real_sources_gives_the_committed_registry(tmp_path):
    paths = {}
    for key, src in SOURCES.items():
        git_dir = snapshot(src["repository"])
        shown = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{src['commit']}:{src['file']}"],
                               capture_output=True, timeout=60)
        if shown.returncode:
            pytest.skip(f"{src['repository']} snapshot lacks {src['commit'][:7]}:{src['file']}")
        paths[key] = tmp_path / Path(src["file"]).name
        paths[key].write_bytes(shown.stdout)
    result = subprocess.run([sys.executable, "-m", "guifan.crawler.registry.build", "--gov", str(paths["gov"]),
                             "--policy", str(paths["policy"]), "--codes", str(paths["codes"]), "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    built = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.*"))
    committed = sorted(p.relative_to(REGISTRY_DIR) for p in REGISTRY_DIR.rglob("*.*")
                       if p.suffix in (".json", ".tsv"))
    assert built == committed
    for rel in built:
        assert (tmp_path / "out" / rel).read_bytes() == (REGISTRY_DIR / rel).read_bytes(), rel
