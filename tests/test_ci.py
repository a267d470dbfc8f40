"""The test command README.md tells people to run is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


def _quickstart_test_command(readme: str) -> str | None:
    """The first line, in the Quickstart section's code blocks, that runs pytest."""
    section = re.search(r"^#+\s*Quickstart\b(.*?)(?=^#+\s|\Z)", readme, flags=re.M | re.S | re.I)
    if not section:
        return None
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", section.group(1), flags=re.M | re.S):
        lines = [line.strip() for line in block.splitlines() if "pytest" in line]
        if lines:
            return lines[0]
    return None


def test_readme_test_command_is_what_ci_runs(repo: Path):
    readme = repo / "README.md"
    if not readme.exists():
        pytest.skip("README.md does not exist yet")
    command = _quickstart_test_command(readme.read_text(encoding="utf-8"))
    assert command, "README.md's Quickstart code block has no line that runs pytest"
    ci = repo / ".ci" / "run"
    assert ci.exists(), ".ci/run does not exist"
    assert command in ci.read_text(encoding="utf-8"), f"{command!r} is not in .ci/run"


def test_quickstart_parser():
    readme = (
        "# reformqa\n\n## Quickstart\n\n```bash\npip install -e . && reformqa ask x\n```\n\nTests:\n\n"
        "```bash\npip install -e '.[test]'\nHF_HUB_OFFLINE=1 python -m pytest -q\n```\n\n## More\n```\npytest -x\n```\n"
    )
    assert _quickstart_test_command(readme) == "HF_HUB_OFFLINE=1 python -m pytest -q"
    assert _quickstart_test_command("# x\n## Usage\n```\npytest\n```\n") is None
