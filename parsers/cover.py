"""Is the page a cover over its attachment? The one rule for the `attachment_only` quality flag.

County portals often publish the document itself only as an attachment: the page says
内容详见附件 (or carries one line of transmittal) and links the PDF, DOC or WPS. Then the
document's text is its full text — body plus attachment texts (archive/attachments.py).
"""
from __future__ import annotations

import re

from .record import ATTACHMENT_ONLY

__all__ = ["ATTACHMENT_ONLY", "is_cover"]
# 详见附件 / 见附件 / 附件下载 / 请下载附件 / 全文见附件 …
_POINTS_TO_ATTACHMENT = re.compile(r"(详见|见|请(?:查看|下载)|全文(?:见|请见))\s*附件|附件(?:下载|查看)")
COVER_CHARS = 120   # a body longer than this is a document of its own, whatever it says


def is_cover(body: str, attachments: list) -> bool:
    """A short body that points to its attachments (or no body at all) over at least one."""
    if not attachments:
        return False
    visible = re.sub(r"\s", "", body or "")
    return not visible or (len(visible) <= COVER_CHARS and bool(_POINTS_TO_ATTACHMENT.search(visible)))
