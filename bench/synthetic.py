"""Synthetic Vietnamese-like news items with a known share of near-duplicates (bench only).

Why synthetic: the replica holds ~3,800 items, the dedup and load benchmarks need 10⁴–10⁶. Text is
made of the replica's own Vietnamese vocabulary (``replica.textgen`` phrase pools) plus shared
boilerplate sentences (the generic sentences of the same pools, placeholders filled with random
words), so unrelated items share some shingles as real news does. A fixed share of items are
near-duplicates of a recent item on another channel, republished within two days with the edits
republication makes (a dateline, one sentence dropped, two words changed): the truth pairs.

The stream is deterministic (seeded), generated batch by batch with a bounded ring buffer, so the
same documents can be fed to two implementations without keeping them all in memory.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal_etl.months import LOCAL_TZ as TZ

START = datetime(2024, 1, 1, tzinfo=TZ)
CHANNELS = tuple(f"syn{i:02d}" for i in range(10))  # LSH compares only across channels
DOCS_PER_DAY = 1000  # ~14,000 items in the ±7-day window: far denser than Đồng Nai's ~10 a day
DUP_SHARE = 0.2  # share of items that republish a recent item of another channel
RECENT = 2000  # republication source: one of the last RECENT items (≈ 2 days at DOCS_PER_DAY)
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


@dataclass
class Doc:
    index: int  # 0-based position in the stream; item_id = index + 1
    source_id: str
    title: str
    sentences: list[str]
    published_at: datetime
    dup_of: int | None  # index of the item this one republishes

    @property
    def text(self) -> str:
        """Title + body, as normalisation passes them to ``dedup.signature``."""
        return self.title + "\n" + " ".join(self.sentences)

    @property
    def url(self) -> str:
        return f"https://{self.source_id}.example.vn/tin/{self.index}.html"


def _vocabulary() -> tuple[list[str], list[str]]:
    from portal_replica import textgen

    words: set[str] = set()
    templates: list[str] = []
    for name in dir(textgen):
        value = getattr(textgen, name)
        if isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            for phrase in value:
                if "{" in phrase:
                    templates.append(phrase)
                words.update(w.strip('.,;:()"') for w in _PLACEHOLDER.sub(" ", phrase).split())
    return sorted(w for w in words if w and w.isalpha()), sorted(set(templates))


class Stream:
    """Deterministic generator of :class:`Doc` batches."""

    def __init__(self, seed: int = 5) -> None:
        self.rng = random.Random(seed)
        self.vocab, templates = _vocabulary()
        # Zipf-like weights: a few syllables ("của", "và", "các") are very common, most are rare
        self.weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(self.vocab))]
        self.cum = list(_accumulate(self.weights))
        self.boilerplate = [self._fill(t) for t in templates for _ in range(3)]
        self.recent: deque[Doc] = deque(maxlen=RECENT)
        self.next_index = 0

    def _words(self, k: int) -> list[str]:
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=k)

    def _fill(self, template: str) -> str:
        return _PLACEHOLDER.sub(lambda _: " ".join(self._words(self.rng.randint(1, 3))), template)

    def _sentence(self) -> str:
        if self.rng.random() < 0.15:
            return self.rng.choice(self.boilerplate)
        words = self._words(self.rng.randint(10, 24))
        return " ".join(words).capitalize() + "."

    def _fresh(self, index: int, when: datetime) -> Doc:
        n_sentences = self.rng.randint(8, 32)  # ~150–750 words: "tin" and "bài"
        return Doc(
            index,
            self.rng.choice(CHANNELS),
            " ".join(self._words(self.rng.randint(8, 14))).capitalize(),
            [self._sentence() for _ in range(n_sentences)],
            when,
            None,
        )

    def _republish(self, index: int, original: Doc) -> Doc:
        sentences = list(original.sentences)
        if len(sentences) > 4:
            del sentences[self.rng.randrange(1, len(sentences))]
        for _ in range(2):  # two edited words
            s = self.rng.randrange(len(sentences))
            words = sentences[s].split()
            words[self.rng.randrange(len(words))] = self._words(1)[0]
            sentences[s] = " ".join(words)
        sentences[0] = "(ĐCSVN) - " + sentences[0]
        channel = self.rng.choice([c for c in CHANNELS if c != original.source_id])
        title = original.title if self.rng.random() < 0.5 else original.title + " " + self._words(1)[0]
        when = original.published_at + timedelta(seconds=self.rng.randint(600, 2 * 86400))
        return Doc(index, channel, title, sentences, when, original.index)

    def batch(self, size: int) -> list[Doc]:
        out = []
        for _ in range(size):
            index = self.next_index
            self.next_index += 1
            when = START + timedelta(seconds=index * 86400 / DOCS_PER_DAY + self.rng.randint(0, 600))
            if self.recent and self.rng.random() < DUP_SHARE:
                doc = self._republish(index, self.rng.choice(self.recent))
            else:
                doc = self._fresh(index, when)
                self.recent.append(doc)
            out.append(doc)
        return out

    def batches(self, total: int, size: int) -> Iterator[list[Doc]]:
        while self.next_index < total:
            yield self.batch(min(size, total - self.next_index))


def _accumulate(weights: list[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def stable_hex(*parts: object, length: int = 32) -> str:
    """A deterministic hex digest of the parts (keys and hashes of synthetic rows)."""
    data = "\x1f".join(str(p) for p in parts).encode()
    return hashlib.blake2b(data, digest_size=length // 2).hexdigest()
