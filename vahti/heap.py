"""Memory freed after one page is kept for the next, not handed back to the system and asked for again.

A parse allocates and frees some megabytes a page (the page, its markup, the decoded
data, the tree). glibc's allocator gives the top of its heap back to the system as soon
as more than 128 KiB of it is free, so every page took it back again, page fault by
page fault: a sixth of a parse's time for one real render parsed again and again, some
6 % over the real renders in turn (bench/parse). ``keep_heap_slack`` asks it
to keep ``TOP_PAD`` bytes at the top (``mallopt(M_TOP_PAD)``); the heap then stops
growing and shrinking with each page, for a few megabytes of resident memory.

vahti's command (``cli.main``) does this once at start; the benches do it too, so that
what they measure runs as it runs in vahti. Elsewhere than on glibc it does nothing.
"""

from __future__ import annotations

import sys

TOP_PAD = 4 * 1024 * 1024
_M_TOP_PAD = -2  # glibc's <malloc.h>


def keep_heap_slack(pad: int = TOP_PAD) -> bool:
    """Keep ``pad`` bytes free at the top of the heap (glibc); True when the allocator took it."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or not one with mallopt
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(_M_TOP_PAD, pad))
