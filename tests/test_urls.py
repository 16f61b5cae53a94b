"""Issue 20: a published URL never silently changes. A post's URL comes from its `slug` or its
file name, never its title; a URL the last build published and this one does not is a warning
(an error with `check --strict`); `aliases` keep old URLs as redirect pages; a post's feed id
stays its first URL."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from builder.build import build_site
from builder.cli import cli
from conftest import SUBPATH_URL, post, tree

REL = "content/news/2017/2017-03-14-workshop-in-osh.md"


def test_a_corrected_title_keeps_the_url(make_site, tmp_path: Path) -> None:
    root = make_site({REL: post(title="Workshop in Osh")})
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    page = out / "news/2017/workshop-in-osh/index.html"
    assert page.is_file()
    (root / REL).write_text(post(title="Workshop in Osh region"), encoding="utf-8")
    report = build_site(root, output_dir=out)
    assert "Workshop in Osh region" in page.read_text(encoding="utf-8")
    assert not (out / "news/2017/workshop-in-osh-region").exists()
    assert "news/2017/workshop-in-osh/index.html" in report.paths


def test_a_file_name_without_a_date_gives_the_url(make_site, tmp_path: Path) -> None:
    root = make_site({"content/radios.md": post(title="Radios for the posts of Osh")})
    report = build_site(root, output_dir=tmp_path / "out")
    assert "news/2017/radios/index.html" in report.paths


def test_a_file_name_with_no_letters_is_an_error_asking_for_a_slug(make_site, runner) -> None:
    root = make_site({"content/news/2017/2017-03-14-.md": post()})
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert "content/news/2017/2017-03-14-.md:1: the file name has no letters" in result.output


OLD = "content/news/2017/2017-03-14-workshop-in-osh.md"
NEW = "content/news/2017/2017-03-14-workshop-in-osh-region.md"


def moved_site(make_site, aliases: str = "") -> Path:
    """A site whose post moved from OLD to NEW (a renamed file), with `aliases` if given."""
    extra = f"aliases: {aliases}\n" if aliases else ""
    return make_site({NEW: post(title="Workshop in Osh region", extra=extra)})


def feed_ids(out: Path) -> tuple[list[str], list[str]]:
    """The RSS guids and the Atom entry ids of the site's feeds."""
    rss = (out / "feed.xml").read_text(encoding="utf-8")
    atom = (out / "atom.xml").read_text(encoding="utf-8")
    return re.findall(r"<guid[^>]*>([^<]+)</guid>", rss), re.findall(
        r"<entry>\s*<id>([^<]+)</id>", atom
    )


def test_an_alias_is_a_redirect_page_in_no_sitemap_and_no_feed(make_site, tmp_path) -> None:
    root = moved_site(make_site, "[/news/2017/workshop-in-osh/]")
    out = tmp_path / "out"
    build_site(root, output_dir=out)
    html = (out / "news/2017/workshop-in-osh/index.html").read_text(encoding="utf-8")
    target = "https://example.org/news/2017/workshop-in-osh-region/"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
    assert f'<link rel="canonical" href="{target}">' in html
    assert f'<a href="{target}">Workshop in Osh region</a>' in html
    assert '<meta name="robots" content="noindex">' in html
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "workshop-in-osh/" not in sitemap and target in sitemap
    for feed in [*out.glob("*.xml"), *out.glob("*/*/*.xml")]:
        text = feed.read_text(encoding="utf-8")
        links = re.findall(r'<link>([^<]+)</link>|<link href="([^"]+)"', text)
        assert all("workshop-in-osh/" not in "".join(link) for link in links), feed


def test_a_post_keeps_its_feed_ids_when_it_moves_with_an_alias(make_site, tmp_path) -> None:
    out = tmp_path / "out"
    root = make_site({OLD: post(title="Workshop in Osh")})
    build_site(root, output_dir=out)
    before = feed_ids(out)
    assert before == (["https://example.org/news/2017/workshop-in-osh/"],) * 2
    (root / OLD).rename(root / NEW)
    (root / NEW).write_text(
        post(title="Workshop in Osh region", extra="aliases: [/news/2017/workshop-in-osh/]\n"),
        encoding="utf-8",
    )
    build_site(root, output_dir=out)
    assert feed_ids(out) == before
    rss = (out / "feed.xml").read_text(encoding="utf-8")
    assert "<link>https://example.org/news/2017/workshop-in-osh-region/</link>" in rss
    assert 'isPermaLink="false"' in rss


@pytest.mark.parametrize(
    "value, why",
    [
        ("/news/2017/old/", "must be a list, e.g. aliases: [/news/2017/old-slug/]"),
        ("[news/2017/old/]", "not an old URL of this site"),
        ("[/news/../old/]", "not an old URL of this site"),
        ("['/news/2017/old/?p=1']", "not an old URL of this site"),
        ("['/news/2017/old/#top']", "not an old URL of this site"),
        ("[//evil.example/old/]", "not an old URL of this site"),
        ("[/news/2017/old]", "not an old URL of this site"),
        ("[/news/2017/old/, [a]]", "must be a list of names"),
    ],
)
def test_a_bad_alias_is_an_error_at_its_line(make_site, runner, value, why) -> None:
    root = make_site({NEW: post(extra=f"aliases: {value}\n")})
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert f"{NEW}:6: " in result.output and why in result.output, result.output
    assert "Traceback" not in result.output


def test_an_alias_where_a_page_is_is_an_error_naming_the_file(make_site, runner) -> None:
    other = "content/news/2017/2017-03-01-radios.md"
    root = make_site(
        {
            NEW: post(extra="aliases: [/news/2017/radios/]\n"),
            other: post(title="Radios", date="2017-03-01"),
        }
    )
    result = runner.invoke(cli, ["check", "--root", str(root)])
    assert result.exit_code == 1
    assert (
        f"{NEW}: would be written to /news/2017/radios/index.html, where the page of {other} goes"
        in result.output
    ), result.output
    assert "remove it from 'aliases'" in result.output


def test_an_alias_added_and_removed_builds_incrementally_as_a_clean_build(
    make_site, tmp_path
) -> None:
    root = make_site({OLD: post(title="Workshop in Osh"), NEW: post(date="2017-03-20")})
    incremental, clean = tmp_path / "inc/output", tmp_path / "clean/output"
    build_site(root, output_dir=incremental)
    steps = [
        (NEW, post(date="2017-03-20", extra="aliases: [/news/2017/old-workshop/]\n")),
        (OLD, post(title="Workshop in Osh", body="Another body.\n")),  # the redirect is kept
        (NEW, post(date="2017-03-20")),
        (NEW, post(date="2017-03-20", extra="aliases: [/old.html]\n")),
    ]
    for rel, text in steps:
        (root / rel).write_text(text, encoding="utf-8")
        build_site(root, output_dir=incremental)
        build_site(root, output_dir=clean, clean=True)
        assert tree(incremental) == tree(clean), text
    assert (clean / "old.html").is_file() and not (clean / "news/2017/old-workshop").exists()


def renamed_after_a_build(make_site) -> Path:
    """A site built into its own output/, whose one post's file was then renamed; the build
    cache deleted (the last build's URLs are read from its output's sitemap.xml)."""
    root = make_site(
        {OLD: post(title="Workshop in Osh"), "content/other.md": post(date="2017-05-01")}
    )
    build_site(root)
    shutil.rmtree(root / ".newsroom-cache")
    (root / OLD).rename(root / NEW)
    return root


MOVED = (
    f"{NEW}:1: the URL /news/2017/workshop-in-osh/ that the last build published is gone:"
    " this post is now at /news/2017/workshop-in-osh-region/; add aliases:"
    " [/news/2017/workshop-in-osh/]"
)


def test_a_renamed_file_is_a_warning_of_check_and_build_naming_the_old_url_and_the_file(
    make_site, runner
) -> None:
    root = renamed_after_a_build(make_site)
    checked = runner.invoke(cli, ["check", "--root", str(root)])
    assert checked.exit_code == 0 and MOVED in checked.output, checked.output
    strict = runner.invoke(cli, ["check", "--root", str(root), "--strict"])
    assert strict.exit_code == 1 and MOVED in strict.output
    built = runner.invoke(cli, ["build", "--root", str(root)])
    assert built.exit_code == 0 and MOVED in built.stderr, built.output


def test_check_published_compares_with_the_live_sitemap_after_the_output_moved_on(
    make_site, runner, tmp_path
) -> None:
    """A build after the rename rewrote the output's sitemap, so the output no longer knows the
    old URL; the sitemap of the site as published does (`check --published`)."""
    root = renamed_after_a_build(make_site)
    live = tmp_path / "live-sitemap.xml"
    shutil.copy2(root / "output/sitemap.xml", live)  # what the web server has
    built = runner.invoke(cli, ["build", "--root", str(root)])
    assert built.exit_code == 0 and MOVED in built.stderr, built.output
    again = runner.invoke(cli, ["check", "--root", str(root), "--strict"])
    assert again.exit_code == 0, again.output  # the output's sitemap has the new URL only
    strict = runner.invoke(
        cli, ["check", "--root", str(root), "--strict", "--published", str(live)]
    )
    assert strict.exit_code == 1 and MOVED in strict.output, strict.output
    missing = runner.invoke(cli, ["check", "--root", str(root), "--published", "nope.xml"])
    assert missing.exit_code == 2 and "nope.xml" in missing.output


def test_an_alias_for_the_old_url_silences_the_warning(make_site, runner) -> None:
    root = renamed_after_a_build(make_site)
    (root / NEW).write_text(
        post(title="Workshop in Osh", extra="aliases: [/news/2017/workshop-in-osh/]\n"),
        encoding="utf-8",
    )
    strict = runner.invoke(cli, ["check", "--root", str(root), "--strict"])
    assert strict.exit_code == 0, strict.output
    built = runner.invoke(cli, ["build", "--root", str(root)])
    assert built.exit_code == 0 and "is gone" not in built.output
    assert (root / "output/news/2017/workshop-in-osh/index.html").is_file()


def test_a_removed_post_is_a_warning_naming_its_url(make_site, runner) -> None:
    root = renamed_after_a_build(make_site)
    (root / NEW).unlink()
    result = runner.invoke(cli, ["check", "--root", str(root), "--strict"])
    assert result.exit_code == 1
    assert (
        "/news/2017/workshop-in-osh/: the last build published this URL and no post has it now"
        in result.output
    ), result.output


def test_a_draft_shown_by_a_drafts_build_is_not_a_gone_url(make_site, runner) -> None:
    """`build --drafts` publishes the draft's URL; the next build leaves the draft out, which
    is no URL gone: the draft still holds it."""
    draft = "content/news/2017/2017-03-20-draft-in-osh.md"
    root = make_site(
        {REL: post(title="Workshop in Osh"), draft: post(title="Draft", extra="draft: true\n")}
    )
    built = runner.invoke(cli, ["build", "--root", str(root), "--drafts"])
    assert built.exit_code == 0, built.output
    result = runner.invoke(cli, ["check", "--root", str(root), "--strict"])
    assert result.exit_code == 0, result.output
    assert "the last build published" not in result.output


def test_new_picks_a_file_name_whose_url_no_other_post_has(make_site, runner) -> None:
    root = make_site({"content/news/2017/2017-03-01-Border_Guards.md": post(title="Old news")})
    args = ["new", "Border guards", "--country", "kg", "--date", "2017-05-01"]
    result = runner.invoke(cli, [*args, "--root", str(root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("2017-05-01-border-guards-2.md")
    checked = runner.invoke(cli, ["check", "--root", str(root)])
    assert checked.exit_code == 0, checked.output


def test_a_redirect_page_is_valid_html_and_points_under_the_sub_path(make_site, tmp_path) -> None:
    from test_html import vnu_messages

    root = moved_site(make_site, "[/news/2017/workshop-in-osh/, /old.html]")
    out = tmp_path / "out"
    build_site(root, output_dir=out, base_url=SUBPATH_URL)
    target = f"{SUBPATH_URL}news/2017/workshop-in-osh-region/"
    for alias in ("news/2017/workshop-in-osh/index.html", "old.html"):
        html = (out / alias).read_text(encoding="utf-8")
        assert f'content="0; url={target}"' in html and f'<a href="{target}">' in html
    redirects = tmp_path / "redirects"
    redirects.mkdir()
    (redirects / "old.html").write_bytes((out / "old.html").read_bytes())
    assert vnu_messages(redirects.resolve()) == []
