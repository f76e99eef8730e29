"""The public API is typed: mypy --strict passes on the library and the CLI."""

from __future__ import annotations

import pytest

from helpers import ROOT


def test_mypy_strict_passes() -> None:
    api = pytest.importorskip("mypy.api")
    # Incremental, with the cache beside the project (.ci/run has just filled it with its own mypy step).
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                      "--cache-dir", str(ROOT / ".mypy_cache")])
    assert status == 0, stdout + stderr
