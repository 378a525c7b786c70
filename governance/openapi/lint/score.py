"""A document's lint score, 0 to 100, from its result counts per severity.

    score = max(0, 100 - 10*errors - 3*warnings - 1*infos - 0.2*hints), rounded down,
    and at most 99 while any error remains (only a document without errors can reach 100).

A deduction per result (not a ratio of rules passed) keeps the score comparable between two
revisions of one document, which is what a review shows (the change from the published revision).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

WEIGHTS = {0: 10.0, 1: 3.0, 2: 1.0, 3: 0.2}


class _HasSeverity(Protocol):
    severity: int


def score(results: Iterable[_HasSeverity]) -> int:
    counts = {severity: 0 for severity in WEIGHTS}
    for result in results:
        if result.severity in counts:
            counts[result.severity] += 1
    value = 100.0 - sum(WEIGHTS[s] * n for s, n in counts.items())
    value = max(0, math.floor(value + 1e-9))
    if counts[0] and value >= 100:
        value = 99
    return int(value)
