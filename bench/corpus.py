"""A seeded, deterministic news corpus written three ways: for newsroom, Pelican and Hugo.

    python bench/corpus.py DIR --posts 1000 [--seed 1]

writes

    DIR/newsroom/   a complete newsroom site: site.toml (the repo's, with per_page = 10 and
                    [feeds] items = 20), the repo's templates/, content/news/YYYY/*.md
    DIR/pelican/    pelicanconf.py + content/*.md (Pelican metadata), default theme
    DIR/hugo/       hugo.toml + layouts/ + content/news/YYYY/*.md (YAML front matter)

The three copies hold the same posts: same titles, dates, slugs, countries, tags, location,
summary and body bytes, and every tool writes a post to the same URL, /news/YYYY/slug/.
Same seed and size → byte-identical files (no clock, no hash() of str, no set order).

What "the same work" means for each tool is in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PER_PAGE = 10
FEED_ITEMS = 20
FIRST_DAY, LAST_DAY = date(2005, 1, 1), date(2024, 12, 31)  # ~20 years, all in the past

# Places the generator names as a post's location, by country key of site.toml. A country
# of site.toml missing here still works: its posts just have no location.
CITIES = {
    "kazakhstan": ["Astana", "Almaty", "Shymkent", "Aktobe", "Karaganda", "Khorgos"],
    "kyrgyzstan": ["Bishkek", "Osh", "Karakol", "Batken", "Jalal-Abad", "Naryn"],
    "tajikistan": ["Dushanbe", "Khujand", "Khorog", "Kulob", "Bokhtar", "Panji Poyon"],
    "turkmenistan": ["Ashgabat", "Turkmenabat", "Mary", "Dashoguz", "Turkmenbashi", "Serhetabat"],
    "uzbekistan": ["Tashkent", "Samarkand", "Bukhara", "Termez", "Nukus", "Andijan"],
}

# ~40 tags: the site's [import.tags] topics plus others a border programme writes about.
# No two differ only by '-' or spaces (newsroom would warn about spelling variants).
TAGS = [
    "profiling",
    "risk management",
    "training",
    "border guards",
    "customs",
    "document security",
    "sanitary and phytosanitary",
    "veterinary",
    "e-commerce",
    "distance learning",
    "regional cooperation",
    "donor coordination",
    "steering group",
    "migration",
    "equipment",
    "integrated border management",
    "drug control",
    "canine units",
    "green border",
    "border crossing points",
    "trade facilitation",
    "legislation",
    "gender equality",
    "human rights",
    "study visit",
    "conference",
    "anti-corruption",
    "cross-border cooperation",
    "IT systems",
    "infrastructure",
    "laboratories",
    "food safety",
    "post-clearance audit",
    "single window",
    "transit",
    "interagency cooperation",
    "crisis management",
    "language courses",
    "trafficking in human beings",
    "EU best practices",
]

EVENTS = [
    "Workshop",
    "Training",
    "Seminar",
    "Study visit",
    "Round table",
    "Conference",
    "Meeting",
    "Equipment handover",
    "Assessment mission",
    "Exercise",
    "Course",
    "Consultation",
]
TOPIC = [
    "on risk management",
    "on document security",
    "on profiling",
    "for border guards",
    "for customs officers",
    "on e-commerce",
    "on integrated border management",
    "on trade facilitation",
    "on drug control",
    "for veterinary services",
    "on migration",
    "on phytosanitary control",
    "for trainers",
    "on post-clearance audit",
    "on canine handling",
]

# Pseudo-text: common English words and the programme's vocabulary, weighted by repetition.
COMMON = (
    "the of and to in a for on with by at from as that this was were is are be has have "
    "its their which also more than all two three new national regional joint"
).split()
DOMAIN = (
    "border guards customs officers agency agencies ministry ministries programme "
    "experts participants delegation delegations workshop training seminar course "
    "session sessions equipment handover checkpoint checkpoints crossing point points "
    "management risk analysis profiling document documents security control controls "
    "cooperation coordination strategy legislation procedures standards practices "
    "European Union EU BOMCA partners representatives trainers instructors laboratory "
    "veterinary phytosanitary inspection inspections clearance goods cargo transit "
    "trade facilitation migration readmission trafficking drugs precursors canine "
    "dogs handlers vehicles scanners computers software database databases system "
    "systems centre centres academy college institute officials colleagues field "
    "exercise exercises assessment mission recommendations report reports meeting "
    "meetings conference steering group donors stakeholders beneficiaries capacity "
    "skills knowledge experience methods techniques modules curriculum certificates "
    "graduates study visit visits countries region Central Asia Afghanistan"
).split()
VERBS = (
    "discussed presented reviewed agreed organised conducted delivered handed attended "
    "improved strengthened developed introduced assessed tested shared explained "
    "visited supported prepared adopted launched completed evaluated"
).split()
WORDS = COMMON * 3 + DOMAIN + VERBS * 2


@dataclass(frozen=True, slots=True)
class Post:
    """One news item, independent of any tool's file format."""

    index: int
    title: str
    slug: str
    day: date
    countries: tuple[str, ...]  # country names as site.toml spells them
    tags: tuple[str, ...]
    location: str | None
    summary: str | None
    body: str  # Markdown, ends with "\n"

    @property
    def stem(self) -> str:
        return f"{self.day.isoformat()}-{self.slug}"


@dataclass(frozen=True, slots=True)
class Corpus:
    root: Path
    n: int
    seed: int
    posts: tuple[Post, ...]
    newsroom: Path  # site root
    pelican: Path  # holds pelicanconf.py and content/
    hugo: Path  # hugo site root

    def source(self, tool: str, post: Post) -> Path:
        """The file that holds `post` for `tool`."""
        if tool == "newsroom":
            return self.newsroom / "content" / "news" / str(post.day.year) / f"{post.stem}.md"
        if tool == "pelican":
            return self.pelican / "content" / f"{post.stem}.md"
        if tool == "hugo":
            return self.hugo / "content" / "news" / str(post.day.year) / f"{post.stem}.md"
        raise ValueError(tool)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def site_countries(site_toml: Path) -> list[tuple[str, str]]:
    """(key, name) of every country of the repo's site.toml, in file order."""
    with site_toml.open("rb") as f:
        data = tomllib.load(f)
    return [(key, value["name"]) for key, value in data.get("countries", {}).items()]


# --- text -------------------------------------------------------------------------------


def sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.12:  # some inline Markdown and typography for smarty and extra
        i = rng.randrange(len(words) - 1)
        words[i] = f"**{words[i]} {words[i + 1]}**"
        del words[i + 1]
    if rng.random() < 0.08:
        words.insert(rng.randrange(1, len(words)), "--")
    if rng.random() < 0.08:
        i = rng.randrange(len(words))
        words[i] = f'"{words[i]}"'
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> str:
    out: list[str] = []
    count = 0
    while count < words:
        s = sentence(rng)
        out.append(s)
        count += len(s.split())
    return " ".join(out)


def make_body(rng: random.Random, target: int) -> str:
    """About `target` words in 3-8 paragraphs; sometimes a heading, a list, a link."""
    lead_words = rng.randint(15, 35)
    rest = max(target - lead_words, 60)
    n_paras = rng.randint(2, 7)
    cuts = sorted(rng.sample(range(1, rest), n_paras - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, rest], strict=True)]
    blocks = [paragraph(rng, lead_words)]
    for i, size in enumerate(sizes):
        if i == len(sizes) // 2 and rng.random() < 0.2:
            blocks.append("## " + sentence(rng, 3, 6).rstrip("."))
        blocks.append(paragraph(rng, max(size, 8)))
    if rng.random() < 0.2:
        blocks.insert(
            rng.randint(2, len(blocks)),
            "\n".join(f"- {sentence(rng, 4, 10)}" for _ in range(rng.randint(3, 5))),
        )
    if rng.random() < 0.3:
        blocks.append(
            "More information: [the programme's "
            f"partners](https://example.org/partners/{rng.randint(1, 99)}/)."
        )
    return "\n\n".join(blocks) + "\n"


def make_posts(n: int, seed: int, countries: list[tuple[str, str]]) -> tuple[Post, ...]:
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    tag_weights = [1 / (i + 1) ** 0.7 for i in range(len(TAGS))]  # a few tags much more used
    posts = []
    for i in range(n):
        day = FIRST_DAY + timedelta(days=rng.randrange(span + 1))
        k = rng.choices((1, 2, 3), weights=(60, 25, 15))[0]
        chosen = rng.sample(countries, k)
        tags: list[str] = []
        want = rng.randint(2, 4)
        while len(tags) < want:
            tag = rng.choices(TAGS, weights=tag_weights)[0]
            if tag not in tags:
                tags.append(tag)
        cities = CITIES.get(chosen[0][0])
        location = rng.choice(cities) if cities else None
        title = f"{rng.choice(EVENTS)} {rng.choice(TOPIC)}" + (
            f" in {location}" if location else f" in {chosen[0][1]}"
        )
        slug = f"{slugify(title)}-{i + 1}"  # unique: no two posts share a URL
        target = int(min(max(rng.gauss(405, 130), 150), 950))  # ~450 words once paragraphs round up
        body = make_body(rng, target)
        lead = body.split("\n\n", 1)[0]
        # newsroom warns about an opening over 300 characters without a summary; real
        # editors add one, and so do we (the same text goes to Pelican and Hugo).
        summary = sentence(rng, 18, 30) if len(lead) > 280 or rng.random() < 0.2 else None
        posts.append(
            Post(
                i,
                title,
                slug,
                day,
                tuple(name for _, name in chosen),
                tuple(tags),
                location,
                summary,
                body,
            )
        )
    return tuple(posts)


# --- writers ----------------------------------------------------------------------------


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def newsroom_site_toml(repo_toml: str, search: bool = False) -> str:
    """The repo's site.toml with per_page = 10, [feeds] items = 20 and, unless `search`, no
    search index (Hugo and Pelican make none)."""
    text, n1 = re.subn(r"(?m)^per_page\s*=\s*\d+", f"per_page = {PER_PAGE}", repo_toml)
    text, n2 = re.subn(r"(?m)^items\s*=\s*\d+", f"items = {FEED_ITEMS}", text)
    if not (n1 and n2):
        raise SystemExit("bench/corpus.py: site.toml has no per_page or [feeds] items line to set")
    text = re.sub(r"(?ms)^\[search\].*?(?=^\[|\Z)", "", text)  # the benchmark decides
    text += f"\n[search]\nenabled = {'true' if search else 'false'}\n"
    data = tomllib.loads(text)
    assert (
        data["site"]["per_page"] == PER_PAGE
        and data["feeds"]["items"] == FEED_ITEMS
        and data["search"]["enabled"] == search
    )
    return text


def write_newsroom(site: Path, posts: tuple[Post, ...], source: Path, search: bool = False) -> None:
    site.mkdir(parents=True)
    (site / "site.toml").write_text(
        newsroom_site_toml((source / "site.toml").read_text(encoding="utf-8"), search),
        encoding="utf-8",
    )
    shutil.copytree(
        source / "templates",
        site / "templates",
        ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"),
    )
    for post in posts:
        lines = [
            "---",
            f"title: {q(post.title)}",
            f"date: {post.day.isoformat()}",
            "countries: [" + ", ".join(q(c) for c in post.countries) + "]",
        ]
        if post.location:
            lines.append(f"location: {q(post.location)}")
        lines.append("tags: [" + ", ".join(q(t) for t in post.tags) + "]")
        if post.summary:
            lines.append(f"summary: {q(post.summary)}")
        lines += [f"slug: {post.slug}", "---", ""]
        path = site / "content" / "news" / str(post.day.year) / f"{post.stem}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + post.body, encoding="utf-8")


PELICANCONF = """\
# Generated by bench/corpus.py: Pelican doing the work newsroom does (see bench/README.md).
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, "content")
AUTHOR = "BOMCA"
SITENAME = {title!r}
SITEURL = {siteurl!r}
TIMEZONE = {timezone!r}
DEFAULT_LANG = "en"
# THEME: Pelican's default (notmyidea).

# The same Python-Markdown extensions as newsroom (builder/markup.py); Pelican adds `meta`
# itself to read the metadata block.
MARKDOWN = {{
    "extension_configs": {{
        "markdown.extensions.extra": {{}},
        "markdown.extensions.sane_lists": {{}},
        "markdown.extensions.smarty": {{}},
    }},
    "output_format": "html5",
}}

# Posts at /news/YYYY/slug/ like newsroom's; countries are tags (see bench/README.md).
ARTICLE_URL = "news/{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "news/{{date:%Y}}/{{slug}}/index.html"
TAG_URL = "tags/{{slug}}/"
TAG_SAVE_AS = "tags/{{slug}}/index.html"
TAGS_URL = "tags/"
TAGS_SAVE_AS = "tags/index.html"
ARCHIVES_URL = "archive/"
ARCHIVES_SAVE_AS = "archive/index.html"
YEAR_ARCHIVE_URL = "archive/{{date:%Y}}/"
YEAR_ARCHIVE_SAVE_AS = "archive/{{date:%Y}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"

# One category for everything ("News"): its pages would repeat the home list, so, like
# authors, it gets no pages and no feeds. newsroom has neither categories nor authors.
DIRECT_TEMPLATES = ["index", "tags", "archives"]
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "News"

# Lists of 10, with newsroom's page/N/ URLs.
DEFAULT_PAGINATION = {per_page}
PAGINATED_TEMPLATES = {{"index": None, "tag": None}}
PAGINATION_PATTERNS = (
    (1, "{{url}}", "{{save_as}}"),
    (2, "{{base_name}}/page/{{number}}/", "{{base_name}}/page/{{number}}/index.html"),
)

# RSS + Atom for the whole site and for every tag (countries included), 20 items, full text.
FEED_MAX_ITEMS = {feed_items}
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_RSS = "feed.xml"
FEED_ALL_ATOM = "atom.xml"
TAG_FEED_RSS = "tags/{{slug}}/feed.xml"
TAG_FEED_ATOM = "tags/{{slug}}/atom.xml"
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# The content cache, so an unchanged post is not parsed again on a rebuild.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "reader"
CHECK_MODIFIED_METHOD = "mtime"
CACHE_PATH = os.path.join(HERE, "cache")
DELETE_OUTPUT_DIRECTORY = False
RELATIVE_URLS = False
"""


def write_pelican(top: Path, posts: tuple[Post, ...], site: dict) -> None:
    content = top / "content"
    content.mkdir(parents=True)
    (top / "pelicanconf.py").write_text(
        PELICANCONF.format(
            title=site["title"],
            siteurl=site["base_url"].rstrip("/"),
            timezone=site["timezone"],
            per_page=PER_PAGE,
            feed_items=FEED_ITEMS,
        ),
        encoding="utf-8",
    )
    for post in posts:
        # Metadata values are one line each; Pelican splits Tags on commas.
        lines = [
            f"Title: {post.title}",
            f"Date: {post.day.isoformat()}",
            "Category: News",
            "Tags: " + ", ".join((*post.tags, *post.countries)),
            f"Slug: {post.slug}",
        ]
        if post.location:
            lines.append(f"Location: {post.location}")
        if post.summary:
            lines.append(f"Summary: {post.summary}")
        (content / f"{post.stem}.md").write_text(
            "\n".join(lines) + "\n\n" + post.body, encoding="utf-8"
        )


HUGO_RELATED = ("full", "tags", "off")


def write_hugo(
    top: Path, posts: tuple[Post, ...], site: dict, source: Path, related: str = "full"
) -> None:
    """`related`: "full" (tags ×2 + countries ×1, like newsroom), "tags" (tags only), "off"."""
    if related not in HUGO_RELATED:
        raise ValueError(f"related must be one of {HUGO_RELATED}")
    shutil.copytree(BENCH / "hugo_site", top, ignore=shutil.ignore_patterns("hugo.toml"))
    config = (BENCH / "hugo_site" / "hugo.toml").read_text(encoding="utf-8")
    for key, value in (
        ("BASE_URL", site["base_url"]),
        ("TITLE", site["title"]),
        ("TIMEZONE", site["timezone"]),
        ("DESCRIPTION", site["description"]),
        ("PER_PAGE", str(PER_PAGE)),
        ("FEED_ITEMS", str(FEED_ITEMS)),
        ("RELATED_POSTS", "false" if related == "off" else "true"),
    ):
        config = config.replace(f"@{key}@", value)
    if related == "tags":
        countries_index = '[[related.indices]]\nname = "countries"\nweight = 1\n'
        assert countries_index in config
        config = config.replace(countries_index, "")
    (top / "hugo.toml").write_text(config, encoding="utf-8")
    static = top / "static" / "static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        source / "templates" / "static" / "style.css", static / "style.css"
    )  # newsroom's stylesheet
    news = top / "content" / "news"
    news.mkdir(parents=True)
    # Sections make the archive: /archive/ (years) and /archive/YYYY/ (that year's posts).
    (news / "_index.md").write_text(
        '---\ntitle: "Archive"\nurl: /archive/\n---\n', encoding="utf-8"
    )
    for year in sorted({p.day.year for p in posts}):
        (news / str(year)).mkdir()
        (news / str(year) / "_index.md").write_text(
            f'---\ntitle: "{year}"\nurl: /archive/{year}/\n---\n', encoding="utf-8"
        )
    for post in posts:
        lines = [
            "---",
            f"title: {q(post.title)}",
            f"date: {post.day.isoformat()}",
            f"slug: {post.slug}",
            "countries: [" + ", ".join(q(c) for c in post.countries) + "]",
            "tags: [" + ", ".join(q(t) for t in post.tags) + "]",
        ]
        if post.location:
            lines.append(f"location: {q(post.location)}")
        if post.summary:
            lines.append(f"summary: {q(post.summary)}")
        lines += ["---", ""]
        (news / str(post.day.year) / f"{post.stem}.md").write_text(
            "\n".join(lines) + post.body, encoding="utf-8"
        )


def make_corpus(
    root: Path,
    n: int,
    seed: int = 1,
    source: Path = REPO,
    hugo_related: str = "full",
    newsroom_search: bool = False,
) -> Corpus:
    """Write the same `n` posts for newsroom, Pelican and Hugo into `root` (absent or empty).

    `source` is the newsroom checkout whose site.toml and templates/ the site takes (this repo
    by default; bench/run.py --newsroom-ref passes an exported commit). `hugo_related`: see
    write_hugo; only "full" is the same work as newsroom's related posts. `newsroom_search`:
    newsroom's site makes its search index, which Hugo's and Pelican's do not.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} is not empty")
    root.mkdir(parents=True, exist_ok=True)
    with (source / "site.toml").open("rb") as f:
        site = tomllib.load(f)["site"]
    countries = site_countries(source / "site.toml")
    if not countries:
        raise SystemExit("bench/corpus.py: the repo's site.toml names no countries")
    posts = make_posts(n, seed, countries)
    corpus = Corpus(
        root=root,
        n=n,
        seed=seed,
        posts=posts,
        newsroom=root / "newsroom",
        pelican=root / "pelican",
        hugo=root / "hugo",
    )
    write_newsroom(corpus.newsroom, posts, source, newsroom_search)
    write_pelican(corpus.pelican, posts, site)
    write_hugo(corpus.hugo, posts, site, source, hugo_related)
    return corpus


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Write a seeded benchmark corpus for newsroom, Pelican and Hugo."
    )
    parser.add_argument("dir", type=Path)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hugo-related", choices=HUGO_RELATED, default="full")
    args = parser.parse_args(argv)
    corpus = make_corpus(args.dir, args.posts, args.seed, hugo_related=args.hugo_related)
    words = sum(len(p.body.split()) for p in corpus.posts)
    print(
        f"{corpus.n} posts ({words / max(corpus.n, 1):.0f} words on average) in "
        f"{corpus.root}/{{newsroom,pelican,hugo}}"
    )


if __name__ == "__main__":
    sys.exit(main())
