"""The README and docs/ stay navigable: short README, links that resolve, no issue numbers.

Why: the README is the entry point and summarises in a sentence what docs/ explains; a moved file
or a renamed heading must not leave a dead link behind, and readers (operators, editors) should
not meet tracker references they cannot follow. Command help is held to the same rule.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
README_MAX_LINES = 220  # "at most about 200": room for a few sentences, not for a second manual
README_COMMANDS = (
    "```bash\n"
    "scripts/demo.sh      # 1. set up and run the main job on the embedded default\n"
    "scripts/test.sh      # 2. run the tests\n"
    "```\n"
)
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
CODE_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
INLINE_CODE = re.compile(r"`[^`\n]*`")
# "#8", "(#13)", "issue 5", "issue #15": a tracker reference. Not "§3", not "&#40;", not "#anchor".
ISSUE_NUMBER = re.compile(r"(?<![\w&])#\d+\b|\bissues?\s*#?\d+\b", re.I)


def _prose(text: str) -> str:
    """The text outside code blocks and inline code, where links and references are meant."""
    return INLINE_CODE.sub("", CODE_FENCE.sub("", text))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = CODE_FENCE.sub("", path.read_text(encoding="utf-8"))
    return {_slug(m.group(1)) for m in re.finditer(r"^#{1,6}\s+(.*)$", text, re.M)}


def _links(path: Path) -> list[str]:
    return LINK.findall(_prose(path.read_text(encoding="utf-8")))


def test_readme_is_short_and_keeps_the_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= README_MAX_LINES
    assert README_COMMANDS in text


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for target in _links(doc):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (doc.parent / file_part).resolve() if file_part else doc
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no heading with that anchor")
    assert not broken, f"{doc.name}: {broken}"


def test_every_doc_is_linked_from_the_readme() -> None:
    linked = {(REPO / t.partition("#")[0]).resolve() for t in _links(REPO / "README.md")}
    assert not [d.name for d in DOCS[1:] if d.resolve() not in linked]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_no_issue_numbers_in_docs(doc: Path) -> None:
    # code spans name things that exist (a results file may carry a tracker number in its name)
    assert not ISSUE_NUMBER.findall(_prose(doc.read_text(encoding="utf-8")))


def _help_texts(parser: argparse.ArgumentParser) -> list[str]:
    texts = [parser.format_help()]
    for action in parser._actions:  # noqa: SLF001 - argparse has no public walk of subcommands
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in action.choices.values():
                texts += _help_texts(sub)
    return texts


def test_no_issue_numbers_in_command_help() -> None:
    from portal_etl.cli import build_parser as etl_parser
    from portal_replica.cli import build_parser as replica_parser

    for parser in (etl_parser(), replica_parser()):
        found = [m for text in _help_texts(parser) for m in ISSUE_NUMBER.findall(text)]
        assert not found, parser.prog
