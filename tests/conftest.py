"""Shared fixtures: the real framework folder, the loaded framework, a small second programme."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.domain import Framework
from scorecard.framework import load_framework

REPO = Path(__file__).resolve().parents[1]


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
