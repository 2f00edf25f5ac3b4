"""Trigram text similarity in Python, computed the way PostgreSQL's ``pg_trgm`` does.

On PostgreSQL the suggestions use ``pg_trgm`` itself (``similarity``, ``word_similarity``,
the ``%`` and ``<%`` operators over the GIN index on ``issue.title``). SQLite has no such
extension, so this module is a faithful port of the two functions: the same words
(runs of letters and digits, lowercased), the same padding (two blanks before a word, one
after), the same set and extent arithmetic. Both databases therefore rank the same
candidates the same way, and the quality figures in ``bench/RESULTS.md`` agree.

The one difference: ``pg_trgm`` hashes trigrams holding non-ASCII letters into 3 bytes,
so two different Cyrillic trigrams may, very rarely, collide there and not here.
"""

import struct
from dataclasses import dataclass
from functools import cached_property

LEFT_PADDING = "  "
RIGHT_PADDING = " "


def _float4(value: float) -> float:
    """Round to PostgreSQL's ``real`` (pg_trgm returns float4), so thresholds agree."""
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    return rounded


def words(text: str) -> list[str]:
    """Lowercased runs of letters and digits; anything else separates words."""
    found: list[str] = []
    current: list[str] = []
    for character in text:
        if character.isalnum():
            current.append(character)
        elif current:
            found.append("".join(current).lower())
            current = []
    if current:
        found.append("".join(current).lower())
    return found


def trigram_sequence(text: str) -> list[str]:
    """Trigrams of every padded word, in reading order, repeats kept."""
    sequence: list[str] = []
    for word in words(text):
        padded = f"{LEFT_PADDING}{word}{RIGHT_PADDING}"
        sequence.extend(padded[index : index + 3] for index in range(len(padded) - 2))
    return sequence


@dataclass(frozen=True)
class TrigramText:
    """A text with its trigrams computed once (a query is compared to many titles)."""

    text: str

    @cached_property
    def sequence(self) -> list[str]:
        return trigram_sequence(self.text)

    @cached_property
    def trigrams(self) -> frozenset[str]:
        return frozenset(self.sequence)


def similarity(left: TrigramText, right: TrigramText) -> float:
    """``similarity(a, b)``: shared trigrams over all distinct trigrams of both (0..1)."""
    if not left.trigrams or not right.trigrams:
        return 0.0
    shared = len(left.trigrams & right.trigrams)
    return _float4(shared / (len(left.trigrams) + len(right.trigrams) - shared))


def word_similarity_bound(word: TrigramText, text: TrigramText) -> float:
    """An upper bound of :func:`word_similarity`, from set sizes only (cheap pruning)."""
    if not word.trigrams:
        return 0.0
    return len(word.trigrams & text.trigrams) / len(word.trigrams)


def word_similarity(word: TrigramText, text: TrigramText) -> float:
    """``word_similarity(a, b)``: the best match of ``a`` to a continuous extent of ``b``.

    Port of pg_trgm's ``calc_word_similarity``/``iterative_match``: walk the trigrams of
    ``text`` in order; each time one of ``word``'s trigrams appears, score the extent that
    ends there (shrinking its start when that scores better) and keep the best.
    """
    if not word.trigrams or not text.sequence:
        return 0.0
    index_of: dict[str, int] = {}
    positions = [index_of.setdefault(trigram, len(index_of)) for trigram in text.sequence]
    found = [trigram in word.trigrams for trigram in index_of]
    return _float4(_best_extent(positions, found, len(word.trigrams)))


def _best_extent(positions: list[int], found: list[bool], word_size: int) -> float:
    def score(shared: int, extent_size: int) -> float:
        return shared / (word_size + extent_size - shared)

    last_position = [-1] * len(found)
    extent_size = shared = 0
    lower = -1
    best = 0.0
    for index, trigram in enumerate(positions):
        if lower >= 0 or found[trigram]:
            if last_position[trigram] < 0:
                extent_size += 1
                shared += found[trigram]
            last_position[trigram] = index
        if not found[trigram]:
            continue
        if lower == -1:
            lower, extent_size = index, 1
        current = score(shared, extent_size)
        trial_shared, trial_size, previous_lower = shared, extent_size, lower
        for trial_lower in range(lower, index + 1):
            trial = score(trial_shared, trial_size)
            if trial > current:
                current, extent_size, lower, shared = trial, trial_size, trial_lower, trial_shared
            dropped = positions[trial_lower]
            if last_position[dropped] == trial_lower:
                trial_size -= 1
                trial_shared -= found[dropped]
        best = max(best, current)
        for dropped_lower in range(previous_lower, lower):
            dropped = positions[dropped_lower]
            if last_position[dropped] == dropped_lower:
                last_position[dropped] = -1
    return best
