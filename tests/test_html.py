"""Every HTML page of the real and the golden fixture site passes the Nu Html Checker (vnu)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tools import require_tool, vnu_jar


def vnu_messages(*folders: Path) -> list[str]:
    """vnu's errors for every HTML file under the folders, in one run: 'file:line: message'."""
    jar = require_tool("the Nu Html Checker (npm ci; Java)", vnu_jar)
    run = subprocess.run(
        [
            "java",
            "-jar",
            str(jar),
            "--skip-non-html",
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *map(str, folders),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.stdout.strip(), (
        f"vnu printed no report (exit {run.returncode}): {run.stderr[-2000:]}"
    )
    found = []
    for message in json.loads(run.stdout)["messages"]:
        path = message.get("url", "").removeprefix("file:")
        where = next(
            (
                f"{Path(folder).name}/{Path(path).relative_to(folder)}"
                for folder in map(str, folders)
                if path.startswith(folder)
            ),
            path,
        )
        found.append(
            f"{where}:{message.get('lastLine', '?')}: {message['type']}: {message['message']}"
        )
    assert found or run.returncode == 0, run.stderr[-2000:]
    return found


def test_every_page_of_the_real_and_the_fixture_site_is_valid_html(
    real_site, subpath_site: Path, golden_site: Path, tmp_path: Path
) -> None:
    _, real = real_site
    pages = sum(len(list(folder.rglob("*.html"))) for folder in (real, subpath_site, golden_site))
    assert pages > 100
    # A broken page checked in the same run proves the checker reports errors, with file and line.
    control = tmp_path / "control"
    control.mkdir()
    (control / "bad.html").write_text(
        "<!DOCTYPE html>\n<html lang=en><title>x</title>\n<p><div>nested</p>\n", encoding="utf-8"
    )
    messages = vnu_messages(
        real.resolve(), subpath_site.resolve(), golden_site.resolve(), control.resolve()
    )
    expected = [m for m in messages if m.startswith("control/bad.html:3: error:")]
    assert expected, messages
    site_errors = [m for m in messages if not m.startswith("control/")]
    assert site_errors == [], f"{len(site_errors)} vnu error(s):\n" + "\n".join(site_errors[:100])
