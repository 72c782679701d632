"""Real pages collected from public repositories, for measuring guifan (not shipped).

Layout: ``benchmarks/corpus/<collection>/<case>.json`` is the gold we wrote (same format as
``../shared/corpus``: url, origin, title, body, meta, exclude, include, …); ``origin`` names
``repo``, ``path``, ``commit``, ``license`` and the ``sha256`` of the page's bytes. The pages
themselves are third-party bytes and are not committed: they live in the gitignored
``benchmarks/corpus/pages/<collection>/<case><ext>`` and ``python -m benchmarks.corpus restore``
copies them out of local snapshots of their repositories (``$GUIFAN_MIRROR``, default
``/work/.mirror``), checking each sha256.

Any extension goes (``.html``, ``.txt``, ``.pdf``, ``.jpg`` …: taken from ``ext`` or the origin path).
A case made of several files (a notice scanned as one image a page) lists them in
``origin.files`` — ``[{"path", "sha256"}, …]``, each optionally with its own ``commit`` — and they
are kept as ``pages/<collection>/<case>/<n><ext>`` in that order.

    python -m benchmarks.corpus status            # per collection: cases, pages present, missing
    python -m benchmarks.corpus restore [NAME…]   # rebuild the pages from the snapshots
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"


@dataclass(frozen=True)
class File:
    """One stored file of a case: where it lives here and where it came from."""
    local: Path
    repo: str
    commit: str
    path: str
    sha256: str

    def present(self) -> bool:
        return self.local.is_file() and sha256(self.local.read_bytes()) == self.sha256


@dataclass(frozen=True)
class Case:
    collection: str
    name: str
    gold: dict

    @property
    def origin(self) -> dict:
        return self.gold.get("origin") or {}

    @property
    def files(self) -> list[File]:
        """The case's files in order: one (``origin.path``) or several (``origin.files``)."""
        o = self.origin
        listed = o.get("files")
        if not listed:
            ext = self.gold.get("ext") or Path(o.get("path", ".html")).suffix or ".html"
            return [File(PAGES / self.collection / f"{self.name}{ext}", o.get("repo", ""), o.get("commit", ""),
                         o.get("path", ""), o.get("sha256", ""))]
        return [File(PAGES / self.collection / self.name / f"{n}{Path(f['path']).suffix}", o.get("repo", ""),
                     f.get("commit") or o.get("commit", ""), f["path"], f["sha256"])
                for n, f in enumerate(listed, 1)]

    @property
    def page(self) -> Path:
        """The (first) file: what single-page collections read."""
        return self.files[0].local

    def present(self) -> bool:
        return all(f.present() for f in self.files)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def collections() -> list[str]:
    return sorted(p.name for p in HERE.iterdir() if p.is_dir() and p.name not in ("pages", "__pycache__"))


def cases(collection: str) -> list[Case]:
    return [Case(collection, p.stem, json.loads(p.read_text(encoding="utf-8")))
            for p in sorted((HERE / collection).glob("*.json")) if not p.name.startswith("_")]


def mirror_git_dir(repo: str) -> Path | None:
    """The local snapshot of ``owner/name`` (a bare git directory somewhere under the mirror)."""
    root = Path(os.environ.get("GUIFAN_MIRROR", "/work/.mirror")) / repo.replace("/", "+")
    if not root.exists():
        return None
    for candidate in [root, *sorted(root.rglob("*"))]:
        if candidate.is_dir() and (candidate / "objects").is_dir() and (candidate / "HEAD").is_file():
            return candidate
    return None


def restore(case: Case) -> str:
    """Copy a case's files out of their repository's snapshot; say what happened."""
    if case.present():
        return "present"
    for f in case.files:
        if not f.present():
            why = restore_file(f)
            if why:
                return why
    return "restored"


def restore_file(f: File) -> str | None:
    """None when the file is in place, else why it could not be."""
    git = mirror_git_dir(f.repo)
    if git is None:
        return f"missing: no local snapshot of {f.repo}"
    spec = f"{f.commit}:{f.path}"
    out = subprocess.run(["git", f"--git-dir={git}", "show", spec], capture_output=True)
    if out.returncode:
        return f"missing: {spec} not in the snapshot ({out.stderr.decode(errors='replace').strip()})"
    if sha256(out.stdout) != f.sha256:
        return f"missing: sha256 of {f.path} differs from the manifest"
    f.local.parent.mkdir(parents=True, exist_ok=True)
    f.local.write_bytes(out.stdout)
    return None


def main(argv: list[str]) -> int:
    command, names = (argv[0] if argv else "status"), argv[1:]
    for name in names or collections():
        found = cases(name)
        if command == "restore":
            results = [restore(c) for c in found]
            for c, r in zip(found, results):
                if r.startswith("missing"):
                    print(f"{name}/{c.name}: {r}", file=sys.stderr)
        present = sum(c.present() for c in found)
        print(f"{name}: {len(found)} cases, {present} pages present, {len(found) - present} missing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
