"""Selectors learned during a run: where the generic finder keeps finding a site's article body.

When a site's selectors miss, every page of the run would pay for the generic main-content finder
over the whole page. Pages of one site share a template, so the container the finder picks on one
page is, on the next, the same element under the same id or class. This module turns what the
finder found into a path and trusts the path only after the finder has picked exactly that
element on ``CONFIRMATIONS`` pages in a row; from then on the finder runs only inside the element
the path names (it still prunes furniture there and may step into a child). One page where the
path names no element, several, or one without prose, and the path is dropped: the next pages go
back to the whole-page search and learn again.

State lives on one adapter instance, i.e. one ingest step of one source; nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from portal_etl.adapters.xpath import compile_selector

HtmlElement = lxml.html.HtmlElement

# pages after the first on which the finder must pick, untouched, the element the path names
# before the path is used
CONFIRMATIONS = 2
# an id or class holding a run of digits is per article ("post-3162385"): no template path
_PER_PAGE = re.compile(r"\d{3,}")


def path_of(el: HtmlElement) -> str | None:
    """An XPath naming ``el`` by its template identity: its id, else its tag and exact class, else
    its parent's class and its own tag; None when it has none that would hold on another page."""
    ident = el.get("id")
    if ident and _stable(ident):
        return f"//*[@id={_literal(ident)}]"
    classes = (el.get("class") or "").strip()
    if classes and _stable(classes):
        return f"//{el.tag}[@class={_literal(classes)}]"
    parent = el.getparent()
    parent_classes = (parent.get("class") or "").strip() if parent is not None else ""
    if parent_classes and _stable(parent_classes):
        return f"//{parent.tag}[@class={_literal(parent_classes)}]/{el.tag}"
    return None


def _stable(value: str) -> bool:
    return not _PER_PAGE.search(value) and "'" not in value


def _literal(value: str) -> str:
    return f"'{value}'"


@dataclass
class LearnedPath:
    """One field's container path for the rest of a run: a candidate until confirmed."""

    path: str | None = None
    confirmations: int = 0
    # the path compiled, with the path it was compiled from
    _compiled: tuple[str, etree.XPath] | None = field(default=None, repr=False, compare=False)

    @property
    def active(self) -> bool:
        return self.path is not None and self.confirmations >= CONFIRMATIONS

    def element(self, doc: HtmlElement) -> HtmlElement | None:
        """The one element the path names on ``doc``, or None (none, or several)."""
        if self.path is None:
            return None
        try:
            if self._compiled is None or self._compiled[0] != self.path:
                self._compiled = (self.path, compile_selector(self.path))
            found = self._compiled[1](doc)
        except etree.XPathError:
            return None
        return found[0] if len(found) == 1 else None

    def observe(self, doc: HtmlElement, chosen: HtmlElement, unpruned: bool) -> None:
        """The generic finder chose ``chosen`` on ``doc``. ``unpruned``: it is the element the
        candidate path named before the finder ran, and the finder removed nothing from it; that
        confirms the candidate. Otherwise the path of ``chosen`` becomes the new candidate."""
        if self.path is not None and unpruned:
            self.confirmations += 1
            return
        path = path_of(chosen)
        if path is not None and LearnedPath(path).element(doc) is chosen:
            self.path, self.confirmations = path, 0
        else:
            self.forget()

    def forget(self) -> None:
        self.path, self.confirmations = None, 0
