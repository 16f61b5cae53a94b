"""The README's set-up is what CI runs: its commands, in its order, are in .ci/run."""

from __future__ import annotations

import re

import click

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


def command_rows() -> dict[str, str]:
    """The README's command table: each command's name → its rows' first cells, joined."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Commands") :]
    rows: dict[str, str] = {}
    for cell in re.findall(r"^\| `newsroom (.+?)` \|", section, re.M):
        name = cell.split()[0]
        rows[name] = rows.get(name, "") + " " + cell
    return rows


def test_the_command_table_lists_every_option_of_every_command() -> None:
    from builder.cli import cli

    rows = command_rows()
    missing = [
        f"{name} {option}"
        for name, command in sorted(cli.commands.items())
        for param in command.params
        if isinstance(param, click.Option) and not param.hidden
        for option in [max(param.opts, key=len)]  # `--verbose`, not `-v`
        if not re.search(rf"(?<![\w-]){re.escape(option)}\b", rows.get(name, ""))
    ]
    assert not missing, f"README.md's command table does not list {missing}"


def test_no_command_description_is_cut_in_the_help() -> None:
    from click.testing import CliRunner

    from builder.cli import cli

    output = CliRunner().invoke(cli, ["--help"], terminal_width=80).output
    listed = output[output.index("Commands:") :].splitlines()[1:]
    assert len(listed) >= len(cli.commands), output
    cut = [line.strip() for line in listed if line.rstrip().endswith("...")]
    assert not cut, f"`newsroom --help` cuts these descriptions: {cut}"
    for name in cli.commands:
        help_text = CliRunner().invoke(cli, [name, "--help"], terminal_width=80).output
        assert "..." not in help_text, f"`newsroom {name} --help` is cut:\n{help_text}"


def test_the_readme_recommends_serve_to_look_at_the_site() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme[readme.index("## Set up on a fresh machine") : readme.index("## Layout")]
    assert "Look at the site with `newsroom serve`" in setup
