"""An in-memory search index over one code system, built once and then read-only.

Used by :mod:`app.terminology`; kept apart so the loading and the searching can be
read on their own. Two ways in:

* by code prefix — codes grouped by length, so "E11" gives E11, then E11.0…, then
  E11.00…: shortest codes first, then in code order;
* by words — every query word must be the start of some word of the entry's text
  (its display plus any aliases), compared lower-cased with diacritics removed.

Ranking is fixed when the index is built: the caller passes a sort key and every
result list comes back in that order. Because entry numbers follow that order, the
best matches are the lowest numbers, so a search can stop after ``limit`` hits
instead of sorting everything it found.
"""
from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from app.search_terms import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_AFTER_ANY_WORD = "\U0010ffff"  # sorts after every word that starts with a given prefix


def words(text: str) -> list[str]:
    """The search words of a text: lower case, Latin letters, diacritics removed."""
    return _WORD.findall(fold(text))


@dataclass(frozen=True, slots=True)
class Entry:
    """One concept in an index: its code, its display, and the words it can be found by."""
    code: str
    display: str
    terms: tuple[str, ...]


class SearchIndex:
    """Read-only index of entries, best ranked (smallest rank key) first.

    ``entries`` yields ``(code, display, extra_search_text, rank_key)``. Building
    does all the work; the lookups below never change the index, so one index may
    be shared by any number of threads.
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, tuple]]):
        rows = sorted(entries, key=lambda row: row[3])
        shared: dict[str, str] = {}  # one string object per distinct word keeps the index small
        self._entries = [Entry(code, display, tuple(shared.setdefault(w, w) for w in
                                                    dict.fromkeys(words(f"{display} {extra}"))))
                         for code, display, extra, _ in rows]
        self._by_code = {entry.code: n for n, entry in enumerate(self._entries)}
        postings: dict[str, list[int]] = {}
        for n, entry in enumerate(self._entries):
            for term in entry.terms:
                postings.setdefault(term, []).append(n)
        self._vocabulary = sorted(postings)
        self._postings = [postings[term] for term in self._vocabulary]
        # running total of posting sizes: how many hits a prefix has, without a scan
        self._sizes = [0, *accumulate(len(p) for p in self._postings)]
        # one-letter prefixes span thousands of words: merge their postings once, now
        self._by_initial: dict[str, list[int]] = {}
        for initial in {term[0] for term in self._vocabulary}:
            lo, hi = self._span(initial)
            self._by_initial[initial] = sorted(set().union(*self._postings[lo:hi]))
        by_length: dict[int, list[str]] = {}
        for entry in self._entries:
            by_length.setdefault(len(entry.code), []).append(entry.code)
        self._codes_by_length = sorted((length, sorted(codes)) for length, codes in by_length.items())

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, code: str) -> Entry | None:
        """The entry with exactly this code, or None."""
        n = self._by_code.get(code)
        return None if n is None else self._entries[n]

    def by_code_prefix(self, prefix: str, limit: int) -> list[Entry]:
        """Entries whose code starts with ``prefix``: shortest codes first, then in code order."""
        found: list[Entry] = []
        for length, codes in self._codes_by_length:
            if length < len(prefix):
                continue
            i = bisect_left(codes, prefix)
            while i < len(codes) and codes[i].startswith(prefix) and len(found) < limit:
                found.append(self._entries[self._by_code[codes[i]]])
                i += 1
            if len(found) >= limit:
                break
        return found

    def by_words(self, query_words: list[str], limit: int) -> list[Entry]:
        """Entries where every query word starts some word of the entry, best ranked first."""
        spans = []
        for word in dict.fromkeys(query_words):
            lo, hi = self._span(word)
            if lo == hi:
                return []
            spans.append((self._sizes[hi] - self._sizes[lo], word, lo, hi))
        if not spans or limit <= 0:
            return []
        spans.sort()
        # walk the rarest word's postings in rank order; check the other words per entry
        _, rarest, lo, hi = spans[0]
        others = [word for _, word, _, _ in spans[1:]]
        candidates = self._by_initial[rarest] if len(rarest) == 1 else self._ranked_postings(lo, hi)
        found: list[Entry] = []
        for n in candidates:
            entry = self._entries[n]
            if all(_has_prefix(entry.terms, word) for word in others):
                found.append(entry)
                if len(found) >= limit:
                    break
        return found

    def _span(self, prefix: str) -> tuple[int, int]:
        """The range of vocabulary positions holding the words that start with prefix."""
        lo = bisect_left(self._vocabulary, prefix)
        return lo, bisect_left(self._vocabulary, prefix + _AFTER_ANY_WORD, lo)

    def _ranked_postings(self, lo: int, hi: int) -> Iterator[int]:
        """Entry numbers in any posting list between lo and hi, ascending, each once."""
        if hi - lo == 1:
            yield from self._postings[lo]
            return
        last = -1
        for n in heapq.merge(*self._postings[lo:hi]):
            if n != last:
                last = n
                yield n


def _has_prefix(terms: tuple[str, ...], prefix: str) -> bool:
    return any(term.startswith(prefix) for term in terms)

