"""The archive in Datasette, read-only: bilingual labels, facets, search and document pages.

``serve()`` runs Datasette in this process on a socket it binds itself (so port 0 picks a
free port and the URL is known before the first request). The archive is opened like
``datasette --setting ...`` would open a mutable file: read connections use ``mode=ro`` (a
crawler may keep writing beside it), and the database object refuses every write.
"""
from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path
from typing import Callable

TEMPLATES = Path(__file__).parent / "templates"
SETTINGS = {"truncate_cells_html": 160, "default_page_size": 50, "sql_time_limit_ms": 3000,
            "allow_download": False, "default_facet_size": 15}


def _read_only_database():
    from datasette.database import Database

    class ReadOnlyDatabase(Database):
        """No write path at all: Datasette core, plugins and canned queries cannot write."""

        async def execute_write_fn(self, fn, block=True):
            raise PermissionError("this archive is served read-only")

        def connect(self, write=False):
            # Datasette splices the path into "file:{path}?mode=ro": a '#' or '%' in the file's
            # name then opens another file (a 500 on every page). A proper file: URI quotes them.
            if write or self.is_memory or self.memory_name:
                return super().connect(write)
            conn = sqlite3.connect(read_only_uri(self.path), uri=True, check_same_thread=False)
            self._all_file_connections.append(conn)
            return conn

    return ReadOnlyDatabase


def read_only_uri(path: str | Path) -> str:
    """The SQLite URI opening ``path`` read-only, whatever characters its name holds, and on
    read-only media too (the archive's own rule: ``immutable=1`` where no -shm can be made)."""
    from guifan.archive.store import read_only_uri as archive_uri

    return archive_uri(Path(path))


def register_plugin() -> None:
    from datasette.plugins import pm

    from . import plugin

    if not pm.is_registered(plugin):
        pm.register(plugin, name="guifan")


def build(db_path: str | Path):
    """A Datasette instance for the archive at ``db_path`` (startup already invoked)."""
    from datasette.app import Datasette

    from .metadata import DB_NAME, metadata

    register_plugin()
    ds = Datasette(files=[], metadata=metadata(), template_dir=str(TEMPLATES), settings=SETTINGS)
    ds.add_database(_read_only_database()(ds, path=str(Path(db_path).resolve()), is_mutable=True), name=DB_NAME)
    asyncio.run(ds.invoke_startup())
    return ds


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(db_path: str | Path, host: str = "127.0.0.1", port: int = 8001,
          on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted; ``on_ready(url)`` is called once the socket is listening."""
    import uvicorn

    ds = build(db_path)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{sock.getsockname()[1]}/"
    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    if on_ready:
        on_ready(url)
    server.run(sockets=[sock])
