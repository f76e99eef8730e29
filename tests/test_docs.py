"""Docs that cannot drift: every command documented and helpful, examples executed."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from cli import cli
from helpers import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _commands() -> list[str]:
    """Every leaf command, as its words after ``vahti`` ("parse", "db upgrade")."""
    out = []
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            out += [f"{name} {sub}" for sub in command.commands]
        else:
            out.append(name)
    return sorted(out)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_and_is_documented(name: str) -> None:
    words = name.split()
    command: click.Command = cli
    for word in words:
        assert isinstance(command, click.Group)
        command = command.commands[word]
    assert command.help and len(command.help.strip()) > 20
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0
    assert "--db" in result.output and "--json" in result.output
    assert f"## `vahti {name}" in (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        for m in re.finditer(rf"```{lang}\n(.*?)```", doc.read_text(encoding="utf-8"), re.S):
            out.append((doc.name, m.group(1)))
    return out


@pytest.mark.parametrize("doc, code", _blocks("python"), ids=lambda v: v if isinstance(v, str) and v.endswith(".md") else "")
def test_python_examples_run(doc: str, code: str, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, doc, "exec"), {})
    printed = capsys.readouterr().out
    # "# …" lines right after a print() show its output: hold the docs to it.
    shown = re.findall(r"^# (.*)$", code, re.M)
    if shown and "print(" in code:
        assert " ".join(printed.split()) == " ".join(" ".join(shown).split())


@pytest.mark.parametrize("doc, block", _blocks("console"), ids=lambda v: v if isinstance(v, str) and v.endswith(".md") else "")
def test_console_examples_print_what_the_docs_say(doc: str, block: str, tmp_path) -> None:
    lines = block.splitlines()
    command = lines[0].removeprefix("$ ")
    expected = [line for line in lines[1:] if line.strip()]
    argv = shlex.split(command)
    assert argv[0] == "vahti"
    if "--db" in argv:  # each run starts from an empty database of its own
        argv[argv.index("--db") + 1] = str(tmp_path / "example.db")
    result = subprocess.run([sys.executable, "-c", "from cli import main; main()", *argv[1:]], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    got = result.stdout.splitlines()
    assert got[: len(expected)] == expected


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8").split("```sh\n", 1)[1].split("```", 1)[0]
    first, second = [line for line in head.splitlines() if line.strip()][:2]
    assert first.startswith("pip install ") and "vahti " in first
    assert second.startswith("pip install ") and "pytest" in second
