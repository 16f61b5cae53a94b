"""Jinja2, quicker: templates call macros and newsroom's helpers without asking them what they
want passed in, and escape text without MarkupSafe's Python wrapper. Measured on the bench's
cold build (bench/corpus.py, callgrind instruction counts, one process): see GAINS. Compared
with Jinja's own context and escape on every kind of call and value and on whole sites by
tests/test_speedups_jinja.py.

Each part checks that Jinja and MarkupSafe are the versions it was written against and leaves
them alone otherwise.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

import jinja2
import markupsafe
from markupsafe import Markup

from builder.speedups import enabled

# What each part buys: how many more instructions a cold build of 10,000 posts (bench/corpus.py,
# jobs=1, search off) executes with only that part turned off, measured with callgrind against
# 116.1 billion with every part on (2026-12, Python 3.11, Jinja2 3.1, MarkupSafe 2/3).
GAINS = {
    "calls without asking each callable what it wants passed": "+5.8 %",
    "escape without MarkupSafe's Python wrapper": "+6.3 %",
}


def speed_up(env: jinja2.Environment, *, direct: tuple[Callable[..., Any], ...]) -> None:
    """Make an environment's templates quicker, giving the same pages (nothing if speed-ups are
    off); `direct`: the environment's helpers that take their arguments as given."""
    if not enabled():
        return
    env.context_class = quick_context(direct)
    env.template_class = QUICK_TEMPLATE


def quick_context(plain: Iterable[Callable[..., Any]]) -> type[jinja2.runtime.Context]:
    """Jinja's template context, calling macros and the `plain` helpers without asking first.

    A template's every call goes through Context.call, which first asks the callable what it
    wants passed in (some 60 calls a page, mostly url() and macros). A macro wants the
    evaluation context, the helpers nothing; they get just that, as Context.call would give
    it: a tenth of the time of a list page. A version of Jinja whose macros want otherwise
    keeps its own context.
    """
    context, macro, plain = jinja2.runtime.Context, jinja2.runtime.Macro, tuple(plain)
    wants = getattr(macro.__call__, "jinja_pass_arg", None)
    if (
        hasattr(macro, "jinja_pass_arg")
        or getattr(wants, "name", None) != "eval_context"
        or any(hasattr(item, "jinja_pass_arg") for item in plain)
    ):
        return context
    direct = frozenset(map(id, plain))

    class QuickContext(context):  # type: ignore[misc, valid-type]
        def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
            if type(__obj) is macro:
                args = (__self.eval_ctx, *args)
            elif id(__obj) not in direct:
                return context.call(__self, __obj, *args, **kwargs)
            if kwargs:
                kwargs.pop("_block_vars", None)
                kwargs.pop("_loop_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )

    return QuickContext


def quick_template_class() -> type[jinja2.Template]:
    """Jinja's Template, whose compiled code escapes values through `quick_escape`.

    Every `{{ value }}` of a template calls markupsafe's escape(): a Python wrapper around its C
    core that makes the result through Markup's Python constructor (about a tenth of a page's
    time). quick_escape makes the same Markup from text without that constructor and gives
    Markup back as it is (escaping it again would give it back equal). A version of Jinja or
    MarkupSafe without these internals keeps its own escape().
    """
    inner = getattr(markupsafe, "_escape_inner", None)
    if not callable(inner) or not hasattr(jinja2.Template, "_from_namespace"):
        return jinja2.Template
    make, escape = str.__new__, markupsafe.escape

    def quick_escape(value: Any) -> Markup:
        kind = type(value)
        if kind is str:
            return make(Markup, inner(value))
        return value if kind is Markup else escape(value)

    class QuickTemplate(jinja2.Template):
        @classmethod
        def _from_namespace(
            cls,
            environment: jinja2.Environment,
            namespace: dict[str, Any],
            *rest: Any,
            **named: Any,
        ) -> jinja2.Template:
            if (
                namespace.get("escape") is escape
            ):  # what the compiled code imported from jinja2.runtime
                namespace["escape"] = quick_escape
            return super()._from_namespace(environment, namespace, *rest, **named)

    return QuickTemplate


QUICK_TEMPLATE = quick_template_class()
