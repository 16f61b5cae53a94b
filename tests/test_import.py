"""`newsroom import`: plain-text bulletins → draft posts, checked against the curated 2017 posts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from importlib import resources
from pathlib import Path

import frontmatter
import pytest

from builder.editorial.bulletins import import_bulletin
from builder.cli import cli
from builder.terminal import import_summary_lines
from builder.pipeline.config import load_config
from builder.editorial.datetext import find_dates, resolve_dates
from builder.errors import BuildError, ConfigError
from builder.editorial.gazetteer import load_gazetteer
from builder.editorial.importer import draft_items, draft_title, split_paragraphs
from conftest import MINI_CONFIG, REPO, tree

SEEDS = sorted((REPO.parent / "shared" / "seeds").glob("*.txt")) or sorted(
    Path("/work/shared/seeds").glob("*.txt")
)
CURATED = REPO / "content" / "news" / "2017"
TODAY = date(2030, 6, 1)  # a year no bulletin names: a guessed year shows up as 2030
# Paragraphs with no date, by their opening words: general statements, and the two events
# a human dated by hand (their curated posts say "undated in the bulletin").
GENERAL_STATEMENTS = (
    "Risk assessment and management are of key importance",
    "Technical assistance missions on joint risk analysis",
)
UNDATED_EVENTS = (
    "BOMCA is introducing a new effective learning tool",
    "While the main focus of the BOMCA programme",
)

needs_seeds = pytest.mark.skipif(
    len(SEEDS) != 2, reason="the seed bulletins ../shared/seeds/*.txt are not here"
)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the repository's site (site.toml, templates) with an empty content/."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(REPO / "site.toml", root / "site.toml")
    shutil.copytree(REPO / "templates", root / "templates")
    (root / "content").mkdir()
    return root


def write_bulletin(tmp_path: Path, text: str, name: str = "bulletin.txt") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def words(text: str) -> set[str]:
    return set("".join(ch if ch.isalnum() else " " for ch in text.casefold()).split())


def curated_posts() -> list[frontmatter.Post]:
    return [frontmatter.load(path) for path in sorted(CURATED.glob("*.md"))]


def closest(text: str, posts: list[frontmatter.Post]) -> frontmatter.Post:
    """The post whose body shares the most words with `text`."""
    return max(
        posts,
        key=lambda post: (
            len(words(text) & words(post.content)) / len(words(text) | words(post.content))
        ),
    )


def draft(text: str, *, year: int | None = None, config_root: Path = REPO):
    config = load_config(config_root)
    return draft_items(
        textwrap.dedent(text),
        config=config,
        gazetteer=load_gazetteer(config),
        today=TODAY,
        year=year,
    )


# --- the seed bulletins against the curated posts ---------------------------------------


@needs_seeds
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_seed_bulletin_gives_the_curated_dates_and_countries(site, seed):
    report = import_bulletin(load_config(site), seed, today=TODAY)
    curated = curated_posts()
    assert report.written and len(report.written) == len(report.posts)
    for imported in report.written:
        post = frontmatter.load(site / imported.path)
        same_day = [c for c in curated if c["date"] == post["date"]]
        assert same_day, f"{imported.path}: no curated post dated {post['date']}"
        match = closest(post.content, same_day)
        assert post.get("end_date") == match.get("end_date"), imported.path
        assert post["countries"] == match["countries"], imported.path
        assert post["draft"] is True
        assert set(post["tags"]) & set(match["tags"]), (
            f"{imported.path}: tags {post['tags']} share nothing with {match['tags']}"
        )
        assert "# imported from " + seed.name in (site / imported.path).read_text("utf-8")


@needs_seeds
def test_seed_bulletins_report_exactly_the_undated_paragraphs(site):
    config = load_config(site)
    not_news = [
        skipped for seed in SEEDS for skipped in import_bulletin(config, seed, today=TODAY).not_news
    ]
    openings = sorted(s.paragraph.text for s in not_news)
    assert len(openings) == len(GENERAL_STATEMENTS) + len(UNDATED_EVENTS)
    for expected in GENERAL_STATEMENTS + UNDATED_EVENTS:
        assert any(text.startswith(expected) for text in openings), expected
    assert all(s.reason.startswith("no date") for s in not_news)
    # the undated events are exactly the curated posts a human dated by hand
    hand_dated = [
        frontmatter.load(p).content
        for p in CURATED.glob("*.md")
        if "undated in the bulletin" in p.read_text("utf-8")
    ]
    assert len(hand_dated) == len(UNDATED_EVENTS)
    for event in UNDATED_EVENTS:
        text = next(t for t in openings if t.startswith(event))
        assert closest(text, curated_posts()).content in hand_dated


@needs_seeds
def test_every_curated_post_comes_from_a_seed(site):
    config = load_config(site)
    imported = [
        frontmatter.load(site / p.path)
        for seed in SEEDS
        for p in import_bulletin(config, seed, today=TODAY).posts
    ]
    assert len(imported) + len(UNDATED_EVENTS) == len(list(CURATED.glob("*.md")))
    assert len({(p["date"], tuple(p["countries"])) for p in imported}) == len(imported)


@needs_seeds
def test_second_import_creates_nothing(site, runner):
    for seed in SEEDS:
        assert runner.invoke(cli, ["import", str(seed), "--root", str(site)]).exit_code == 0
    before = tree(site)
    for seed in SEEDS:
        result = runner.invoke(cli, ["import", str(seed), "--root", str(site)])
        assert result.exit_code == 0, result.output
        assert "Imported 0 draft posts" in result.stdout
        assert "already imported: skipped" in result.stdout
    assert tree(site) == before


@needs_seeds
def test_imported_drafts_build_only_with_drafts(site, runner):
    for seed in SEEDS:
        runner.invoke(cli, ["import", str(seed), "--root", str(site)])
    result = runner.invoke(cli, ["build", "--root", str(site)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built 0 posts")
    result = runner.invoke(cli, ["build", "--root", str(site), "--drafts"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built 12 posts")
    assert runner.invoke(cli, ["check", "--root", str(site), "--drafts"]).exit_code == 0


@needs_seeds
def test_cli_prints_the_summary_table(site, runner):
    seed = SEEDS[0].resolve()
    result = runner.invoke(cli, ["import", str(seed), "--root", str(site.resolve())])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("content/news/2017/")
    start = next(
        i for i, line in enumerate(lines) if line.startswith("content/news/2017/2017-03-14-")
    )
    block = lines[start : lines.index("", start)]
    assert block[1:4] == [
        "  date:         2017-03-14–2017-03-16",
        "  countries:    Kyrgyzstan",
        "  tags:         profiling, training, border guards",
    ]
    assert block[4:] == [
        "  needs a look: title: drafted from the first sentence: rewrite it",
        "                date: the year 2017 is taken from paragraph 6",
    ]
    assert f"{seed}:5: paragraph 3 (“BOMCA is introducing" in result.stdout
    assert lines[-1] == f"Imported 6 draft posts from {seed}; 2 paragraphs not news."


# --- the date forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("On 7th of February, 2017 BOMCA experts met customs officers in Osh.", "2017-02-07", None),
        (
            "Between 3-10 March donor meetings took place in Astana and Bishkek.",
            "2017-03-03",
            "2017-03-10",
        ),
        (
            "On December 12-14, 2017 experts visited the veterinary committee in Tashkent.",
            "2017-12-12",
            "2017-12-14",
        ),
        ("In mid-February experts held workshops in Dushanbe.", "2017-02-15", None),
        ("In January 2017, BOMCA held a workshop in Ashgabat.", "2017-01-01", None),
        ("On 29 November, the steering group met in Astana.", "2017-11-29", None),
        ("A course ran from 28 February to 2 March in Osh.", "2017-02-28", "2017-03-02"),
        ("On December 11-13 2017, BOMCA trained Kazakh border guards.", "2017-12-11", "2017-12-13"),
        (
            "A workshop was held in Bishkek 14-16 March, for border guards.",
            "2017-03-14",
            "2017-03-16",
        ),
        ("On February 27-28 a regional workshop was held in Bishkek.", "2017-02-27", "2017-02-28"),
        ("On 12-15 December in Ashgabat a workshop was conducted.", "2017-12-12", "2017-12-15"),
        ("Between 14 and 16 November experts trained trainers.", "2017-11-14", "2017-11-16"),
        (
            "Experts met from 28 December 2017 to 3 January 2018 in Termez.",
            "2017-12-28",
            "2018-01-03",
        ),
        ("Experts met from 28 December to 3 January in Termez.", "2017-12-28", "2018-01-03"),
        ("Experts met on the 3rd of May 2017 in Khujand.", "2017-05-03", None),
    ],
)
def test_date_forms(text, first, last):
    items = draft(text, year=2017).items
    assert len(items) == 1
    assert items[0].date.isoformat() == first
    assert (items[0].end_date.isoformat() if items[0].end_date else None) == last


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            "In mid-February experts held workshops in Dushanbe.",
            "'mid-February': the 15th stands in for the day",
        ),
        (
            "In January 2017, BOMCA held a workshop in Ashgabat.",
            "'January 2017' gives only the month: the 1st stands in for the day",
        ),
        ("In March experts visited Osh.", "'In March' gives only the month"),
    ],
)
def test_approximate_dates_are_marked_for_review(text, note):
    item = draft(text, year=2017).items[0]
    assert note in item.review_of("date")


def test_exact_dates_need_no_review():
    item = draft("On 7th of February, 2017 BOMCA experts met customs officers in Osh.").items[0]
    assert item.review_of("date") is None and item.review_of("countries") is None


def test_year_from_neighbouring_items():
    drafts = draft("""\
        On 12-15 December in Ashgabat a workshop was conducted.

        On December 11-13 2017, BOMCA trained border guards of Kazakhstan.

        On 29 November, the steering group met in Astana.

        Between 14-16 November experts trained trainers of Uzbekistan.
        """)
    assert [i.date.isoformat() for i in drafts.items] == [
        "2017-12-12",
        "2017-12-11",
        "2017-11-29",
        "2017-11-14",
    ]
    assert drafts.items[0].review_of("date") == "the year 2017 is taken from paragraph 2"
    assert drafts.items[1].review_of("date") is None
    assert drafts.items[3].review_of("date") == "the year 2017 is taken from paragraph 2"


def test_year_option_beats_neighbours_and_text_beats_both():
    drafts = draft(
        """\
        On 29 November, the steering group met in Astana.

        On December 11-13 2016, BOMCA trained border guards of Kazakhstan.
        """,
        year=2017,
    )
    assert [i.date.year for i in drafts.items] == [2017, 2016]
    assert all(i.review_of("date") is None for i in drafts.items)


def test_no_year_anywhere_is_a_marked_guess():
    item = draft("On 29 November, the steering group met in Astana.").items[0]
    assert item.date == date(TODAY.year, 11, 29)
    assert (
        item.review_of("date")
        == f"the bulletin gives no year: {TODAY.year} is a guess (import with --year)"
    )


def test_a_year_alone_is_no_date():
    drafts = draft("Technical assistance missions on joint risk analysis continue in 2018.")
    assert not drafts.items and drafts.not_news[0].reason.startswith("no date")


def test_a_day_that_does_not_exist_is_reported():
    drafts = draft("On 31 February 2017 a workshop was held in Osh.")
    assert not drafts.items and "'31 February 2017' is not a real date" in drafts.not_news[0].reason


def test_headings_are_not_news():
    drafts = draft("""\
        BOMCA Newsletter, December 2017

        On 12-15 December in Ashgabat a workshop was conducted.
        """)
    assert [i.paragraph.number for i in drafts.items] == [2]
    assert drafts.not_news[0].reason == "a heading, not a news item"


def test_paragraphs_keep_their_bulletin_lines():
    paragraphs = split_paragraphs("\n\nFirst line\ncontinued.\n \t\nSecond.\u00a0\n")
    assert [(p.number, p.line, p.text) for p in paragraphs] == [
        (1, 3, "First line continued."),
        (2, 6, "Second."),
    ]


def test_find_dates_ignores_may_the_verb_and_stray_numbers():
    assert find_dates("May we add 2 and 3 more trainers?") == []
    phrase = find_dates("It happened on Dec. 12, 2017.")[0]
    assert resolve_dates(phrase, 1999) == (date(2017, 12, 12), None)


# --- countries, location, tags, title -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "countries"),
    [
        ("On 3 March 2017 experts met Kyrgyz customs.", ("Kyrgyzstan",)),
        ("On 3 March 2017 experts met officials in Dushanbe and Khujand.", ("Tajikistan",)),
        (
            "On 3 March 2017 experts drew on Kazakhstan’s experience in Turkmenabat.",
            ("Kazakhstan", "Turkmenistan"),
        ),
        (
            "On 3 March 2017 delegates of all five Central Asian countries met.",
            ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"),
        ),
        (
            "On 3 March 2017 delegates from each Central Asian (CA) country met.",
            ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"),
        ),
        ("On 3 March 2017 experts met UZBEK officials in Termez.", ("Uzbekistan",)),
        ("On 3 March 2017 experts assisted the CA countries.", ()),
    ],
)
def test_countries_from_names_adjectives_and_places(text, countries):
    item = draft(text).items[0]
    assert item.countries == countries
    if not countries:
        assert item.review_of("countries") == "no country named: add one"


def test_region_phrases_are_marked_for_review():
    item = draft(
        "On 3 March 2017 delegates of all five Central Asian countries met in Almaty."
    ).items[0]
    assert item.review_of("countries") == "'all five Central Asian countries' read as all 5"


def test_location_is_the_first_place_named():
    item = draft("Between 3-10 March 2017 meetings took place in Astana and Bishkek.").items[0]
    assert item.location == "Astana"
    assert item.review_of("location") == "also names Bishkek"
    assert draft("On 3 March 2017 experts visited Kyrgyzstan.").items[0].location is None


def test_tags_come_from_site_keywords():
    item = draft(
        "On 3 March 2017 a workshop on risk analysis for Kyrgyz Customs and border guards was held."
    ).items[0]
    assert item.tags == ("risk management", "training", "border guards", "customs")
    assert (
        draft("On 3 March 2017 officials met in Osh.").items[0].review_of("tags")
        == "no tag keyword found"
    )


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "On 7th of February, 2017 BOMCA experts met customs officers in Osh. More text.",
            "BOMCA experts met customs officers in Osh",
        ),
        (
            "On 29 November, the 3rd Regional Steering Group (RSG) meeting was held in Astana. "
            "Representatives met.",
            "The 3rd Regional Steering Group (RSG) meeting was held in Astana",
        ),
        (
            "A workshop was held in Bishkek between 14-16 March, gathering professionals.",
            "A workshop was held in Bishkek, gathering professionals",
        ),
        (
            "In January 2017, BOMCA conducted a national workshop on identification and profiling "
            "techniques for border guards and law enforcement officers of Turkmenistan.",
            "BOMCA conducted a national workshop on identification and profiling techniques for "
            "border…",
        ),
    ],
)
def test_title_from_the_first_sentence(text, title):
    item = draft(text, year=2017).items[0]
    assert item.title == title
    assert len(item.title) <= 91
    assert item.review_of("title") == "drafted from the first sentence: rewrite it"


def test_draft_title_never_ends_on_a_small_word():
    phrase = find_dates("On 3 March 2017")[0]
    title = draft_title("On 3 March 2017 " + "experts from customs and " * 10 + "more.", phrase)
    assert title.endswith("…") and title.removesuffix("…").split()[-1] not in {"and", "from"}


# --- files, duplicates, errors, the CLI -------------------------------------------------------


BULLETIN = """\
    BOMCA Bulletin

    On 7th of February, 2017 BOMCA experts met customs officers in Osh.

    Between 3-10 March donor meetings took place in Astana and Bishkek.

    Effective risk management is a powerful tool for customs.
    """


def test_written_post_marks_each_uncertain_field(site, tmp_path):
    report = import_bulletin(load_config(site), write_bulletin(tmp_path, BULLETIN), today=TODAY)
    assert [p.path for p in report.written] == [
        "content/news/2017/2017-02-07-bomca-experts-met-customs-officers.md",
        "content/news/2017/2017-03-03-donor-meetings-took-place-in-astana.md",
    ]
    text = (site / report.written[1].path).read_text("utf-8")
    assert text.startswith("---\n# imported from bulletin.txt, paragraph 3 (line 5), sha1 ")
    assert (
        "\ntitle: Donor meetings took place in Astana and Bishkek  # review: drafted from the "
        "first sentence: rewrite it\n" in text
    )
    assert "\ndate: 2017-03-03  # review: the year 2017 is taken from paragraph 2\n" in text
    assert "\nend_date: 2017-03-10\n" in text
    assert "\ncountries: [Kazakhstan, Kyrgyzstan]\n" in text
    assert "\nlocation: Astana  # review: also names Bishkek\n" in text
    assert (
        "\ndraft: true\n---\nBetween 3-10 March donor meetings took place in Astana and Bishkek.\n"
        in text
    )
    assert [(s.paragraph.line, s.reason.split(":")[0]) for s in report.not_news] == [
        (1, "a heading, not a news item"),
        (7, "no date"),
    ]


def test_never_overwrites_and_same_paragraph_twice_is_one_post(site, tmp_path):
    target = site / "content/news/2017/2017-02-07-bomca-experts-met-customs-officers.md"
    target.parent.mkdir(parents=True)
    target.write_text(
        "---\ntitle: Something else\ndate: 2017-02-07\n---\nAnother text altogether.\n",
        encoding="utf-8",
    )
    paragraph = "On 7th of February, 2017 BOMCA experts met customs officers in Osh."
    report = import_bulletin(
        load_config(site), write_bulletin(tmp_path, f"{paragraph}\n\n{paragraph}\n"), today=TODAY
    )
    assert target.read_text("utf-8").startswith("---\ntitle: Something else")
    assert [p.path for p in report.written] == [
        "content/news/2017/2017-02-07-bomca-experts-met-customs-officers-2.md"
    ]
    assert report.posts[1].skipped == "the same as paragraph 1: skipped"
    text = (site / report.written[0].path).read_text("utf-8")
    assert "\nslug:" not in text  # only the file name was taken, not the title's URL


def test_an_edited_import_is_still_recognised(site, tmp_path):
    bulletin = write_bulletin(tmp_path, BULLETIN)
    first = import_bulletin(load_config(site), bulletin, today=TODAY).written[0]
    path = site / first.path
    edited = "\n".join(
        line for line in path.read_text("utf-8").splitlines() if not line.startswith("# ")
    ).replace("BOMCA experts", "BOMCA's experts")
    path.write_text(edited.replace("draft: true", "draft: false"), encoding="utf-8")
    again = import_bulletin(load_config(site), bulletin, today=TODAY)
    assert again.posts[0].skipped == "a post of the same date has nearly the same text: skipped"
    assert again.posts[0].path == first.path


def test_import_errors_exit_1_with_path_and_line(site, tmp_path, runner):
    missing = tmp_path / "nothing.txt"
    result = runner.invoke(cli, ["import", str(missing), "--root", str(site)])
    assert result.exit_code == 1
    assert f"{missing}: not found" in result.output
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"On 3 March 2017 a workshop.\n\nIn Almaty caf\xe9 owners met.\n")
    result = runner.invoke(cli, ["import", str(latin), "--root", str(site)])
    assert result.exit_code == 1
    assert f"{latin}:3: is not UTF-8 text (byte 0xe9 cannot be read)" in result.output
    assert tree(site / "content") == {}


def test_year_option_and_bad_language(site, tmp_path, runner):
    bulletin = write_bulletin(tmp_path, "On 29 November, the steering group met in Astana.\n")
    result = runner.invoke(
        cli, ["import", str(bulletin), "--year", "2016", "--lang", "en", "--root", str(site)]
    )
    assert result.exit_code == 0, result.output
    assert (site / "content/news/2016").is_dir()
    result = runner.invoke(cli, ["import", str(bulletin), "--lang", "xx", "--root", str(site)])
    assert result.exit_code == 2


class Recorder:
    """A Progress that remembers what it was told."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, int]] = []
        self.steps = 0

    def stage(self, name: str, total: int) -> None:
        self.stages.append((name, total))

    def advance(self, steps: int = 1) -> None:
        self.steps += steps


def test_progress_is_reported_and_no_bar_without_a_terminal(site, tmp_path, runner):
    many = "\n\n".join(
        f"On {day} March 2017 officials met in Osh for meeting number {day}."
        for day in range(1, 32)
    )
    many += "\n\n" + "\n\n".join(
        f"On {day} April 2017 officials met in Osh for meeting number {day}."
        for day in range(1, 31)
    )
    bulletin = write_bulletin(tmp_path, many)
    recorder = Recorder()
    import_bulletin(load_config(site), bulletin, today=TODAY, progress=recorder)
    assert recorder.stages == [("scan", 0), ("import", 61)] and recorder.steps == 61
    shutil.rmtree(site / "content" / "news")
    result = runner.invoke(cli, ["import", str(bulletin), "--root", str(site)])
    assert result.exit_code == 0, result.output
    assert "import" not in result.stderr and "#" not in result.stderr and "%" not in result.output


def test_summary_lines_for_an_empty_bulletin(site, tmp_path):
    report = import_bulletin(load_config(site), write_bulletin(tmp_path, "\n\n"), today=TODAY)
    assert (
        import_summary_lines(report)[-1]
        == f"Imported 0 draft posts from {tmp_path / 'bulletin.txt'}; 0 paragraphs not news."
    )


# --- the gazetteer and [import.tags] ------------------------------------------------------------


def test_gazetteer_ships_with_the_package():
    assert resources.files("builder").joinpath("data", "gazetteer.toml").is_file()
    assert 'builder = ["data/*.toml"]' in (REPO / "pyproject.toml").read_text("utf-8")


def test_site_gazetteer_extends_and_overrides(site):
    (site / "gazetteer.toml").write_text(
        '[countries.kyrgyzstan]\nplaces = ["Chon-Alai"]\n\n'
        '[countries.uzbekistan]\nplaces = ["Osh"]\n\n'
        '[regions.valley]\nphrases = ["Fergana Valley"]\n'
        'countries = ["kyrgyzstan", "tajikistan", "uzbekistan"]\n',
        encoding="utf-8",
    )
    config = load_config(site)
    gazetteer = load_gazetteer(config)
    item = draft_items(
        "On 3 March 2017 experts met in Chon-Alai.", config=config, gazetteer=gazetteer, today=TODAY
    ).items[0]
    assert (item.countries, item.location) == (("Kyrgyzstan",), "Chon-Alai")
    item = draft_items(
        "On 3 March 2017 experts met in Osh.", config=config, gazetteer=gazetteer, today=TODAY
    ).items[0]
    assert item.countries == ("Uzbekistan",)  # the site's word wins
    item = draft_items(
        "On 3 March 2017 experts toured the Fergana Valley.",
        config=config,
        gazetteer=gazetteer,
        today=TODAY,
    ).items[0]
    assert item.countries == ("Kyrgyzstan", "Tajikistan", "Uzbekistan")


def test_site_gazetteer_mistakes_name_file_and_line(site):
    (site / "gazetteer.toml").write_text(
        '[countries.kyrgystan]\nplaces = ["Osh"]\n\n[countries.tajikistan]\ncities = ["Khorog"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_gazetteer(load_config(site))
    messages = [str(p) for p in caught.value.problems]
    assert messages[0].startswith(
        "gazetteer.toml:1: [countries.kyrgystan] is not a country of site.toml"
    )
    assert messages[1] == (
        "gazetteer.toml:5: [countries.tajikistan] unknown key 'cities' (known keys: places, words)"
    )


def test_site_gazetteer_nested_too_deep_names_its_line(site):
    (site / "gazetteer.toml").write_text(
        '[countries.kyrgyzstan]\nplaces = ["Osh"]\nwords = ' + "[" * 5000 + "]" * 5000 + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_gazetteer(load_config(site))
    assert str(caught.value).startswith(
        "gazetteer.toml:3: arrays or inline tables nested more than 100 deep"
    )


def test_shipped_gazetteer_fits_a_site_with_other_countries(make_site):
    root = make_site({}, config=MINI_CONFIG)
    drafts = draft(
        "On 3 March 2017 experts from Almaty met officials in Osh and Dushanbe.", config_root=root
    )
    assert drafts.items[0].countries == (
        "Kyrgyzstan",
        "Tajikistan",
    )  # Kazakhstan is not a country of this site


def test_import_tags_config(make_site):
    assert load_config(make_site({}, config=MINI_CONFIG)).import_tags == ()
    root = make_site(
        {},
        config=MINI_CONFIG
        + (
            '\n[import.tags]\ntraining = ["workshop", "training"]\n'
            '"risk management" = ["risk analysis"]\n'
        ),
    )
    assert load_config(root).import_tags == (
        ("training", ("workshop", "training")),
        ("risk management", ("risk analysis",)),
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[import]\nkeywords = ["x"]\n', "[import] unknown key 'keywords' (known keys: tags)"),
        (
            '[import.tags]\ntraining = "workshop"\n',
            "[import.tags] training: expected a list of non-empty strings",
        ),
        ('[import.tags]\n"--" = ["x"]\n', "[import.tags] the tag '--' has no letters or digits"),
    ],
)
def test_import_tags_mistakes(make_site, extra, message):
    root = make_site({}, config=MINI_CONFIG + "\n" + extra)
    with pytest.raises(BuildError) as caught:
        load_config(root)
    line = (MINI_CONFIG + "\n" + extra).splitlines().index(extra.splitlines()[1]) + 1
    assert any(str(p).startswith(f"site.toml:{line}: {message}") for p in caught.value.problems), (
        caught.value.problems
    )


def run_import(site: Path, bulletin: Path) -> subprocess.CompletedProcess[str]:
    """`newsroom import` in a process of its own: a read that never ends fails by the timeout."""
    return subprocess.run(
        [sys.executable, "-m", "builder", "import", str(bulletin), "--root", str(site)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_import_refuses_pipes_devices_and_dangling_links(site, tmp_path):
    """A named pipe would wait for a writer for ever, /dev/zero would fill the memory."""
    fifo = tmp_path / "bulletin.txt"
    os.mkfifo(fifo)
    to_zero, dangling = tmp_path / "zero.md", tmp_path / "gone.md"
    to_zero.symlink_to("/dev/zero")
    dangling.symlink_to(tmp_path / "nothing")
    expected = {
        fifo: "is not a regular file (a named pipe, socket or device)",
        Path("/dev/zero"): "is not a regular file (a named pipe, socket or device)",
        to_zero: "is not a regular file (a named pipe, socket or device)",
        dangling: "is a symbolic link to nothing",
    }
    for bulletin, message in expected.items():
        result = run_import(site, bulletin)
        assert result.returncode == 1, result.stderr
        assert f"{bulletin}: {message}" in result.stdout + result.stderr
        assert "Traceback" not in result.stderr
    assert tree(site / "content") == {}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_import_skips_a_pipe_among_the_posts(site, tmp_path):
    """Looking for posts already there, import reads no pipe (the build names it, not import)."""
    (site / "content/news").mkdir(parents=True, exist_ok=True)
    os.mkfifo(site / "content/news/pipe.md")
    bulletin = write_bulletin(tmp_path, "On 29 November 2016, the steering group met in Astana.\n")
    result = run_import(site, bulletin)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(list((site / "content/news").rglob("*.md"))) == 2  # the pipe and the new post


def test_the_import_summary_counts_one_post_and_one_paragraph_in_the_singular(
    site, tmp_path, runner
):
    bulletin = write_bulletin(
        tmp_path,
        """
        BOMCA Newsletter, March 2017

        On 14 March 2017 a workshop on risk analysis was held in Bishkek, Kyrgyzstan.
        """,
    )
    result = runner.invoke(cli, ["import", str(bulletin), "--root", str(site)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        f"Imported 1 draft post from {bulletin}; 1 paragraph not news."
    )


def test_the_import_summary_fits_100_columns(site, tmp_path, runner):
    """Five countries, four tags and three review notes: each post's lines still fit."""
    bulletin = write_bulletin(
        tmp_path,
        """
        In mid-February a regional workshop on risk management and border guards training in
        customs was held for all five Central Asian countries, in Bishkek, Osh and Dushanbe.

        On 7 March 2017 customs officers of Kazakhstan met in Almaty.
        """,
    )
    result = runner.invoke(cli, ["import", str(bulletin), "--root", str(site)])
    assert result.exit_code == 0, result.output
    *table, last = result.stdout.splitlines()
    assert last.startswith("Imported 2 draft posts from ")
    wide = [line for line in table if len(line) > 100]
    assert not wide, "lines wider than 100 columns:\n" + "\n".join(wide)
    text = "\n".join(table)
    for name in ("Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"):
        assert name in text
    assert "the year 2017 is taken from paragraph 2" in text
    assert "'mid-February': the 15th stands in for the day" in " ".join(text.split())
    written = {p.relative_to(site).as_posix() for p in site.glob("content/news/*/*.md")}
    assert len(written) == 2 and written <= set(table), "each file is named on a line of its own"
