"""Tables in a body, written the way docs/design.md says: one line per row, cells joined by
`CELL_SEPARATOR`; a cell merged down several rows (rowspan) repeats its text in each of them,
so each row stands on its own; a cell merged across columns (colspan) is one cell of its row,
written once (Word exports use colspan to align their grid, and a reader sees one cell);
header rows are rows like any other; empty rows are left out.

Only data tables are written as rows. A table used for page layout (one holding another
table, or a cell holding whole paragraphs of running text) is read block by block like the
rest of the page.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from .html_tree import Walk

__all__ = ["CELL_SEPARATOR", "table_of", "is_data_table", "table_lines"]

CELL_SEPARATOR = " | "
_MAX_SPAN = 100  # a colspan/rowspan beyond this is a page bug, not a table
# A cell with this many text runs and characters holds paragraphs: the table is layout.
_LAYOUT_CELL_SEGMENTS = 4
_LAYOUT_CELL_CHARS = 300


# A table holding one of these is a page's frame: another table, the page's headings, its menus.
_LAYOUT_TAGS = frozenset(("table", "h1", "h2", "h3", "ul", "ol", "nav", "form", "header", "footer"))


def table_of(walk: Walk, index: int) -> int:
    """Pre-order index of the innermost <table> enclosing element `index`, or -1."""
    i = walk.parent[index] if index >= 0 else -1
    while i >= 0:
        if walk.elements[i].tag == "table":
            return i
        i = walk.parent[i]
    return -1


def is_data_table(walk: Walk, table: int, cell_segments: Mapping[int, list[int]]) -> bool:
    """False for layout tables: a nested table, a heading or menu, or a cell of running text."""
    for i in range(table + 1, walk.end[table] + 1):
        el = walk.elements[i]
        if el.tag in _LAYOUT_TAGS:
            return False
        if el.tag in ("td", "th"):
            ks = cell_segments.get(i, ())
            if len(ks) >= _LAYOUT_CELL_SEGMENTS and sum(walk.segments[k].chars for k in ks) >= _LAYOUT_CELL_CHARS:
                return False
    return True


def _rows(walk: Walk, table: int) -> list[int]:
    """The table's own <tr> elements (not those of tables nested in it), in order."""
    return [i for i in range(table + 1, walk.end[table] + 1)
            if walk.elements[i].tag == "tr" and table_of(walk, i) == table]


def _span(el, attr: str) -> int:
    try:
        value = int((el.get(attr) or "1").strip())
    except ValueError:
        return 1
    return min(max(value, 1), _MAX_SPAN)


def table_lines(walk: Walk, table: int, cell_text: Mapping[int, str],
                keep_rows: Iterable[int] | None = None) -> list[tuple[int, str]]:
    """(row index, line) for every non-empty row of a data table.

    `cell_text` maps a cell's pre-order index to its text; `keep_rows`, if given, limits the
    output to those rows (merged cells from rows left out still fill the kept ones).
    """
    keep = set(keep_rows) if keep_rows is not None else None
    grid: dict[int, dict[int, str | None]] = {}  # row -> column -> text
    out: list[tuple[int, str]] = []
    rows = _rows(walk, table)
    for r, tr in enumerate(rows):
        slots = grid.setdefault(r, {})
        col = 0
        for cell in (i for i in range(tr + 1, walk.end[tr] + 1) if walk.parent[i] == tr):
            el = walk.elements[cell]
            if el.tag not in ("td", "th"):
                continue
            while col in slots:
                col += 1
            text = cell_text.get(cell, "")
            colspan = _span(el, "colspan")
            for dr in range(min(_span(el, "rowspan"), len(rows) - r)):
                below = grid.setdefault(r + dr, {})
                for dc in range(colspan):  # None: the rest of a merged cell, not written again
                    below.setdefault(col + dc, None if dc else text)
            col += colspan
        cells = [slots[c] for c in sorted(slots) if slots[c] is not None]
        del grid[r]
        if keep is not None and tr not in keep:
            continue
        if any(cells):
            out.append((tr, " ".join(CELL_SEPARATOR.join(cells).split())))
    return out
