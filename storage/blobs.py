"""Raw bodies, compressed: zstd, or a zstd delta against an earlier full body.

Consecutive captures of one page differ in a few bytes (a date, a build id, a
trace id). A body is therefore stored as a *delta*: zstd with the page's last
full body as a raw-content dictionary ("patch from"), typically a few hundred
bytes. Deltas always point at a full blob (chains are one step deep), and a new
full blob is written when a delta would be larger than ``FULL_RATIO`` of one.

>>> import random
>>> base = bytes(random.Random(1).choices(b"abcdefghij <>/", k=20_000))
>>> full = compress(base)
>>> changed = base[:5000] + b"CHANGED" + base[5000:]
>>> delta = compress(changed, base=base)
>>> decompress(delta, base) == changed and len(delta) < 100 < len(full)
True
"""

from __future__ import annotations

import hashlib

import zstandard

LEVEL = 3  # measured (bench/archive.py): deltas as small as at 12, full blobs 11 % larger, 10x faster
FULL_RATIO = 0.5  # a delta larger than this share of a full blob is not worth it
MAX_WINDOW_LOG = 27  # 128 MiB, far above MAX_BODY_BYTES


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _dict(base: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def compress(body: bytes, *, base: bytes | None = None) -> bytes:
    compressor = zstandard.ZstdCompressor(level=LEVEL, write_content_size=True,
                                          dict_data=_dict(base) if base is not None else None)
    return compressor.compress(body)


def decompress(data: bytes, base: bytes | None) -> bytes:
    if base is None:
        return zstandard.ZstdDecompressor().decompress(data)
    return zstandard.ZstdDecompressor(dict_data=_dict(base), max_window_size=1 << MAX_WINDOW_LOG).decompress(data)
