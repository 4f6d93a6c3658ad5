"""Fixtures for the policy tests: a writable copy of the shipped YAML directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tuoyu.policy import DEFAULT_DIR

BASE_FILE = "2020-10-31_V2020-36.yaml"
V2023_FILE = "2023-08-01_V2023-1.yaml"


class DataDir:
    """A copy of policy/data that a test may edit like a district would."""

    def __init__(self, path: Path):
        self.path = path

    def file(self, name: str) -> Path:
        return self.path / name

    def replace(self, name: str, old: str, new: str, count: int = 1) -> None:
        f = self.file(name)
        text = f.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        f.write_text(text.replace(old, new, count), encoding="utf-8")

    def write(self, name: str, text: str) -> Path:
        f = self.file(name)
        f.write_text(text, encoding="utf-8")
        return f


def copy_data(target: Path) -> DataDir:
    shutil.copytree(DEFAULT_DIR, target, dirs_exist_ok=True)
    return DataDir(target)


@pytest.fixture
def data_copy(tmp_path) -> DataDir:
    return copy_data(tmp_path / "policy")
