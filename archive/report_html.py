"""The HTML run report: one self-contained page (inline CSS and SVG, no script, no CDN).

It can be opened from disk, mailed or archived with the data it describes.
"""
from __future__ import annotations

from html import escape
from string import Template

from . import report as rp
from .store import Archive

PAGE = Template("""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>guifan run report — run $run_id</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .6em;border-bottom:1px solid #eee;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.bad{color:#b00}.ok{color:#070}
.bar{display:inline-block;height:.8em;background:#4a7;vertical-align:middle}
.barbg{display:inline-block;width:8em;background:#eee;margin-right:.4em}
svg text{font-size:11px;fill:#333}.legend span{display:inline-block;width:.8em;height:.8em;margin:0 .3em 0 1em}
.meta{color:#666}
</style></head><body>
<h1>guifan run report — run $run_id <span class="$status_class">$status</span></h1>
<p class="meta">archive <code>$db</code> · sites $sites · started $started · finished $finished · $duration</p>
$reason
<h2>Per site</h2>
$site_table
<h2>Sites as seen (platform, 网站标识码, columns chosen)</h2>
$seen
<h2>Errors by reason</h2>
$errors
<h2>Missing documents (listed, not archived)</h2>
$missing
<h2>Documents per year (current documents of these sites)</h2>
$per_year
<h2>Documents per issuer (top 15)</h2>
$per_issuer
<h2>Changes over runs</h2>
$changes
<h2>Recent runs</h2>
$runs
</body></html>
""")

COLORS = {"new": "#4a7", "changed": "#e90", "gone": "#c33", "reappeared": "#48c"}
SITE_COLUMNS = ("listed", "archived", "fetched", "new", "changed", "unchanged", "gone", "failed", "blocked")


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "not finished"
    minutes, sec = divmod(int(round(s)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m {sec:02d}s" if hours else f"{minutes}m {sec:02d}s"


def completeness_cell(listed: int, archived: int) -> str:
    if not listed:
        return "<td>–</td>"
    ratio = archived / listed
    return (f'<td><span class="barbg"><span class="bar" style="width:{ratio * 100:.1f}%"></span></span>'
            f"{ratio:.1%}</td>")


def site_table(report: dict) -> str:
    head = "".join(f"<th>{c}</th>" for c in SITE_COLUMNS)
    rows = []
    for site, s in report["per_site"].items():
        cells = "".join(f"<td>{s[c]}</td>" for c in SITE_COLUMNS)
        rows.append(f'<tr><td class="l">{escape(site)}</td>{cells}{completeness_cell(s["listed"], s["archived"])}</tr>')
    total = report["completeness"]
    rows.append('<tr><th class="l">all</th>' + "".join(
        f"<th>{sum(s[c] for s in report['per_site'].values())}</th>" for c in SITE_COLUMNS)
        + completeness_cell(total["listed"], total["archived"]) + "</tr>")
    return f'<table><tr><th class="l">site</th>{head}<th>completeness</th></tr>{"".join(rows)}</table>'


def seen_table(report: dict) -> str:
    """Per site: the platform used (sniffed under auto, with its mark), the portal's code, the
    columns chosen on home/landing pages and why, documents left to another site."""
    rows = []
    for site, s in report["per_site"].items():
        seen = s["seen"]
        if s["status"] == "failed":
            platform, code, columns = f'<span class="bad">failed: {escape(s["failure"] or "")}</span>', "", ""
        else:
            platform = escape(seen["platform"] or "(not seen)") + (
                f' <span class="meta">sniffed: {escape(seen["platform_evidence"] or "")}</span>'
                if seen["platform_configured"] == "auto" else "")
            code = escape(seen["site_id_code"] or "") + (
                f' <span class="bad">≠ {escape(seen["admin_code"] or "")}</span>' if seen["code_mismatch"] else "")
            columns = "<br>".join(
                escape(", ".join(c["name"] for c in ch["columns"]) or "none") + f' <span class="meta">({escape(ch["reason"])})</span>'
                for ch in seen["columns"])
            columns += "".join(f"<br>shared: {n} under {escape(o)}" for o, n in seen["shared"].items())
        rows.append(f'<tr><td class="l">{escape(site)}</td><td class="l">{platform}</td><td class="l">{code}</td>'
                    f'<td class="l">{columns}</td></tr>')
    return ('<table><tr><th class="l">site</th><th class="l">platform</th><th class="l">网站标识码</th>'
            f'<th class="l">columns chosen</th></tr>{"".join(rows)}</table>')


def errors_table(report: dict) -> str:
    rows = [f'<tr><td class="l">{escape(site)}</td><td class="l">{escape(reason)}</td><td>{n}</td></tr>'
            for site, s in report["per_site"].items() for reason, n in s["errors"].items()]
    if not rows:
        return "<p>none</p>"
    return f'<table><tr><th class="l">site</th><th class="l">outcome: reason</th><th>attempts</th></tr>{"".join(rows)}</table>'


def missing_table(report: dict) -> str:
    rows = [f'<tr><td class="l">{escape(site)}</td><td class="l">{escape(m["url"])}</td>'
            f'<td>{m.get("status") or ""}</td><td class="l">{escape(str(m["outcome"]))}: {escape(str(m["reason"]))}</td></tr>'
            for site, s in report["per_site"].items() for m in s["missing"]]
    if not rows:
        return "<p>none: every listed document is archived</p>"
    return ('<table><tr><th class="l">site</th><th class="l">URL</th><th>status</th><th class="l">last attempt</th>'
            f'</tr>{"".join(rows)}</table>')


def vertical_bars(data: list[tuple[str, int]], height: int = 160) -> str:
    if not data:
        return "<p>no documents</p>"
    top, step = max(n for _, n in data) or 1, 34
    width = step * len(data) + 20
    bars = []
    for i, (label, n) in enumerate(data):
        h = n / top * (height - 30)
        x, y = 10 + i * step, height - 15 - h
        bars.append(f'<rect x="{x}" y="{y:.1f}" width="{step - 6}" height="{h:.1f}" fill="#4a7">'
                    f"<title>{escape(label)}: {n}</title></rect>"
                    f'<text x="{x + (step - 6) / 2}" y="{y - 2:.1f}" text-anchor="middle">{n}</text>'
                    f'<text x="{x + (step - 6) / 2}" y="{height - 2}" text-anchor="middle">{escape(label)}</text>')
    return f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'


def horizontal_bars(data: list[tuple[str, int]], width: int = 640) -> str:
    if not data:
        return "<p>no documents</p>"
    top, row, label_w = max(n for _, n in data) or 1, 20, 240
    height = row * len(data) + 4
    bars = []
    for i, (label, n) in enumerate(data):
        w = n / top * (width - label_w - 50)
        y = 2 + i * row
        bars.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
                    f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row - 6}" fill="#48c">'
                    f"<title>{escape(label)}: {n}</title></rect>"
                    f'<text x="{label_w + w + 4:.1f}" y="{y + 13}">{n}</text>')
    return f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'


def stacked_runs(changes: list[dict], height: int = 180) -> str:
    if not changes:
        return "<p>no runs</p>"
    kinds = tuple(COLORS)
    top = max(sum(c[k] for k in kinds) for c in changes) or 1
    step = 30
    width = step * len(changes) + 20
    parts = []
    for i, c in enumerate(changes):
        x, y = 10 + i * step, height - 15
        for k in kinds:
            h = c[k] / top * (height - 35)
            if h:
                y -= h
                parts.append(f'<rect x="{x}" y="{y:.1f}" width="{step - 6}" height="{h:.1f}" fill="{COLORS[k]}">'
                             f"<title>run {c['run_id']}: {c[k]} {k}</title></rect>")
        parts.append(f'<text x="{x + (step - 6) / 2}" y="{height - 2}" text-anchor="middle">{c["run_id"]}</text>')
    legend = "".join(f'<span style="background:{COLORS[k]}"></span>{k}' for k in kinds)
    return (f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
            f'<div class="legend">{legend}</div>')


def runs_table(rows: list[dict]) -> str:
    cols = ("pages", "new", "changed", "unchanged", "not_modified", "gone", "failed", "blocked")
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join(
        f'<tr><td>{r["run_id"]}</td><td class="l">{escape(r["status"])}</td><td class="l">{escape(r["started_at"])}</td>'
        f'<td>{fmt_seconds(r["seconds"])}</td><td class="l">{escape(", ".join(r["sites"]))}</td>'
        + "".join(f"<td>{r[c]}</td>" for c in cols) + "</tr>" for r in rows)
    return (f'<table><tr><th>run</th><th class="l">status</th><th class="l">started (UTC)</th><th>duration</th>'
            f'<th class="l">sites</th>{head}</tr>{body}</table>')


def render(archive: Archive, run_id: int) -> str:
    report = rp.run_report(archive, run_id)
    sites = report["sites"]
    status = report["status"]
    return PAGE.substitute(
        run_id=run_id, status=escape(status), status_class="ok" if status == "completed" else "bad",
        db=escape(str(archive.path)), sites=escape(", ".join(sites)), started=escape(report["started_at"]),
        finished=escape(report["finished_at"] or "–"), duration=fmt_seconds(report["seconds"]),
        reason=f'<p class="bad">{escape(report["reason"])}</p>' if report["reason"] else "",
        site_table=site_table(report), seen=seen_table(report), errors=errors_table(report),
        missing=missing_table(report),
        per_year=vertical_bars(rp.documents_per_year(archive, sites)),
        per_issuer=horizontal_bars(rp.documents_per_issuer(archive, sites)),
        changes=stacked_runs(rp.changes_over_runs(archive)), runs=runs_table(rp.runs(archive, limit=30)),
    )
