"""Hanweb jcms (大汉): `/col/colN/` columns, `/art/YYYY/M/D/art_C_ID.html` details."""
from __future__ import annotations

import re

from .base import Platform


class Hanweb(Platform):
    name = "hanweb"
    detail_pattern = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html$")
