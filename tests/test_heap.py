"""vahti's process keeps freed memory at the top of its heap for the next page (glibc)."""

from __future__ import annotations

import ctypes
import subprocess
import sys

import pytest

from helpers import ROOT

# Frees 3 MB in 100 KB blocks (below the size glibc maps on its own) and says how much heap is left.
_AFTER_FREE = """
import ctypes, sys
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                                               "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
{setup}
blocks = [bytearray(100_000) for _ in range(30)]
del blocks
print(libc.mallinfo2().arena)
"""


def _glibc() -> bool:
    try:
        return hasattr(ctypes.CDLL(None), "mallinfo2")
    except OSError:
        return False


def _heap_after_free(setup: str) -> int:
    out = subprocess.run([sys.executable, "-c", _AFTER_FREE.format(setup=setup)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux") or not _glibc(), reason="glibc's allocator only")
def test_the_command_keeps_its_freed_heap_for_the_next_page() -> None:
    plain = _heap_after_free("")
    command = _heap_after_free("from cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass")
    assert plain < 3_000_000  # given back at once
    assert command >= 4 * 1024 * 1024  # kept


def test_elsewhere_it_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from vahti.heap import keep_heap_slack

    monkeypatch.setattr(sys, "platform", "darwin")
    assert keep_heap_slack() is False
