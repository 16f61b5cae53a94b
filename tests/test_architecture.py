"""docs/architecture.md stays true: the modules, packages and calls it names exist."""

from __future__ import annotations

import ast
import re

from conftest import REPO

DOC = REPO / "docs" / "architecture.md"
PACKAGES = ("pipeline", "incremental", "speedups", "editorial", "preview")


def named_modules(text: str) -> set[str]:
    """Module paths the text names: `builder/x.py`, `pipeline/x.py`, `incremental/x.py`, …"""
    found = set(re.findall(r"\bbuilder/(?:\w+/)?\w+\.py\b", text))
    for package in PACKAGES:
        found |= {f"builder/{m}" for m in re.findall(rf"\b{package}/\w+\.py\b", text)}
    return found


def test_every_module_the_architecture_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = named_modules(text)
    assert len(named) > 15, "the page names the modules a newcomer works in"
    missing = sorted(path for path in named if not (REPO / path).is_file())
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"


def test_every_package_has_its_paragraph() -> None:
    text = DOC.read_text(encoding="utf-8")
    packages = sorted(p.name for p in (REPO / "builder").iterdir() if (p / "__init__.py").exists())
    missing = [name for name in packages if f"**`builder/{name}/`.**" not in text]
    assert not missing, f"docs/architecture.md has no paragraph for {missing}"


def test_the_recipe_calls_what_the_picture_shows() -> None:
    """Each stage and seam in the picture is called by build_site, in the picture's order."""
    text = DOC.read_text(encoding="utf-8")
    picture = text[text.index("```\n") : text.index("```", text.index("```\n") + 4)]
    shown = re.findall(r"\b([a-z]+(?:_[a-z]+)+)\b", picture)
    tree = ast.parse((REPO / "builder" / "build.py").read_text(encoding="utf-8"))
    recipe = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_site")
    calls = [
        node.func.attr
        for node in sorted(
            (n for n in ast.walk(recipe) if isinstance(n, ast.Call)),
            key=lambda n: (n.lineno, n.col_offset),
        )
        if isinstance(node.func, ast.Attribute)
    ]
    called = [name for name in shown if name in calls]
    assert called == shown, (
        f"the picture shows calls build_site does not make: {set(shown) - set(calls)}"
    )
    order = sorted(shown, key=lambda name: calls.index(name))
    assert order == shown, f"build_site calls them in the order {order}"


def test_every_package_of_builder_is_installed():
    """A wheel holds only the packages pyproject.toml lists: a subpackage left out works in
    the editable install of the tests and is missing from every real one."""
    import tomllib

    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "builder").rglob("__init__.py")
    }
    assert found - listed == set(), "packages missing from [tool.setuptools] packages"
