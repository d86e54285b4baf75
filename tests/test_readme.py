"""The README's commands run as written: a newcomer pastes them, so a test pastes them too.

Convention: every ```bash and ```python block under a heading named in RUN_SECTIONS runs, unless
the line before its fence is `<!-- readme-test: skip -->` (a command that never returns, such as
`litrt dev`). A section's blocks run in order as one bash script (a Python block through
`python3 -`), so shell variables carry from block to block as they do in a user's shell, in a
fresh directory holding only a link to `actions_examples`, with `litrt` and `python3` taken from
the interpreter running the tests. Each section brings up its own network and takes it down.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
RUN_SECTIONS = ("Using it", "Access control")
SKIP = "<!-- readme-test: skip -->"
_FENCE = re.compile(r"^```(bash|python)\s*$")


@dataclass(frozen=True)
class Block:
    section: str  # the "## " heading it is under
    language: str  # bash or python
    code: str
    skipped: bool


def readme_blocks(text: str) -> list[Block]:
    """The bash and python blocks of a Markdown text, with their section and skip mark."""
    blocks: list[Block] = []
    section, previous, lines = "", "", iter(text.splitlines())
    for line in lines:
        if line.startswith("## "):
            section = line[3:].strip()
        fence = _FENCE.match(line)
        if fence:
            body = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            blocks.append(Block(section, fence.group(1), "\n".join(body) + "\n", previous.strip() == SKIP))
        if line.strip():
            previous = line
    return blocks


def section_script(blocks: list[Block]) -> str:
    """One bash script running `blocks` in order; it stops at the first command that fails."""
    parts = ["set -euo pipefail"]
    for block in blocks:
        parts.append(block.code if block.language == "bash" else f"python3 - <<'README_PYTHON'\n{block.code}README_PYTHON\n")
    return "\n".join(parts)


def _runnable(section: str) -> list[Block]:
    return [b for b in readme_blocks(README.read_text()) if b.section.startswith(section) and not b.skipped]


def test_blocks_are_found_and_skip_marks_honoured():
    text = "## Using it\n\n```bash\necho a\n```\n\n<!-- readme-test: skip -->\n```bash\nlitrt dev x.js\n```\n```python\nprint(1)\n```\n"
    blocks = readme_blocks(text)
    assert [(b.language, b.code, b.skipped) for b in blocks] == [
        ("bash", "echo a\n", False), ("bash", "litrt dev x.js\n", True), ("python", "print(1)\n", False)
    ]
    for section in RUN_SECTIONS:
        assert _runnable(section), f"no runnable block under a heading starting {section!r}"


def _run_section(section: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "actions_examples").symlink_to(REPO / "actions_examples")
    env = {k: v for k, v in os.environ.items() if k != "LITRT_STATE_DIR"}  # the README's default: .litrt/network here
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    try:
        return subprocess.run(
            ["bash", "-c", section_script(_runnable(section))], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=900,
        )
    finally:  # a failed block leaves the network up: stop it
        subprocess.run([sys.executable, "-m", "runtime.cli.main", "down"], cwd=tmp_path, env=env, capture_output=True, timeout=120)


@pytest.mark.slow
def test_using_it_runs_as_written(tmp_path):
    proc = _run_section("Using it", tmp_path)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "recovers to 0x" in proc.stdout and "Hello, Ada!" in proc.stdout
    assert re.search(r"^0x[0-9a-f]{130} 0x[0-9a-fA-F]{40}$", proc.stdout, re.M), proc.stdout  # the Python block's line


@pytest.mark.slow
def test_access_control_runs_as_written(tmp_path):
    proc = _run_section("Access control", tmp_path)
    assert proc.returncode == 0, f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.stdout.count("the secret") == 1, proc.stdout  # the holder's decrypt, not the stranger's
    assert "eth_getBalance" in proc.stderr or "balance" in proc.stderr, proc.stderr  # the refusal names the condition
    assert '"jwt"' in proc.stdout
