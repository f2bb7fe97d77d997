"""Exact linear algebra for the suppression tests: written here, independent of the code under
test (which works modulo a prime and on graphs)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from fractions import Fraction


def in_span(
    target: Iterable[Hashable], shown: Iterable[Iterable[Hashable]], unknowns: list
) -> bool:
    """Whether the sum of the ``target`` unknowns is a linear combination of the sums given by
    ``shown`` (each an iterable of unknowns), over the rationals. Members that are not among
    ``unknowns`` (known to be zero) are left out."""
    index = {u: i for i, u in enumerate(unknowns)}

    def row(members: Iterable[Hashable]) -> list[Fraction]:
        vector = [Fraction(0)] * len(unknowns)
        for member in members:
            if member in index:
                vector[index[member]] = Fraction(1)
        return vector

    basis: list[tuple[int, list[Fraction]]] = []

    def reduce(vector: list[Fraction]) -> list[Fraction]:
        for pivot, base in basis:
            if vector[pivot]:
                factor = vector[pivot] / base[pivot]
                vector = [a - factor * b for a, b in zip(vector, base, strict=True)]
        return vector

    for members in shown:
        reduced = reduce(row(members))
        pivot = next((i for i, x in enumerate(reduced) if x), None)
        if pivot is not None:
            basis.append((pivot, reduced))
    return not any(reduce(row(target)))
