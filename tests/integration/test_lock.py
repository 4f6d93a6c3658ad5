"""Python dependencies are locked ([house] point 8): `requirements.lock` (the service) and
`requirements-test.lock` (the service and its tests) pin every package, `make demo` and
`make test` install from them, and the lock stays in step with pyproject.toml."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def pins(name: str) -> dict[str, tuple[str, str]]:
    """{package: (version, marker)} of a lock file."""
    out = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, _, marker = line.partition(";")
        package, _, version = requirement.strip().partition("==")
        assert version, f"{name}: {line!r} is not pinned with =="
        out[canonicalize_name(package)] = (version.strip(), marker.strip())
    return out


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + (project["optional-dependencies"][extra] if extra else [])
    return [Requirement(r) for r in names]


@pytest.mark.parametrize(
    ("lock", "extra"), [("requirements.lock", None), ("requirements-test.lock", "test")]
)
def test_every_declared_dependency_is_pinned_within_its_range(lock, extra):
    locked = pins(lock)
    for requirement in declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{lock}: {requirement} is not locked (run make lock)"
        assert requirement.specifier.contains(locked[name][0], prereleases=True), (
            f"{lock}: {name}=={locked[name][0]} is outside {requirement.specifier}"
        )


def test_the_service_lock_is_part_of_the_test_lock():
    service, test = pins("requirements.lock"), pins("requirements-test.lock")
    for name, (version, _marker) in service.items():
        assert test.get(name, (None,))[0] == version, f"{name}: the two locks disagree"


def test_the_environment_was_installed_from_the_lock():
    """What runs the suite is what the lock names (a fresh clone's `make test` installs it)."""
    for name, (version, marker) in pins("requirements-test.lock").items():
        if marker and not Marker(marker).evaluate():
            continue
        installed = importlib.metadata.version(name)
        assert installed == version, f"{name}: installed {installed}, locked {version}"
