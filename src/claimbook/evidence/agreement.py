"""How far two reviewers agree: Cohen's kappa with its 95% confidence interval, and the raw
(observed) agreement, over the papers both of them decided.

kappa = (po - pe) / (1 - pe), po the share of papers both put in the same category, pe the share
expected by chance from each reviewer's own rates (Cohen 1960, Educ Psychol Meas 20:37-46). The
standard error is Cohen's large-sample approximation, SE = sqrt(po (1 - po) / (n (1 - pe)^2)),
the one most review tools and textbooks report (McHugh 2012, Biochem Med 22:276-82); the
interval is kappa +/- 1.96 SE, clipped to [-1, 1]. Only each reviewer's final vote counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959964


@dataclass(frozen=True)
class Kappa:
    """Agreement over `n` papers: kappa (None when chance agreement is total: one category
    only), its 95% CI, and the raw agreement (a share, 0 to 1)."""

    n: int
    agreement: float | None
    kappa: float | None
    ci_low: float | None
    ci_high: float | None

    def as_json(self) -> dict:
        return {
            "n": self.n, "agreement": _round(self.agreement), "kappa": _round(self.kappa),
            "ci_low": _round(self.ci_low), "ci_high": _round(self.ci_high),
        }  # fmt: skip

    def in_words(self) -> str:
        """'kappa 0.62 (95% CI 0.41 to 0.83), raw agreement 85% over 40 papers'."""
        if self.n == 0:
            return "no paper decided by both reviewers yet"
        raw = f"raw agreement {self.agreement:.0%} over {self.n} paper{'s' if self.n > 1 else ''}"
        if self.kappa is None:
            return f"kappa not defined (every vote in one category), {raw}"
        return f"kappa {self.kappa:.2f} (95% CI {self.ci_low:.2f} to {self.ci_high:.2f}), {raw}"


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def cohen_kappa(pairs: Sequence[tuple[str, str]]) -> Kappa:
    """Cohen's kappa of two raters' labels, one (rater A, rater B) pair per paper."""
    n = len(pairs)
    if n == 0:
        return Kappa(0, None, None, None, None)
    po = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(first[c] * second[c] for c in first.keys() | second.keys()) / (n * n)
    if pe >= 1:
        return Kappa(n, po, None, None, None)
    kappa = (po - pe) / (1 - pe)
    se = math.sqrt(po * (1 - po) / (n * (1 - pe) ** 2))
    return Kappa(n, po, kappa, max(-1.0, kappa - Z95 * se), min(1.0, kappa + Z95 * se))
