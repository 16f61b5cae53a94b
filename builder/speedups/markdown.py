"""Python-Markdown, quicker: its inline, block and preprocessor stages skip the work that cannot
change the result. Measured on the bench's cold build (bench/corpus.py, callgrind instruction
counts, one process): see GAINS. Compared with Python-Markdown's own stages on random Markdown
and on the sites' posts by tests/test_speedups_markdown.py.

Each part checks that the library is the version it was written against (the private names
exist, the processors are of the very classes named) and leaves it alone otherwise.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import markdown
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

from builder.speedups import enabled

# What each part buys: how many more instructions a cold build of 10,000 posts (bench/corpus.py,
# jobs=1, search off) executes with only that part turned off, measured with callgrind against
# 116.1 billion with every part on (2026-12, Python 3.11, Markdown 3.x).
GAINS = {
    "inline patterns tried only where they can match": "+130.4 %",
    "block processors asked only about blocks they can take": "+28.2 %",
    "  of which the table processor alone": "+3.1 %",
    "preprocessors skipped on text they leave unchanged": "+5.9 %",
}

# Inline patterns, by registered name, and the text one of which a piece of text must hold
# for the pattern to match in it. Python-Markdown tries every inline pattern on every piece of
# text, at a few microseconds a try; skipping the tries that cannot match gives the same HTML
# about twice as fast. A pattern not listed here (from another version) is always tried.
TRIGGERS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("[",),
    "image_reference": ("[",),
    "short_reference": ("[",),
    "short_image_ref": ("[",),
    "footnote": ("[",),
    "autolink": ("<",),
    "automail": ("<",),
    "html": ("<",),
    "linebreak": ("  \n",),
    "smarty-ellipses": ("...",),
    "smarty-em-dashes": ("---",),
    "smarty-en-dashes": ("--",),
    # smarty's quote patterns, in its order: what each one's match holds
    **{
        f"smarty-quotes-{n}": trigger
        for n, trigger in enumerate(
            [("'",), ('"',), ("\"'",), ("'\"",), ("'\"",), ("\"'",)] + [("'",)] * 5 + [('"',)] * 4
        )
    },
}
APPLY_PATTERN = (
    "_InlineProcessor__applyPattern"  # Python-Markdown's (private) one try of one pattern
)


class QuickInlineProcessor(InlineProcessor):
    """Python-Markdown's InlineProcessor, not trying a pattern on text that lacks its trigger.

    The loop is Python-Markdown's own (`__handleInline`): each pattern in turn, the same
    pattern again after a match. A match lies at or after `startIndex` and holds its trigger,
    so where the trigger is absent the try is skipped with the result it would have had
    (no match: next pattern, from the start). Tested against the original on random text.
    """

    quick: list[
        tuple[Any, tuple[str, ...] | None, int]
    ]  # (pattern, its trigger, where the patterns with that trigger end)
    any_trigger: re.Pattern[str] | None  # finds any pattern's trigger; None if a pattern has none

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, AtomicString) or (
            self.any_trigger is not None and self.any_trigger.search(data) is None
        ):
            # most pieces of text (4 in 5 on the bench) hold no trigger: every try is skipped
            return data
        apply = getattr(self, APPLY_PATTERN)
        quick, start = self.quick, 0
        while patternIndex < len(quick):
            pattern, wanted, group_end = quick[patternIndex]
            if (
                wanted is not None
                and data.find(wanted[0], start) < 0
                and (len(wanted) == 1 or all(data.find(t, start) < 0 for t in wanted[1:]))
            ):
                # a trigger absent from the whole text is absent for the next patterns too
                # (they start at 0)
                patternIndex = (
                    group_end
                    if start == 0 or not any(t in data for t in wanted)
                    else patternIndex + 1
                )
                start = 0
                continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def quicken(processor: object) -> None:
    """Make a Python-Markdown inline processor skip hopeless tries (if this version allows)."""
    if type(processor) is not InlineProcessor or not all(
        hasattr(InlineProcessor, name) for name in (APPLY_PATTERN, "_InlineProcessor__handleInline")
    ):
        return
    registry = processor.inlinePatterns
    names = [
        item.name
        for item in sorted(registry._priority, key=lambda item: item.priority, reverse=True)
    ]
    if [registry[name] for name in names] != [registry[i] for i in range(len(registry))]:
        return  # not the order this version tries them in: leave it alone
    processor.__class__ = QuickInlineProcessor
    wanted = [TRIGGERS.get(name) for name in names]
    ends = list(range(1, len(names) + 1))
    for i in range(len(names) - 2, -1, -1):  # the patterns after i that share its trigger
        if wanted[i] is not None and wanted[i] == wanted[i + 1]:
            ends[i] = ends[i + 1]
    processor.quick = [
        (registry[name], want, end) for name, want, end in zip(names, wanted, ends, strict=True)
    ]
    every = sorted(
        {t for want in wanted if want is not None for t in want}, key=lambda t: (-len(t), t)
    )
    processor.any_trigger = (
        re.compile("|".join(map(re.escape, every))) if every and None not in wanted else None
    )


# Block processors, by registered name and class, and the text one of which a block must hold
# for the processor to take it. Python-Markdown asks each processor in turn about each block,
# most with a regular expression searched through the whole block; the question is skipped,
# with the answer it would have had (no), where the block lacks the trigger. `test` is asked
# for the first kind; for the second, whose `test` always says yes, `run` looks and declines.
BLOCK_TESTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "table": ("markdown.extensions.tables", "TableProcessor", ("|",)),
    "hashheader": ("markdown.blockprocessors", "HashHeaderProcessor", ("#",)),
    "setextheader": ("markdown.blockprocessors", "SetextHeaderProcessor", ("\n=", "\n-")),
    "hr": ("markdown.blockprocessors", "HRProcessor", ("-", "_", "*")),
    "deflist": ("markdown.extensions.def_list", "DefListProcessor", (":",)),
    "quote": ("markdown.blockprocessors", "BlockQuoteProcessor", (">",)),
}
BLOCK_RUNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "footnote": ("markdown.extensions.footnotes", "FootnoteBlockProcessor", ("[^",)),
    "abbr": ("markdown.extensions.abbr", "AbbrBlockprocessor", ("*[",)),
    "reference": ("markdown.blockprocessors", "ReferenceProcessor", ("]:",)),
}


# Preprocessors, by registered name and class, and the text one of which a body must hold for
# the preprocessor to change it: without it, the lines are given back as they came. Each runs
# a regular expression or an HTML parser through the whole body.
PRE_RUNS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "fenced_code_block": (
        "markdown.extensions.fenced_code",
        "FencedBlockPreprocessor",
        ("```", "~~~"),
    ),
    "html_block": ("markdown.extensions.md_in_html", "HtmlBlockPreprocessor", ("<",)),
}


def named_processor(registry: Any, name: str, module: str, cls: str) -> Any:
    """The processor registered as `name` if it is of the very class named (else None: another
    version's processor is left alone)."""
    processor = registry[name] if name in registry else None
    if (
        processor is None
        or f"{type(processor).__module__}.{type(processor).__name__}" != f"{module}.{cls}"
    ):
        return None
    return processor


def quicken_blocks(registry: Any) -> None:
    """Make Python-Markdown's block processors skip blocks they cannot take (see BLOCK_TESTS)."""
    for table, method in ((BLOCK_TESTS, "test"), (BLOCK_RUNS, "run")):
        for name, (module, cls, triggers) in table.items():
            if processor := named_processor(registry, name, module, cls):
                setattr(
                    processor, method, skip_without(getattr(processor, method), triggers, method)
                )


def quicken_preprocessors(registry: Any) -> None:
    """Make Python-Markdown's preprocessors skip bodies they would not change (see PRE_RUNS)."""
    for name, (module, cls, triggers) in PRE_RUNS.items():
        if processor := named_processor(registry, name, module, cls):
            processor.run = skip_lines_without(processor.run, triggers)


def skip_lines_without(
    run: Callable[[list[str]], list[str]], triggers: tuple[str, ...]
) -> Callable[[list[str]], list[str]]:
    """A preprocessor's `run`, giving the lines back at once when they hold none of the triggers."""

    def quick_run(lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        return run(lines) if any(t in text for t in triggers) else lines

    return quick_run


def skip_without(
    ask: Callable[[Any, Any], Any], triggers: tuple[str, ...], method: str
) -> Callable[[Any, Any], Any]:
    """`ask`, answered no at once when the block holds none of the triggers."""
    if method == "test":

        def test(parent: Any, block: str) -> Any:
            return ask(parent, block) if any(t in block for t in triggers) else False

        return test

    def run(parent: Any, blocks: list[str]) -> Any:
        return ask(parent, blocks) if any(t in blocks[0] for t in triggers) else False

    return run


def speed_up(md: markdown.Markdown) -> None:
    """Make one Markdown instance quicker, giving the same HTML (nothing if speed-ups are off)."""
    if not enabled():
        return
    for name in ("inline", "smarty"):
        if name in md.treeprocessors:
            quicken(md.treeprocessors[name])
    quicken_blocks(md.parser.blockprocessors)
    quicken_preprocessors(md.preprocessors)
