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
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, chain

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

    The index is kept in a few flat containers — parallel lists of strings and
    integer arrays — rather than one object per entry and one list per word. The
    indexes stay in memory for the whole session, and every full garbage collection
    walks every container object alive: per-entry objects (about 230,000 of them
    over the four code systems) made each full collection hold whichever thread
    ran it, the UI thread included, for 60–120 ms. Strings and arrays of numbers
    are not walked, nor are tuples holding only strings (the collector stops tracking
    them), so the string columns are tuples. :class:`Entry` objects are made only for the
    results returned.
    """

    def __init__(self, entries: Iterable[tuple[str, str, str, tuple]]):
        rows = sorted(entries, key=lambda row: row[3])
        shared: dict[str, str] = {}  # one string object per distinct word keeps the index small
        self._codes = tuple(code for code, _, _, _ in rows)
        self._displays = tuple(display for _, display, _, _ in rows)
        terms = [[shared.setdefault(w, w) for w in dict.fromkeys(words(f"{display} {extra}"))]
                 for _, display, extra, _ in rows]
        # each entry's words as one string, every word after a space: " type diabetes mellitus";
        # so "some word starts with w" is the substring test " w" in it
        self._terms = tuple("".join(f" {term}" for term in entry) for entry in terms)
        self._by_code = {code: n for n, code in enumerate(self._codes)}
        postings: dict[str, list[int]] = {}
        for n, entry in enumerate(terms):
            for term in entry:
                postings.setdefault(term, []).append(n)
        del terms
        self._vocabulary = tuple(sorted(postings))
        # every word's entry numbers, one after the other; word i's are _postings[_starts[i]:_starts[i + 1]].
        # _starts doubles as the running total of posting sizes: a prefix's hit count without a scan
        self._postings = array("i", chain.from_iterable(postings[term] for term in self._vocabulary))
        self._starts = array("i", [0, *accumulate(len(postings[term]) for term in self._vocabulary)])
        del postings
        # one-letter prefixes span thousands of words: merge their postings once, now
        self._by_initial: dict[str, array] = {}
        for initial in {term[0] for term in self._vocabulary}:
            lo, hi = self._span(initial)
            self._by_initial[initial] = array("i", sorted(set(self._postings[self._starts[lo]:self._starts[hi]])))
        by_length: dict[int, list[str]] = {}
        for code in self._codes:
            by_length.setdefault(len(code), []).append(code)
        self._codes_by_length = tuple(sorted((length, tuple(sorted(codes)))
                                             for length, codes in by_length.items()))

    def __len__(self) -> int:
        return len(self._codes)

    def get(self, code: str) -> Entry | None:
        """The entry with exactly this code, or None."""
        n = self._by_code.get(code)
        return None if n is None else self._entry(n)

    def by_code_prefix(self, prefix: str, limit: int) -> list[Entry]:
        """Entries whose code starts with ``prefix``: shortest codes first, then in code order."""
        found: list[Entry] = []
        for length, codes in self._codes_by_length:
            if length < len(prefix):
                continue
            i = bisect_left(codes, prefix)
            while i < len(codes) and codes[i].startswith(prefix) and len(found) < limit:
                found.append(self._entry(self._by_code[codes[i]]))
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
            spans.append((self._starts[hi] - self._starts[lo], word, lo, hi))
        if not spans or limit <= 0:
            return []
        spans.sort()
        # walk the rarest word's postings in rank order; check the other words per entry
        _, rarest, lo, hi = spans[0]
        others = [f" {word}" for _, word, _, _ in spans[1:]]
        candidates = self._by_initial[rarest] if len(rarest) == 1 else self._ranked_postings(lo, hi)
        found: list[Entry] = []
        for n in candidates:
            terms = self._terms[n]
            if all(word in terms for word in others):
                found.append(self._entry(n))
                if len(found) >= limit:
                    break
        return found

    def _entry(self, n: int) -> Entry:
        return Entry(self._codes[n], self._displays[n], tuple(self._terms[n].split()))

    def _span(self, prefix: str) -> tuple[int, int]:
        """The range of vocabulary positions holding the words that start with prefix."""
        lo = bisect_left(self._vocabulary, prefix)
        return lo, bisect_left(self._vocabulary, prefix + _AFTER_ANY_WORD, lo)

    def _ranked_postings(self, lo: int, hi: int) -> Iterator[int]:
        """Entry numbers in any posting list between lo and hi, ascending, each once."""
        starts, postings = self._starts, self._postings
        if hi - lo == 1:
            yield from postings[starts[lo]:starts[hi]]
            return
        last = -1
        for n in heapq.merge(*(postings[starts[i]:starts[i + 1]] for i in range(lo, hi))):
            if n != last:
                last = n
                yield n
