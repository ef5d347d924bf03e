"""The ``labsys prompts`` command: what a counsellor would be shown for a result, no database.

It lets a reviewer of the knowledge base see the effect of an edit at once, and a trainer walk
through realistic results. The main CLI (:mod:`labsys.cli`) registers it with
:func:`add_prompts_command`; the handler returns an exit code, and a
:class:`labsys.errors.LabsysError` (an unknown substance) propagates so the main CLI prints it as
one line.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import TextIO

from labsys.counselling.i18n import t
from labsys.counselling.knowledge import LANGUAGES, default_knowledge
from labsys.counselling.rules import PURITY_BANDS, PromptSet, select_prompts
from labsys.results.categories import ResultCategory

WIDTH = 100


def add_prompts_command(subparsers: argparse._SubParsersAction) -> None:
    """Register ``prompts --expected S --found S[,S...] [--purity P] [--lang L] [--json]``."""
    command = subparsers.add_parser(
        "prompts", help="show the counselling prompts for a result (no database needed)"
    )
    command.add_argument("--expected", required=True, help="what the sample was sold as")
    command.add_argument(
        "--found",
        required=True,
        help="what was found, comma-separated; '' when nothing was detected",
    )
    command.add_argument("--purity", choices=PURITY_BANDS, default=None)
    command.add_argument(
        "--category",
        choices=[c.value for c in ResultCategory],
        default=None,
        help="the reviewed category, e.g. inconclusive (derived from --expected/--found if absent)",
    )
    command.add_argument("--lang", choices=LANGUAGES, default="en")
    command.add_argument("--json", action="store_true", help="print one JSON object")
    command.set_defaults(handler=run_prompts)


def run_prompts(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the category and the ordered prompts; return the exit code (0)."""
    out = out or sys.stdout
    found = [name.strip() for name in args.found.split(",") if name.strip()]
    category = ResultCategory(args.category) if args.category else None
    prompt_set = select_prompts(
        args.expected, found, purity=args.purity, category=category, lang=args.lang
    )
    if args.json:
        json.dump(prompt_set.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(format_prompts(prompt_set))
    return 0


def format_prompts(prompt_set: PromptSet) -> str:
    """The prompts as plain text for a terminal, labels in the prompts' language."""
    lang = prompt_set.lang
    knowledge = default_knowledge()

    def plain(substance: str) -> str:
        return knowledge.plain_name(substance, lang)

    def label(key: str) -> str:
        return t(key, lang) + t("colon", lang)

    found = ", ".join(map(plain, prompt_set.found)) or t("nothing_found", lang)
    lines = [
        f"{label('result')}{t(f'category.{prompt_set.category}', lang)}",
        f"{label('sold_as')}{plain(prompt_set.expected) if prompt_set.expected else '-'}",
        f"{label('found')}{found}",
    ]
    if prompt_set.purity:
        lines.append(f"{label('purity')}{t(f'purity.{prompt_set.purity}', lang)}")
    for number, prompt in enumerate(prompt_set.prompts, start=1):
        lines += ["", f"{number}. {prompt.title}  [{prompt.key}]"]
        lines += _wrapped(prompt.text, "   ")
        for heading, items in (
            ("risks", prompt.risks),
            ("advice", prompt.advice),
            ("questions", prompt.questions),
        ):
            if items:
                lines.append(f"   {label(heading).rstrip()}")
                for item in items:
                    lines += _wrapped(item, "     - ", "       ")
        if prompt.referrals:
            offers = ", ".join(t(f"referral.{r}", lang) for r in prompt.referrals)
            lines += _wrapped(f"{label('what_to_offer')}{offers}", "   ")
        lines.append(f"   {label('sources').rstrip()}")
        for source in prompt.sources:
            lines += _wrapped(source, "     - ", "       ")
    return "\n".join(lines) + "\n"


def _wrapped(text: str, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest if rest is not None else first
    )
