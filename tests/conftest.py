"""Shared fixtures: the real framework folder, the loaded framework, a small second programme."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scorecard.thread.domain import Framework
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _framework_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Framework snapshots go to a temporary folder, not into the working tree."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORECARD_CACHE_DIR", str(tmp_path_factory.mktemp("framework-cache")))
        yield


@pytest.fixture(scope="session")
def framework_dir() -> Path:
    """The iCAN framework folder of the repository (data/framework)."""
    return REPO / "data" / "framework"


@pytest.fixture(scope="session")
def framework(framework_dir: Path) -> Framework:
    """The iCAN framework, loaded and validated."""
    return load_framework(framework_dir)


@pytest.fixture(scope="session")
def small_framework_dir() -> Path:
    """A different, smaller programme (3 outcomes) that must load with no code change."""
    return REPO / "tests" / "fixtures" / "framework_small"
