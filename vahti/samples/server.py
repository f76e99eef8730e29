"""A real HTTP server on 127.0.0.1 serving a Kausal-Watch-like site, with faults on demand.

Used by ``vahti demo``, the tests and the benchmarks; it only ever binds the loopback
address.

Pages carry ETag and Last-Modified and answer conditional requests with 304.
Faults are queued per path and used up one request at a time:

``"500"``, ``"503"`` … an error status; ``"429:2"`` 429 with ``Retry-After: 2``;
``"timeout"`` no answer for longer than the client waits; ``"reset"`` the
connection dropped before any answer; ``"truncate"`` a body cut short of its
Content-Length; ``"redirect:/x"`` a redirect; ``"offsite"`` a redirect to
another host; ``"huge"`` an endless body; ``"gzipbomb"`` a small gzip body that inflates past any
cap; ``"ctype:…"`` a wrong content type.
"""

from __future__ import annotations

import functools
import hashlib
import socket
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]
    status: int
    peer: int = 0  # the client's port: one per connection


@dataclass
class Site:
    pages: dict[str, bytes] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    faults: dict[str, list[str]] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)
    last_modified: float = 1_600_000_000.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, path: str, body: bytes | str, ctype: str = "text/html; charset=utf-8") -> None:
        self.pages[path] = body.encode() if isinstance(body, str) else body
        self.types[path] = ctype

    def fault(self, path: str, *faults: str) -> None:
        # Bombs are made now, not while a client with a short timeout waits for one.
        if "gzipbomb" in faults:
            _gzip_bomb()
        if "zstdbomb" in faults:
            _zstd_bomb()
        self.faults.setdefault(path, []).extend(faults)

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]


@functools.cache
def _gzip_bomb() -> bytes:
    import gzip

    return gzip.compress(b"<p>" + b"\0" * 30_000_000, compresslevel=9)


@functools.cache
def _zstd_bomb() -> bytes:
    import zstandard

    out = zstandard.ZstdCompressor(level=1).compressobj(size=1 << 30)  # streamed: never 1 GiB in memory here
    zeros = b"\0" * (1 << 20)
    return b"".join([out.compress(zeros) for _ in range(1024)]) + out.flush()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
    """One whole response: status, ``headers``, the length and ``body``."""
    handler.send_response(status)
    for k, v in (headers or {}).items():
        handler.send_header(k, v)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _handler(site: Site, timeout_sleep: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes; with Nagle's algorithm on, the body waited for the
        # client's delayed ACK of the headers on a kept-alive connection (~20 ms a page, as no real
        # web server makes a client wait).
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _record(self, status: int) -> None:
            with site.lock:
                site.hits.append(Hit(self.path, time.monotonic(), {k.lower(): v for k, v in self.headers.items()},
                                     status, self.client_address[1]))

        def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self._record(status)
            send(self, status, body, headers)

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            with site.lock:
                queue = site.faults.get(path) or []
                fault = queue.pop(0) if queue else None
            if fault is not None:
                if fault == "timeout":
                    self._record(0)
                    time.sleep(timeout_sleep)
                    return
                if fault == "reset":
                    self._record(0)
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                if fault.startswith("429"):
                    after = fault.split(":", 1)[1] if ":" in fault else "1"
                    return self._send(429, b"slow down", {"Retry-After": after})
                if fault.isdigit():
                    return self._send(int(fault), b"server error")
                if fault.startswith("redirect:"):
                    return self._send(302, b"", {"Location": fault.split(":", 1)[1]})
                if fault == "offsite":
                    return self._send(302, b"", {"Location": "http://elsewhere.invalid/actions/1"})
                if fault == "truncate":
                    body = site.pages.get(path, b"x" * 1000)
                    self._record(200)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body) + 5000))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.close()
                    return
                if fault == "huge":
                    self._record(200)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    try:
                        for _ in range(10_000):
                            self.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")
                    except OSError:
                        pass
                    self.connection.close()
                    return
                if fault == "gzipbomb":  # 30 KB on the wire, 30 MB once decompressed
                    return self._send(200, _gzip_bomb(), {"Content-Type": "text/html", "Content-Encoding": "gzip"})
                if fault == "zstdbomb":  # an encoding nobody asked for: 32 KB that would inflate to 1 GiB
                    return self._send(200, _zstd_bomb(), {"Content-Type": "text/html", "Content-Encoding": "zstd"})
                if fault == "slow":  # a page a byte a second, never quite timing out
                    self._record(200)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", "100000")
                    self.end_headers()
                    try:
                        for _ in range(100):
                            self.wfile.write(b"<")
                            self.wfile.flush()
                            time.sleep(0.5)
                    except OSError:
                        pass
                    return
                if fault.startswith("ctype:"):
                    return self._send(200, site.pages.get(path, b"%PDF-1.4"), {"Content-Type": fault[6:]})
                if fault.startswith("delay:"):  # the page as it is, after a wait (a site far away)
                    time.sleep(float(fault[6:]))
            page = site.pages.get(path)
            if page is None:
                return self._send(404, b"<html><head><title>Sivua ei l\xc3\xb6ydy</title></head><body>"
                                       b"<h1>Sivua ei l\xc3\xb6ydy</h1></body></html>",
                                  {"Content-Type": "text/html; charset=utf-8"})
            body = page
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            modified = formatdate(site.last_modified, usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", {"ETag": etag, "Last-Modified": modified})
            self._send(200, body, {"Content-Type": site.types.get(path, "text/html; charset=utf-8"), "ETag": etag,
                                   "Last-Modified": modified})

    return Handler


class SiteServer:
    def __init__(self, site: Site | None = None, *, timeout_sleep: float = 3.0) -> None:
        self.site = site or Site()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.site, timeout_sleep))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
