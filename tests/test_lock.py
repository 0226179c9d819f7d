"""requirements/lock.txt, which `make install` installs: in step with pyproject.toml, all hashed."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = (ROOT / "requirements" / "lock.txt").read_text()
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)


def test_the_lock_satisfies_every_requirement_pyproject_names():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = [
        *pyproject["project"]["dependencies"],
        *pyproject["project"]["optional-dependencies"]["dev"],
        *pyproject["build-system"]["requires"],  # `make install` builds without isolation
        "pip",
    ]
    pins = {canonicalize_name(name): version for name, version in PIN.findall(LOCK)}

    requirements = [Requirement(text) for text in wanted]
    unmet = [
        str(requirement)
        for requirement in requirements
        if canonicalize_name(requirement.name) not in pins
        or not requirement.specifier.contains(
            pins[canonicalize_name(requirement.name)], prereleases=True
        )
    ]

    assert unmet == [], "pyproject.toml changed since the lock was made: run `make lock`"


def test_every_pin_is_hashed_and_the_lock_names_no_location():
    entries = [line for line in LOCK.splitlines() if line and not line.startswith(" ")]
    pins = PIN.findall(LOCK)

    assert [line for line in entries if not line.startswith("#")] == [
        f"{name}=={version} \\" for name, version in pins
    ]  # no -e, --index-url, --find-links or file lines: only name==version, then its hashes
    assert "://" not in LOCK
    assert len(re.findall(r"==\S+ \\\n    --hash=sha256:[0-9a-f]{64}", LOCK)) == len(pins) > 50
