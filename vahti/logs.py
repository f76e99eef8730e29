"""Logging: one line per crawl summary and per failure; plain text, or JSON for collectors.

>>> import logging, io
>>> stream = io.StringIO()
>>> setup("json", stream=stream)
>>> logging.getLogger("vahti.crawl").info("crawl finished", extra={"site": "https://x", "failed": 0})
>>> import json; record = json.loads(stream.getvalue()); record["message"], record["site"], record["level"]
('crawl finished', 'https://x', 'info')
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import IO, Any

from vahti.text import one_line

_STANDARD = set(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """One line per record, whatever a message quotes: CR, LF and control characters are escaped."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S%z")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        return one_line(super().formatMessage(record))



def setup(fmt: str = "text", *, level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger("vahti")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
    aps = logging.getLogger("apscheduler")
    aps.handlers[:] = [handler]
    aps.setLevel(logging.WARNING)
    aps.propagate = False
    # HTTP and chat libraries name request URLs (webhook and chat secrets among them) below WARNING.
    for name in ("httpx", "httpcore", "urllib3", "apprise"):
        logging.getLogger(name).setLevel(logging.WARNING)
