"""vahti's one error tree.

::

    VahtiError
    ├── ConfigError            bad options or configuration file (exit code 2)
    ├── FetchError             a page could not be fetched            (.url)
    │   ├── FetchTimeout
    │   ├── FetchStopped       the crawl was stopped while it waited
    │   └── HTTPStatusError    an unexpected HTTP status               (.status)
    ├── ParseError             input the parser refuses outright      (.url)
    │   └── InputTooLarge      past ``scraper.decode.MAX_BODY_BYTES``
    ├── StorageError           the database refused or is outdated
    └── DeliveryError          an alert could not be delivered

A broken or foreign page is *not* a ``ParseError``: the parser answers it with a
``not_a_measure`` or ``degraded`` verdict. ``ParseError`` is only for input that
cannot be looked at at all (too large, not bytes or text).
"""

from __future__ import annotations


class VahtiError(Exception):
    """Root of every error vahti raises on purpose."""


class ConfigError(VahtiError):
    """Options or configuration are wrong; the user must fix them."""


class FetchError(VahtiError):
    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url


class FetchTimeout(FetchError):
    pass


class FetchStopped(FetchError):
    """The crawl was asked to stop while this fetch waited (for its turn, or to retry)."""


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, url: str, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class ParseError(VahtiError):
    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(f"{message} ({url})" if url else message)
        self.url = url


class InputTooLarge(ParseError):
    pass


class StorageError(VahtiError):
    pass


class DeliveryError(VahtiError):
    pass
