"""Phillips level 5: training benefit, monetary benefit, ROI and benefit-cost ratio.

Every function takes plain numbers or :class:`~trackreport.stats.estimate.Estimate` and
carries the 95% interval through. Each result is a monotone function of each input, so
the interval of the result is the result at the interval's ends (sorted when the
function decreases in that input). When two inputs carry intervals at once, the bounds
combine the worst cases (lower end with lower end, upper with upper): a conservative
interval, wider than the exact one.

Sources: the deck's chapter 10 (TE = (E2 - E1) x T x TS - C); J. J. Phillips,
*Return on Investment in Training and Performance Improvement Programs*, 2nd ed.
(Butterworth-Heinemann 2003), ch. 8 (BCR = benefits / costs; ROI = net benefits /
costs); P. P. Phillips and J. J. Phillips, *Costs and ROI* (Pfeiffer 2008), ch. 3.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from trackreport.stats.estimate import Estimate

__all__ = ["training_benefit", "monetary_benefit", "roi", "bcr"]

Number = float | int | Estimate


def _ends(x: Number) -> tuple[float, float, float]:
    """(value, low, high) of a number or an Estimate (a plain number is its own interval)."""
    if isinstance(x, Estimate):
        return float(x.value), float(x.ci_low), float(x.ci_high)
    v = float(x)
    return v, v, v


def _carry(f: Callable[..., float], args: dict[str, Number], *, method: str, keep_p: bool) -> float | Estimate:
    """Apply ``f`` to the values and to the interval ends; an Estimate out when any input is one."""
    ests = [a for a in args.values() if isinstance(a, Estimate)]
    ends = {k: _ends(v) for k, v in args.items()}
    value = f(**{k: e[0] for k, e in ends.items()})
    if not ests:
        return value
    lows = f(**{k: e[1] for k, e in ends.items()})
    highs = f(**{k: e[2] for k, e in ends.items()})
    lo, hi = (lows, highs) if lows <= highs or math.isnan(lows) or math.isnan(highs) else (highs, lows)
    n = max(int(e.n) for e in ests)
    p = ests[0].p_value if keep_p and len(ests) == 1 else math.nan
    base = "; ".join(dict.fromkeys(e.method for e in ests if e.method))
    return Estimate(value, lo, hi, n=n, p_value=p, method=f"{method} of {base}" if base else method)


def training_benefit(e1: Number, e2: Number, *, duration: Number, trained: Number, cost: Number) -> float | Estimate:
    """The deck's training benefit TE = (E2 - E1) x T x TS - C.

    Formula: TE = (E2 - E1) · T · TS - C, with E1, E2 the benefit per person per time
    unit before and after the training, T the duration of the effect in the same time
    unit, TS the number trained (leavers removed) and C all costs (deck, chapter 10; the
    same net-benefit arithmetic as Phillips 2003, ch. 8, annualised difference x
    participants). TE increases in E2 and decreases in E1 and C, so an interval on any
    of them maps to TE's interval at its ends.

    Parameters
    ----------
    e1, e2 : float or Estimate
        Benefit per person per time unit before and after (e.g. profit per rep per
        month). Passing ``e1=0`` and the attributed effect as ``e2`` uses an effect
        isolated by a comparison group.
    duration : float
        T, in the time unit of ``e1`` and ``e2``.
    trained : float
        TS, people trained and still employed.
    cost : float or Estimate
        C, the fully loaded cost; 0 gives the gross benefit.

    Examples
    --------
    >>> training_benefit(0, 3800, duration=12, trained=25, cost=0)  # Phillips case: $3,800 x 12 x 25
    1140000.0
    >>> e = training_benefit(100, Estimate(150, 120, 180, n=30), duration=12, trained=10, cost=3000)
    >>> e.value, e.ci_low, e.ci_high
    (3000.0, -600.0, 6600.0)
    """

    def f(e1: float, e2: float, duration: float, trained: float, cost: float) -> float:
        return (e2 - e1) * duration * trained - cost

    # f decreases in e1 and C: their high ends go with the low end of E2
    return _carry(
        f,
        {"e1": _flip(e1), "e2": e2, "duration": duration, "trained": trained, "cost": _flip(cost)},
        method="training benefit (E2 - E1) x T x TS - C",
        keep_p=False,
    )


def _flip(x: Number) -> Number:
    """An Estimate with its ends swapped, for an input the function decreases in."""
    if isinstance(x, Estimate):
        return Estimate(x.value, x.ci_high, x.ci_low, n=x.n, p_value=x.p_value, method=x.method)
    return x


def monetary_benefit(
    effect: Number, *, margin: float, isolation: float = 1.0, confidence: float = 1.0
) -> float | Estimate:
    """A revenue effect converted to money: effect x margin x isolation x confidence.

    Formula: B = ΔR · m · i · c (Phillips 2003, ch. 5-6: output data converted at the
    profit contribution, "standard value"; the participants' estimate of the share due to
    the programme (isolation) times their confidence in it). Use ``isolation=1`` and
    ``confidence=1`` when the effect is already isolated by a comparison group, as
    chapter 06's difference in differences is.

    Parameters
    ----------
    effect : float or Estimate
        Additional revenue attributed to the training (money).
    margin : float
        Profit margin (0.2 = 20%).
    isolation, confidence : float
        Phillips' isolation and confidence factors, 0 to 1.

    Examples
    --------
    >>> round(monetary_benefit(6_299_584, margin=0.098))  # Future-Tel case: $617,359
    617359
    >>> e = monetary_benefit(Estimate(1000, -200, 2200, n=40), margin=0.25)
    >>> e.value, e.ci_low, e.ci_high
    (250.0, -50.0, 550.0)
    """
    for name, x in (("margin", margin), ("isolation", isolation), ("confidence", confidence)):
        if not 0 <= float(x) <= 1:
            raise ValueError(f"{name} must be between 0 and 1, got {x}")

    def f(effect: float) -> float:
        return effect * margin * isolation * confidence

    return _carry(f, {"effect": effect}, method=f"monetary benefit at margin {margin:g}", keep_p=True)


def roi(benefit: Number, cost: Number) -> float | Estimate:
    """Return on investment as a fraction: (benefit - cost) / cost (0.57 means 57%).

    Formula: ROI = (B - C) / C = net programme benefits / programme costs (Phillips
    2003, ch. 8). Undefined (NaN) when the cost is not positive. Increases in B and
    decreases in C.

    Examples
    --------
    >>> round(roi(617_359, 392_225), 3)  # Future-Tel case: benefit-cost 1.57, so ROI 57%
    0.574
    >>> e = roi(Estimate(300, 150, 450, n=20), 100)
    >>> e.value, e.ci_low, e.ci_high
    (2.0, 0.5, 3.5)
    """

    def f(benefit: float, cost: float) -> float:
        return (benefit - cost) / cost if cost > 0 else math.nan

    return _carry(f, {"benefit": benefit, "cost": _flip(cost)}, method="ROI (B - C) / C", keep_p=False)


def bcr(benefit: Number, cost: Number) -> float | Estimate:
    """Benefit-cost ratio: benefit / cost (Chinese sources often call it 投资回报率).

    Formula: BCR = B / C (Phillips 2003, ch. 8); BCR = ROI + 1. NaN when the cost is
    not positive.

    Examples
    --------
    >>> round(bcr(617_359, 392_225), 2)  # Future-Tel case: $1.57 per $1 invested
    1.57
    >>> bcr(Estimate(300, 150, 450, n=20), 100).ci_low
    1.5
    """

    def f(benefit: float, cost: float) -> float:
        return benefit / cost if cost > 0 else math.nan

    return _carry(f, {"benefit": benefit, "cost": _flip(cost)}, method="BCR B / C", keep_p=False)
