"""The README's set-up is what CI runs: its commands, in its order, are in .ci/run."""

from __future__ import annotations

import re

from conftest import REPO


def setup_commands() -> list[str]:
    """The commands of the README's "Set up on a fresh machine" block, comments left out."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Set up on a fresh machine") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the set-up section has a sh block"
    return [
        line.strip()
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_the_setup_is_a_virtual_environment_then_two_commands() -> None:
    commands = setup_commands()
    assert len(commands) == 3, commands
    assert commands[0].startswith("python3 -m venv ")
    assert "newsroom build" in commands[1]
    assert "python3 -m pytest" in commands[2]


def test_ci_runs_the_readmes_venv_and_test_command() -> None:
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    venv, _, test = setup_commands()
    lines = [line.strip() for line in script.splitlines()]
    for command in re.split(r"\s*&&\s*", venv):
        assert command in lines, f".ci/run does not run the README's `{command}`"
    assert lines[-1] == test, ".ci/run ends with the README's test command"
    assert lines.index(venv.split(" && ")[0]) < lines.index(test)
