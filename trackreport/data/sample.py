"""The sample company: a deterministic generator of every contract table, with known truth.

``python -m trackreport.data.sample --out DIR --seed 7 --scale 1`` writes one CSV per table of
:data:`trackreport.data.schema.TABLES` plus ``TRUTH.json``, which records every true effect
size, its exact definition, the cohorts, the seasonality and the market trend, so that
estimators can be backtested against the process that generated the data.

The company has four teams (``east``, ``west``, ``north``, ``south``) and 24 months of
history (2024-01 to 2025-12). Sales follow a rep's own level x a calendar seasonality
(Q4 peak, Q1 dip) x a market trend of about +1% a month that lifts everybody. Season
and market move the rates too, for trained and untrained alike: year-end budgets raise
the average order value in Q4 (and prices/mix drift up 0.4% a month), and lead
conversion, win rate, repurchase and complaint retention are some points higher in the
Q4 buying season and lower in Q1, with a slow upward market trend; so a naive
before/after comparison of the trained reps overstates every one of these effects.
Trained reps get the true effects from the first month after their cohort's last
course ends.
Selection into training depends on role and tenure, never on outcome noise, and there
is no ramp-up, so trained and untrained reps share the same trends (parallel trends
hold by construction).

Examples
--------
>>> from trackreport.data.sample import Effects, generate
>>> tables = generate(seed=1, scale=0.1)
>>> sorted(tables)[:3]
['approvals', 'assessment_items', 'assessments']
>>> Effects.zero().sales
0.0
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from trackreport.data.schema import KINDS, TABLES
from trackreport.errors import TrackreportError

__all__ = ["Effects", "Sample", "simulate", "generate", "write", "owned_files", "main", "GENERATOR_VERSION"]

GENERATOR_VERSION = "1.1.0"

START = np.datetime64("2024-01-01", "D")
END = np.datetime64("2025-12-31", "D")
N_MONTHS = 24
MONTHS = np.arange(np.datetime64("2024-01", "M"), np.datetime64("2026-01", "M"))
MONTH_START = MONTHS.astype("datetime64[D]")
MONTH_DAYS = ((MONTHS + 1).astype("datetime64[D]") - MONTH_START).astype(int)

SEASONALITY = {
    1: 0.90,
    2: 0.88,
    3: 0.92,
    4: 0.98,
    5: 1.00,
    6: 1.02,
    7: 0.98,
    8: 0.97,
    9: 1.02,
    10: 1.18,
    11: 1.25,
    12: 1.32,
}
"""Multiplicative calendar factor on sales volume, new clients, leads, complaints (Q4 +25%, Q1 -10%)."""
MARKET_TREND = 0.01
"""Monthly growth of the whole market: volume in month t (0 = 2024-01) is scaled by 1.01**t."""

ORDER_VALUE_SEASONALITY = {
    1: 0.91,
    2: 0.89,
    3: 0.94,
    4: 0.98,
    5: 1.00,
    6: 1.00,
    7: 0.99,
    8: 0.98,
    9: 1.01,
    10: 1.06,
    11: 1.10,
    12: 1.14,
}
"""Multiplicative calendar factor on the expected amount of an order (mean 1): year-end
budgets buy bigger orders (Q4 +10%), the post-New-Year quarter smaller ones (Q1 -9%)."""
PRICE_TREND = 0.004
"""Monthly price/mix growth: the expected order value in month t is scaled by 1.004**t."""

RATE_SEASONALITY = {  # additive shift of a probability by calendar month (mean 0)
    "lead_conversion": {
        1: -0.035,
        2: -0.045,
        3: -0.030,
        4: -0.020,
        5: -0.015,
        6: -0.010,
        7: -0.005,
        8: -0.010,
        9: 0.010,
        10: 0.040,
        11: 0.055,
        12: 0.065,
    },
    "win_rate": {
        1: -0.090,
        2: -0.110,
        3: -0.070,
        4: -0.035,
        5: -0.025,
        6: -0.015,
        7: -0.015,
        8: -0.015,
        9: 0.020,
        10: 0.090,
        11: 0.120,
        12: 0.145,
    },
    "repurchase": {
        1: -0.050,
        2: -0.060,
        3: -0.040,
        4: -0.015,
        5: -0.005,
        6: 0.000,
        7: 0.000,
        8: -0.010,
        9: 0.010,
        10: 0.040,
        11: 0.055,
        12: 0.075,
    },
    "complaint_retention": {
        1: -0.040,
        2: -0.050,
        3: -0.030,
        4: 0.000,
        5: 0.000,
        6: 0.010,
        7: 0.010,
        8: 0.000,
        9: 0.010,
        10: 0.030,
        11: 0.040,
        12: 0.020,
    },
}
"""Additive calendar shift (probability points) of the rates of every rep, trained or not:
the Q4 buying season converts more leads, wins more deals and brings customers back more
often; Q1 (budgets not yet released, Chinese New Year) the opposite. Each row has mean 0."""
RATE_TREND = {"lead_conversion": 0.0008, "win_rate": 0.0015, "repurchase": 0.0015, "complaint_retention": 0.0}
"""Additive market trend of the rates per month: the rate in month t (0 = 2024-01) is
base + season + RATE_TREND * t (a maturing market: buyers better informed, offers better fitted)."""

SEASON = np.array([SEASONALITY[(m % 12) + 1] for m in range(N_MONTHS)])
TREND = (1 + MARKET_TREND) ** np.arange(N_MONTHS)
AOV_SEASON = np.array([ORDER_VALUE_SEASONALITY[(m % 12) + 1] for m in range(N_MONTHS)])
AOV_TREND = (1 + PRICE_TREND) ** np.arange(N_MONTHS)
RATE_SHIFT = {
    k: np.array([v[(m % 12) + 1] for m in range(N_MONTHS)]) + RATE_TREND[k] * np.arange(N_MONTHS)
    for k, v in RATE_SEASONALITY.items()
}
"""Per measure, the additive shift (season + trend) of the rate in each month index."""

TEAMS = {
    "east": ("east_china", ["上海", "杭州", "南京", "苏州", "宁波", "合肥"]),
    "west": ("west_china", ["成都", "重庆", "西安", "昆明", "贵阳"]),
    "north": ("north_china", ["北京", "天津", "济南", "青岛", "石家庄", "太原"]),
    "south": ("south_china", ["广州", "深圳", "厦门", "福州", "南宁", "东莞"]),
}
# team -> (cohorts {quarter: (size, first course day)}, never-trained comparison sellers)
TEAM_PLAN = {
    "east": ({"2025Q2": (15, "2025-04-07"), "2025Q3": (45, "2025-07-07")}, 27),
    "west": ({"2025Q3": (18, "2025-07-14")}, 25),
    "north": ({"2025Q2": (15, "2025-04-14"), "2025Q3": (15, "2025-07-07")}, 25),
    "south": ({"2025Q2": (20, "2025-04-07")}, 26),
}


def company(n_teams: int = 4) -> tuple[dict[str, tuple[str, list[str]]], dict[str, tuple[dict, int]]]:
    """Teams (team -> (region, cities)) and their cohort plans for a company of ``n_teams``.

    The default 4 teams are :data:`TEAMS` / :data:`TEAM_PLAN` themselves, so the sample stays
    byte-identical. Beyond 4, team ``k`` (0-based) copies the region, cities and cohort plan of
    base team ``k % 4`` and is named ``<base>-<k // 4 + 1>`` (``east-2``, ``west-2``, ...,
    ``south-10``): names match the params pattern ``[a-z0-9_-]+`` and regions stay the four of
    ``market_index``. Fewer than 4 keeps the first ``n_teams``.

    Examples
    --------
    >>> t, p = company(6)
    >>> list(t)
    ['east', 'west', 'north', 'south', 'east-2', 'west-2']
    >>> t["west-2"][0], p["west-2"] == TEAM_PLAN["west"]
    ('west_china', True)
    """
    if not 1 <= n_teams <= 9999:
        raise TrackreportError(f"teams must be between 1 and 9999, got {n_teams}")
    if n_teams == len(TEAMS):
        return TEAMS, TEAM_PLAN
    base = list(TEAMS)
    names = [base[k % 4] if k < 4 else f"{base[k % 4]}-{k // 4 + 1}" for k in range(n_teams)]
    return (
        {n: TEAMS[base[k % 4]] for k, n in enumerate(names)},
        {n: TEAM_PLAN[base[k % 4]] for k, n in enumerate(names)},
    )


def _team_code(team: str) -> str:
    """The team's letters in course ids: ``E`` for ``east``, ``E2`` for ``east-2`` (unique per team).

    Examples
    --------
    >>> [_team_code(t) for t in ("east", "east-2", "south-10")]
    ['E', 'E2', 'S10']
    """
    head, _, k = team.partition("-")
    return head[0].upper() + k


# Base rates of the untrained process (before season and trend).
ORDERS_PER_MONTH = 23.0
NEW_CLIENTS_PER_MONTH = 5.0
ORDER_VALUE = 1200.0
ORDER_SIGMA = 0.55
LEADS_PER_MONTH = 8.0
LEAD_CONVERSION = 0.12
OTHER_OPPS_PER_MONTH = 1.5
WIN_RATE = 0.35
FEEDBACK_PER_MONTH = 3.0
NPS_MIX = (0.50, 0.35, 0.15)  # promoters, passives, detractors -> NPS 35
COMPLAINTS_PER_MONTH = 0.8
RESOLUTION_DAYS = 7.2
RETENTION = 0.60
CRM_COMPLETENESS = 0.70
FABE_SHARE = 0.45
FAST_OBJECTION_SHARE = 0.35
CREDIBLE_SHARE = 0.50
RATING_360 = 3.3
REPURCHASE_RATE = 0.45
"""Share of buying episodes (a customer's orders in one month) with 2+ orders."""
EXTRA_ORDERS = 0.3
"""A repeat episode has 2 + Poisson(EXTRA_ORDERS) orders."""

TESTS = {  # kind -> (max score, pre mean, sd, retest gain, effect field)
    "knowledge": (100.0, 55.0, 10.0, 2.0, "knowledge_score"),
    "product": (100.0, 60.0, 10.0, 2.0, "product_score"),
    "skill": (100.0, 58.0, 9.0, 2.0, "skill_score"),
    "objection": (100.0, 52.0, 10.0, 2.0, "objection_score"),
    "roleplay": (5.0, 3.2, 0.45, 0.1, "roleplay_score"),
}
TEST_COURSE = {
    "knowledge": "theory",
    "product": "industry",
    "skill": "tool",
    "objection": "segment",
    "roleplay": "simulation",
}
ITEM_TOPICS = {
    "knowledge": ("parameters", "scenarios", "competitor_comparison", "pricing", "compliance"),
    "product": ("specifications", "use_cases", "competitors", "service_policy", "new_release"),
}
OBJECTIONS = tuple(
    f"{x}"
    for x in (
        "price_too_high",
        "budget_frozen",
        "happy_with_competitor",
        "no_time",
        "need_approval",
        "quality_doubt",
        "delivery_risk",
        "contract_terms",
        "payment_terms",
        "bad_experience",
        "not_a_priority",
        "too_complex",
        "no_references",
        "discount_request",
        "switching_cost",
        "integration_risk",
        "after_sales_doubt",
        "small_company",
        "send_materials",
        "call_later",
    )
)
COMPETENCY_EFFECT = {
    "product_knowledge": 1.2,
    "needs_analysis": 0.9,
    "fabe_presentation": 1.2,
    "objection_handling": 1.0,
    "negotiation": 0.8,
    "crm_discipline": 0.9,
}
RATER_BIAS = {"self": 0.3, "peer": 0.0, "manager": -0.1, "direct_report": 0.1, "customer": 0.05}
REACTION_MEANS = {"practicality": 4.05, "logistics": 3.9, "relevance": 4.1}
COMPLAINT_MIX = {"service": 0.55, "technical": 0.15, "product_info": 0.15, "delivery": 0.10, "billing": 0.05}
COMPLAINT_MIX_TRAINED = {"service": 0.40, "technical": 0.27, "product_info": 0.10, "delivery": 0.14, "billing": 0.09}
PRODUCTS = ("software", "hardware", "service", "consumables", "training")
PRODUCT_P = (0.30, 0.25, 0.20, 0.17, 0.08)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢"
GIVEN = (
    "伟",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "丹",
    "萍",
    "鑫",
    "浩",
    "宇",
    "婷",
    "雪",
    "琳",
    "晨",
    "欣",
    "博",
    "子涵",
    "思远",
    "雨",
    "佳",
    "瑶",
    "志强",
    "建华",
    "晓东",
    "海燕",
    "丽华",
    "文",
    "斌",
    "凯",
    "倩",
    "颖",
    "昊",
    "宁",
    "亮",
    "慧",
    "晶",
)
FIRMS = (
    "恒信",
    "华腾",
    "鑫源",
    "德润",
    "瑞丰",
    "宏达",
    "嘉禾",
    "泰和",
    "永安",
    "金桥",
    "博远",
    "汇通",
    "中诚",
    "安捷",
    "凯旋",
    "联创",
    "天成",
    "盛世",
    "亿达",
    "锦程",
    "东方",
    "新纪元",
    "长虹",
    "富华",
    "明德",
    "正泰",
)
TRADES = ("贸易", "科技", "电子", "机械", "食品", "物流", "建材", "医药", "服饰", "化工", "信息技术", "家居")

_NORMAL = NormalDist()


def _median_for_fast_share(share: float, sigma: float = 0.5, limit: float = 5.0) -> float:
    """Median of a log-normal response time whose P(time < limit) equals ``share``."""
    share = min(max(share, 0.01), 0.99)
    return math.exp(math.log(limit) - sigma * _NORMAL.inv_cdf(share))


@dataclass(frozen=True)
class Effects:
    """True effects of training on trained reps (all are causal effects vs. no training).

    ``relative`` effects multiply the untrained expectation (0.15 = +15%); ``absolute``
    effects add to it (in the unit of the metric). :data:`EFFECT_DOCS` holds each one's
    precise definition, also written into ``TRUTH.json``.

    Examples
    --------
    >>> Effects().sales, Effects().win_rate
    (0.15, 0.08)
    >>> Effects.zero().nps
    0.0
    """

    sales: float = 0.15
    new_clients: float = 0.20
    order_value: float = 0.12
    lead_conversion: float = 0.05
    win_rate: float = 0.08
    repurchase: float = 0.10
    nps: float = 12.0
    complaints: float = -0.30
    complaint_resolution: float = -0.375
    complaint_retention: float = 0.22
    knowledge_score: float = 30.0
    product_score: float = 25.0
    skill_score: float = 20.0
    objection_score: float = 25.0
    roleplay_score: float = 1.0
    crm_completeness: float = 0.22
    fabe_share: float = 0.35
    rating_360: float = 0.5
    objection_fast: float = 0.25
    objection_credible: float = 0.20

    @classmethod
    def zero(cls) -> Effects:
        """Every effect 0: training changes nothing (for false-positive checks).

        Examples
        --------
        >>> all(v == 0 for v in vars(Effects.zero()).values())
        True
        """
        return cls(**{f.name: 0.0 for f in fields(cls)})


_MONTHS_T = "every rep-month from the first month after the rep's cohort's last course end_date (effect_start in cohorts) while the rep is employed"
EFFECT_DOCS: dict[str, tuple[str, str, str]] = {
    "sales": (
        "relative",
        "share",
        f"Expected sales amount (sum of orders.amount credited to the rep, outlier orders excluded) per rep-month, multiplied by 1 + effect in {_MONTHS_T}. Implemented as expected order count x (1+sales)/(1+order_value) and expected order value x (1+order_value).",
    ),
    "new_clients": (
        "relative",
        "share",
        f"Expected number of new customers (customers.acquired_date in the month, owner_id = rep) per rep-month, multiplied by 1 + effect in {_MONTHS_T}.",
    ),
    "order_value": (
        "relative",
        "share",
        f"Expected amount of one order (average order value) of the rep, multiplied by 1 + effect for orders dated in {_MONTHS_T}. The untrained expectation moves with the calendar month and the price trend (seasonality.order_value_factors_by_month, market_trend.order_value_monthly_growth), the same for every rep.",
    ),
    "lead_conversion": (
        "absolute",
        "probability",
        "P(lead converted to opportunity) of leads whose created_date falls in a treated rep-month, minus the same without training; base 0.12 + the created month's season shift + trend (seasonality.rate_shifts_by_month, market_trend.rate_monthly_trend), the same for every rep. Leads whose conversion would fall after 2025-12-31 are recorded unconverted (right-censoring).",
    ),
    "win_rate": (
        "absolute",
        "probability",
        "P(won) of opportunities whose created_date falls in a treated rep-month, among closed (won or lost) ones, minus the same without training; base 0.35 + the created month's season shift + trend (seasonality.rate_shifts_by_month, market_trend.rate_monthly_trend). Closing delay is independent of the outcome.",
    ),
    "repurchase": (
        "absolute",
        "share",
        "Repurchase rate: among the customers with >= 1 order from the rep in a window of 3 calendar months lying wholly in treated months, the expected share with >= 2 orders, minus the same without training; base 0.45 + the buying month's season shift + trend (seasonality.rate_shifts_by_month, market_trend.rate_monthly_trend). Exact by construction: a customer buys in months at least 3 apart (so in one month per window), and each buying month (episode) has 2 + Poisson(0.3) orders with probability q_m + effect (q_m = the untrained probability of that month), else 1 order. Holds for the pooled share and, up to small-sample ratio bias, for the mean of per-rep shares.",
    ),
    "nps": (
        "absolute",
        "NPS points",
        "Net promoter score (% answers 9-10 minus % answers 0-6) of customer_feedback answers dated in treated rep-months of the rep serving the customer; base 35 (promoters 50%, detractors 15%). The effect moves half the points from detractors to promoters and half by turning passives into promoters.",
    ),
    "complaints": (
        "relative",
        "share",
        f"Expected number of complaints per rep-month (complaints.opened in the month, employee_id = rep), multiplied by 1 + effect in {_MONTHS_T}. Per order the change is (1+complaints)/(1+sales)*(1+order_value) - 1.",
    ),
    "complaint_resolution": (
        "relative",
        "share",
        "Expected days from opened to resolved of complaints opened in treated rep-months, multiplied by 1 + effect (base mean 7.2 days, log-normal). Complaints unresolved at 2025-12-31 stay open (right-censoring).",
    ),
    "complaint_retention": (
        "absolute",
        "probability",
        "P(customer_retained) of complaints opened in treated rep-months, minus the same without training; base 0.60 + the opened month's season shift (seasonality.rate_shifts_by_month); empty when opened less than 90 days before 2025-12-31.",
    ),
    "knowledge_score": (
        "absolute",
        "points (0-100)",
        "Expected post minus pre score of the knowledge test for trainees, minus the same for untrained people who take both (retest gain 2 points). Pre mean 55. Scores are 5 x number of 20 items correct, before clipping the expected share to [0.02, 0.98].",
    ),
    "product_score": (
        "absolute",
        "points (0-100)",
        "As knowledge_score, for the product test (pre mean 60, retest +2).",
    ),
    "skill_score": (
        "absolute",
        "points (0-100)",
        "As knowledge_score, for the practical skill test (pre mean 58, retest +2); only trainees take it, so the trainee gain is effect + 2.",
    ),
    "objection_score": (
        "absolute",
        "points (0-100)",
        "As skill_score, for the objection-handling test (pre mean 52, retest +2).",
    ),
    "roleplay_score": (
        "absolute",
        "points (0-5)",
        "As skill_score, for the role-play score on 0-5 (pre mean 3.2, retest +0.1).",
    ),
    "crm_completeness": (
        "absolute",
        "share",
        "Expected records_complete / records_created of crm_activity in treated rep-months; base 0.70 (rep-level sd 0.04); untrained flat.",
    ),
    "fabe_share": (
        "absolute",
        "share",
        "Expected fabe_calls / observed_calls of crm_activity in treated rep-months; base 0.45.",
    ),
    "rating_360": (
        "absolute",
        "points (1-5)",
        "Expected post-wave minus pre-wave 360 rating of trainees, all rater types, averaged over the 6 competencies (competency multipliers in rating_360_competency_multiplier, mean 1); untrained change 0. Ratings are stochastically rounded (unbiased except at the 1 and 5 bounds).",
    ),
    "objection_fast": (
        "absolute",
        "share",
        "Share of objection_drills answers with response_seconds < 5 in the post phase of trainees, minus the pre phase (base 0.35, untrained flat); the same shift applies to the per-call response times behind crm_activity.objection_response_seconds in treated rep-months.",
    ),
    "objection_credible": (
        "absolute",
        "probability",
        "P(credible) of objection_drills answers of trainees in the post phase minus pre (base 0.50).",
    ),
}


SECONDARY_EFFECTS = {
    "complaint_type_mix": f"Complaints opened in treated rep-months have type mix {COMPLAINT_MIX_TRAINED} instead of {COMPLAINT_MIX}.",
    "certification_pass": "Trainees' certification (fabe_practitioner / sales_coach, 20-60 days after training) passes with probability 0.8 instead of 0.6.",
    "promotion_high_potential": "Trained high-potential people are promoted on 2025-12-01 with probability 0.40 (others: high potentials 0.10, the rest 0.03 per cycle).",
    "east_meetings": "East's meetings from 2025-09 execute 82% of decisions (else 72%) and take 30% fewer hours to decide.",
    "kb_usage": "Knowledge-base events per treated rep-month are 1.5 x the untrained rate (2.5 a month).",
}
"""Effects without an option of their own: on when any effect of :class:`Effects` is non-zero."""


def _any_effect(eff: Effects) -> bool:
    return any(v != 0 for v in asdict(eff).values())


@dataclass
class Sample:
    """A generated sample company: the contract tables and the truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, Any]


# --------------------------------------------------------------------------- helpers


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    sur = rng.choice(list(SURNAMES), n)
    given = rng.choice(GIVEN, n)
    two = rng.random(n) < 0.35
    extra = rng.choice(GIVEN, n)
    return np.array(
        [s + g + (e if t and len(g) == 1 and len(e) == 1 else "") for s, g, e, t in zip(sur, given, extra, two)],
        dtype=object,
    )


def _companies(rng: np.random.Generator, cities: list[str], n: int) -> np.ndarray:
    c = rng.choice(cities, n)
    f = rng.choice(FIRMS, n)
    t = rng.choice(TRADES, n)
    suffix = np.where(rng.random(n) < 0.8, "有限公司", "股份有限公司")
    return np.array([a + b + x + s for a, b, x, s in zip(c, f, t, suffix)], dtype=object)


def _day_in_month(rng: np.random.Generator, month_idx: np.ndarray) -> np.ndarray:
    """A uniformly random date inside each given month (index into MONTHS)."""
    off = np.floor(rng.random(len(month_idx)) * MONTH_DAYS[month_idx]).astype(int)
    return MONTH_START[month_idx] + off


def _month_index(dates: np.ndarray) -> np.ndarray:
    return (dates.astype("datetime64[M]") - MONTHS[0]).astype(int)


def _stoch_round(rng: np.random.Generator, x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    x = np.clip(x, lo, hi)
    base = np.floor(x)
    return np.clip(base + (rng.random(len(x)) < (x - base)), lo, hi).astype(int)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    digits = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add(prefix, digits).astype(object)


def _scaled(n: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(n * scale)))


# --------------------------------------------------------------------------- people


def _people(
    rng: np.random.Generator, scale: float, teams: dict = TEAMS, plan_of: dict = TEAM_PLAN
) -> tuple[pd.DataFrame, list[dict]]:
    """Employees with their hidden attributes, and the cohort plan."""
    rows: list[dict] = []
    cohorts: list[dict] = []

    def add(team: str, role: str, tenure_years: float, ref: np.datetime64, **kw: Any) -> dict:
        hire = ref - np.timedelta64(int(tenure_years * 365.25), "D")
        r = dict(
            employee_id=f"E{len(rows) + 1:04d}",
            team=team,
            region=teams[team][0],
            role=role,
            hire=hire,
            **{"cohort": None, "segment": None, "head": False, **kw},
        )
        rows.append(r)
        return r

    for team, (plan, n_untrained) in plan_of.items():
        mid = np.datetime64("2025-07-01")
        add(team, "manager", rng.uniform(8, 14), mid, head=True)
        for quarter, (size, start) in plan.items():
            n = _scaled(size, scale)
            ref = np.datetime64(start)
            if team == "east" and quarter == "2025Q3":
                n_new, n_mid = int(round(0.3 * n)), int(round(0.4 * n))
            else:
                n_new, n_mid = int(round(0.25 * n)), int(round(0.5 * n))
            n_mgr = n - n_new - n_mid
            members = []
            for _ in range(n_new):
                members.append(add(team, "rep", rng.uniform(0.1, 0.95), ref, cohort=quarter, segment="new"))
            for _ in range(n_mid):
                lo, hi = (3.05, 4.95) if team == "east" and quarter == "2025Q3" else (1.2, 7.0)
                ten = rng.uniform(lo, hi)
                members.append(
                    add(team, "senior_rep" if ten >= 3 else "rep", ten, ref, cohort=quarter, segment="experienced")
                )
            for _ in range(n_mgr):
                members.append(add(team, "manager", rng.uniform(5, 12), ref, cohort=quarter, segment="manager"))
            cohorts.append(dict(team=team, quarter=quarter, start=ref, members=members))
        n_comp = _scaled(n_untrained, scale) - 1  # the head is untrained too
        for _ in range(n_comp):
            u = rng.random()
            if u < 0.15:  # hired during the period
                hire = START + np.timedelta64(int(rng.integers(40, 640)), "D")
                add(team, "rep", float((mid - hire).astype(int)) / 365.25, mid)
            elif u < 0.35:
                add(team, "rep", rng.uniform(0.6, 3.0), mid)
            elif u < 0.82:
                add(team, "senior_rep", rng.uniform(3.0, 9.0), mid)
            else:
                add(team, "manager", rng.uniform(5, 12), mid)

    emp = pd.DataFrame(rows)
    n = len(emp)
    emp["display_name"] = _names(rng, n)
    level = np.where(
        emp["role"] == "rep",
        rng.integers(1, 3, n),
        np.where(emp["role"] == "senior_rep", rng.integers(3, 5, n), rng.integers(5, 8, n)),
    )
    emp["level"] = np.where(emp["head"], 8, level)
    cost = {"rep": (120, 160), "senior_rep": (180, 240), "manager": (280, 380)}
    emp["hourly_cost"] = [round(rng.uniform(*cost[r]) if not h else 460.0, 1) for r, h in zip(emp["role"], emp["head"])]
    emp["high_potential"] = rng.random(n) < np.where(emp["cohort"].notna(), 0.25, 0.12)
    # Hidden sales levels: role-dependent, independent of anything that happens later.
    role_f = emp["role"].map({"rep": 0.9, "senior_rep": 1.1, "manager": 1.15}).to_numpy(float)
    emp["level_sales"] = role_f * np.exp(rng.normal(-0.045, 0.3, n))
    emp["level_new"] = np.exp(rng.normal(-0.01, 0.15, n)) * emp["level_sales"] ** 0.5
    emp["aov_level"] = np.exp(rng.normal(-0.01, 0.12, n))
    emp["crm_base"] = np.clip(rng.normal(CRM_COMPLETENESS, 0.04, n), 0.5, 0.85)
    emp["fabe_base"] = np.clip(rng.normal(FABE_SHARE, 0.05, n), 0.2, 0.65)
    # Managers: each team's non-head managers report to the head, others to a manager.
    mgr = np.full(n, None, dtype=object)
    for team in teams:
        idx = np.flatnonzero(emp["team"].to_numpy() == team)
        head = idx[emp["head"].to_numpy()[idx]][0]
        mgrs = [i for i in idx if emp.at[i, "role"] == "manager" and i != head]
        for i in idx:
            if i == head:
                continue
            mgr[i] = (
                emp.at[head, "employee_id"]
                if emp.at[i, "role"] == "manager" or not mgrs
                else emp.at[mgrs[int(rng.integers(len(mgrs)))], "employee_id"]
            )
    emp["manager_id"] = mgr
    # Leavers (~8%): untrained people any time; a few trainees late in 2025 after training.
    leave = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    trained = emp["cohort"].notna().to_numpy()
    hire = emp["hire"].to_numpy().astype("datetime64[D]")
    for i in range(n):
        p = 0.02 if trained[i] else 0.12
        if emp.at[i, "head"] or rng.random() >= p:
            continue
        lo = max(
            hire[i] + np.timedelta64(120, "D"),
            np.datetime64("2024-04-01") if not trained[i] else np.datetime64("2025-10-15"),
        )
        if lo < END:
            leave[i] = lo + np.timedelta64(int(rng.integers(0, max(1, int((END - lo).astype(int))))), "D")
    emp["leave"] = leave
    emp["hire"] = hire
    # Learning preferences (survey; more non-response among the untrained).
    miss = rng.random((n, 3)) < np.where(trained, 0.06, 0.3)[:, None]
    emp["prefers_case_teaching"] = pd.array(np.where(miss[:, 0], None, rng.random(n) < 0.82), dtype="boolean")
    emp["wants_personal_path"] = pd.array(np.where(miss[:, 1], None, rng.random(n) < 0.67), dtype="boolean")
    emp["mobile_learning_share"] = np.where(miss[:, 2], np.nan, np.round(rng.beta(7.3, 2.7, n), 2))
    return emp, cohorts


def _active_months(emp: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rep-month panel: (employee row index, month index) of every month worked in full or mostly."""
    first = _month_index(emp["hire"].to_numpy() + np.timedelta64(15, "D"))
    first = np.maximum(first, 0)
    leave = emp["leave"].to_numpy()
    last = np.where(np.isnat(leave), N_MONTHS, _month_index(np.where(np.isnat(leave), END, leave)))
    e = np.concatenate([np.full(max(0, b - a), i) for i, (a, b) in enumerate(zip(first, last))])
    m = np.concatenate([np.arange(a, b) for a, b in zip(first, last) if b > a])
    return e.astype(int), m.astype(int)


# --------------------------------------------------------------------------- training


COURSE_TEMPLATES = [
    # (key, title, module_type, competency, delivery, hours, segment, day offset, duration)
    ("theory", "市场分析与品牌定位", "theory", "needs_analysis", "offline", 12.0, None, 0, 11),
    ("tool", "CRM与销售数据分析工具", "tool", "crm_discipline", "online", 8.0, None, 7, 18),
    ("industry", "行业解决方案与竞品对比", "industry", "product_knowledge", "blended", 10.0, None, 14, 32),
    ("simulation", "FABE销售沙盘模拟对抗", "simulation", "fabe_presentation", "blended", 16.0, None, 21, 39),
    ("segment_new", "销售基本功训练营", "theory", "objection_handling", "offline", 12.0, "new", 35, 46),
    ("segment_experienced", "高级商务谈判", "simulation", "negotiation", "offline", 12.0, "experienced", 35, 53),
    ("segment_manager", "教练式辅导与团队赋能", "theory", "needs_analysis", "blended", 12.0, "manager", 42, 53),
]
TRAINER_SPECS = [
    # (name, kind, vendor, true satisfaction 1-5, hourly fee for externals)
    ("周建华", "internal", None, 4.25, None),
    ("陈思远", "internal", None, 3.95, None),
    ("林晓东", "internal", None, 4.45, None),
    ("刘海燕", "internal", None, 3.70, None),
    ("郑丽华", "internal", None, 4.10, None),
    ("Michael Chen", "external", "智联企业管理咨询有限公司", 4.70, 2600.0),
    ("孙博", "external", "智联企业管理咨询有限公司", 4.35, 2000.0),
    ("吴子涵", "external", "博思培训有限公司", 3.60, 1800.0),
    ("Anna Li", "external", "博思培训有限公司", 4.55, 2400.0),
]


def _training(rng: np.random.Generator, emp: pd.DataFrame, cohorts: list[dict]) -> dict[str, Any]:
    """Trainers, course runs, enrollments, check-ins, incidents and costs."""
    # Internal trainers are senior untrained managers or heads of the teams.
    pool = emp.index[(emp["role"] == "manager") & emp["cohort"].isna() & emp["leave"].isna()].to_numpy()
    internal = rng.choice(pool, size=5, replace=len(pool) < 5)
    trainers = []
    for k, (name, kind, vendor, level, fee) in enumerate(TRAINER_SPECS):
        eid, hourly = None, fee
        if kind == "internal":
            row = internal[k]
            eid = emp.at[row, "employee_id"]
            name = emp.at[row, "display_name"]
            hourly = float(emp.at[row, "hourly_cost"])
        trainers.append(
            dict(
                trainer_id=f"TR{k + 1:02d}",
                name=name,
                kind=kind,
                employee_id=eid,
                vendor=vendor,
                hourly_fee=hourly,
                level=level,
            )
        )
    trainers_df = pd.DataFrame(trainers)

    courses, enrol, checkins, incidents, costs = [], [], [], [], []
    cohort_truth = []
    for c in cohorts:
        team, quarter, start = c["team"], c["quarter"], c["start"]
        members = c["members"]
        segs = {m["segment"] for m in members}
        prog = f"销售赋能计划 {quarter} {team}"
        runs = []
        for j, (key, title, mtype, comp, delivery, hours, seg, off, dur) in enumerate(COURSE_TEMPLATES):
            if seg is not None and seg not in segs:
                continue
            tr = trainers[int(rng.integers(len(trainers)))]
            cid = f"C{quarter[2:4]}{quarter[-1]}{_team_code(team)}{j + 1:02d}"
            run = dict(
                course_id=cid,
                title=title,
                programme=prog,
                module_type=mtype,
                competency=comp,
                delivery=delivery,
                hours=hours,
                trainer_id=tr["trainer_id"],
                cohort=quarter,
                start_date=start + np.timedelta64(off, "D"),
                end_date=start + np.timedelta64(dur, "D"),
                key=key,
                segment=seg,
                team=team,
            )
            runs.append(run)
        courses += runs
        last_end = max(r["end_date"] for r in runs)
        effect_start = (last_end.astype("datetime64[M]") + 1).astype("datetime64[D]")
        ids = []
        for m in members:
            m["effect_start"] = effect_start
            m["programme_start"] = start
            m["programme_end"] = last_end
            m["runs"] = [r for r in runs if r["segment"] in (None, m["segment"])]
            eid = m["employee_id"]
            ids.append(eid)
            for r in m["runs"]:
                u = rng.random()
                planned = r["hours"]
                if u < 0.85:
                    att, done, makeup = planned, True, False
                elif u < 0.97:
                    att = round(planned * rng.uniform(0.55, 0.95), 1)
                    makeup = bool(rng.random() < 0.7)
                    done = makeup or att >= 0.8 * planned
                else:
                    att, done, makeup = round(planned * rng.uniform(0.1, 0.45), 1), False, False
                enrol.append(
                    dict(
                        employee_id=eid,
                        course_id=r["course_id"],
                        planned_hours=planned,
                        attended_hours=att,
                        completed=done,
                        makeup_session=makeup,
                    )
                )
            p = np.clip(rng.beta(17, 2.6), 0.4, 1.0)
            weeks = int((last_end - start).astype(int) // 7) + 1
            for w in range(weeks):
                checkins.append(
                    dict(
                        employee_id=eid, week_start=start + np.timedelta64(7 * w, "D"), completed=bool(rng.random() < p)
                    )
                )
        cohort_truth.append(
            dict(
                team=team,
                quarter=quarter,
                employee_ids=ids,
                training_start=str(start),
                training_end=str(last_end),
                effect_start=str(effect_start),
                n=len(ids),
            )
        )
        # Incidents and costs per run.
        tr_by_id = {t["trainer_id"]: t for t in trainers}
        for r in runs:
            n_inc = int(rng.poisson(0.9))
            for _ in range(n_inc):
                kind = rng.choice(
                    ["equipment", "health", "technical", "trainer_absent", "trainee_absent"],
                    p=[0.35, 0.1, 0.3, 0.05, 0.2],
                )
                lvl = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1]))
                days = int((r["end_date"] - r["start_date"]).astype(int))
                incidents.append(
                    dict(
                        course_id=r["course_id"],
                        date=r["start_date"] + np.timedelta64(int(rng.integers(0, days + 1)), "D"),
                        kind=str(kind),
                        escalation_level=lvl,
                        minutes_to_resolve=round(float(rng.lognormal(np.log(4 * lvl**1.5), 0.5)), 1),
                    )
                )
            tr = tr_by_id[r["trainer_id"]]
            n_att = [e for e in enrol if e["course_id"] == r["course_id"]]
            d0, d1 = r["start_date"], r["end_date"]
            lines = [
                (
                    "trainer_fee",
                    tr["vendor"] if tr["kind"] == "external" else None,
                    tr["hourly_fee"] * r["hours"] * (1.0 if tr["kind"] == "external" else 1.5),
                    d1,
                )
            ]
            if r["delivery"] in ("offline", "blended"):
                lines.append(
                    (
                        "venue",
                        str(rng.choice(["锦江国际酒店", "万豪会议中心", "公司培训中心"])),
                        round(rng.uniform(800, 1500) * r["hours"] / 6, 0),
                        d0,
                    )
                )
            if tr["kind"] == "external" or r["delivery"] == "offline":
                lines.append(("travel", "携程商旅", round(rng.uniform(1500, 6000), 0), d0))
            lines.append(("materials", "领先印务有限公司", round(len(n_att) * rng.uniform(60, 150), 0), d0))
            if r["delivery"] in ("online", "blended"):
                lines.append(("platform", "云学堂", round(len(n_att) * rng.uniform(80, 200), 0), d0))
            hc = emp.set_index("employee_id")["hourly_cost"]
            lines.append(
                ("participant_time", None, round(sum(e["attended_hours"] * hc[e["employee_id"]] for e in n_att), 2), d1)
            )
            for cat, vendor, amount, d in lines:
                costs.append(
                    dict(
                        programme=prog,
                        course_id=r["course_id"],
                        category=cat,
                        vendor=vendor,
                        amount=float(amount),
                        date=d,
                    )
                )
        costs.append(
            dict(
                programme=prog,
                course_id=None,
                category="platform",
                vendor="云学堂",
                amount=round(float(rng.uniform(5000, 12000)), 0),
                date=start - np.timedelta64(14, "D"),
            )
        )
    return dict(
        trainers=trainers_df,
        courses=pd.DataFrame(courses),
        enrollments=pd.DataFrame(enrol),
        checkins=pd.DataFrame(checkins),
        incidents=pd.DataFrame(incidents),
        costs=pd.DataFrame(costs),
        cohorts=cohort_truth,
    )


# --------------------------------------------------------------------------- sales


def _episodes(
    rng: np.random.Generator, n_new: np.ndarray, n_old: np.ndarray, book0: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pick the customers of one rep's buying episodes, month by month.

    Customers are numbered locally: ``0..book0-1`` the initial book, then new clients in
    order of arrival. Each month ``n_old[t]`` distinct customers of the book buy, drawn
    among those who have not bought in the two previous months (so a customer's buying
    months are at least 3 apart); if too few are eligible, those who bought longest ago
    fill up. Returns (local customer, month) of every episode of existing customers.
    """
    last = np.full(book0 + int(n_new.sum()), -99, dtype=int)
    n_known = book0
    out_c, out_m = [], []
    for t in range(len(n_new)):
        k = min(int(n_old[t]), n_known)
        if k:
            eligible = np.flatnonzero(last[:n_known] < t - 2)
            if len(eligible) >= k:
                c = rng.choice(eligible, k, replace=False)
            else:
                rest = np.flatnonzero(last[:n_known] >= t - 2)
                rest = rest[np.argsort(last[rest], kind="stable")][: k - len(eligible)]
                c = np.concatenate([eligible, rest])
            out_c.append(c)
            out_m.append(np.full(len(c), t))
            last[c] = t
        new = np.arange(n_known, n_known + int(n_new[t]))
        last[new] = t
        n_known += int(n_new[t])
    if not out_c:
        return np.zeros(0, int), np.zeros(0, int)
    return np.concatenate(out_c), np.concatenate(out_m)


def _sales(
    rng: np.random.Generator, emp: pd.DataFrame, eff: Effects, scale: float, teams: dict = TEAMS
) -> dict[str, Any]:
    e_idx, m_idx = _active_months(emp)
    es = emp["effect_start"].to_numpy()
    es_m = np.where(pd.isna(es), 10_000, _month_index(np.where(pd.isna(es), END, es).astype("datetime64[D]")))
    treated = m_idx >= es_m[e_idx]
    T = treated.astype(float)
    sg = SEASON[m_idx] * TREND[m_idx]
    lvl = emp["level_sales"].to_numpy()[e_idx]
    e_orders = (1 + eff.sales) / (1 + eff.order_value) - 1
    mu_new = NEW_CLIENTS_PER_MONTH * emp["level_new"].to_numpy()[e_idx] * sg * (1 + eff.new_clients * T)
    mu_all = ORDERS_PER_MONTH * lvl * sg * (1 + e_orders * T)
    # A buying episode has 1 order, or with probability q (the repurchase rate) 2 + Poisson(0.3).
    q = np.clip(REPURCHASE_RATE + RATE_SHIFT["repurchase"][m_idx] + eff.repurchase * T, 0.0, 1.0)
    size = 1 + q * (1 + EXTRA_ORDERS)
    n_new = rng.poisson(mu_new)
    n_old = rng.poisson(np.maximum(mu_all / size - mu_new, 0.5))
    n_emp = len(emp)
    region = emp["region"].to_numpy()
    team = emp["team"].to_numpy()
    hire = emp["hire"].to_numpy()
    n_cust = 0
    cust_base = np.zeros(n_emp, dtype=int)
    cust_count = np.zeros(n_emp, dtype=int)
    order_cust: list[np.ndarray] = []
    order_emp: list[np.ndarray] = []
    order_month: list[np.ndarray] = []
    order_new: list[np.ndarray] = []
    order_q: list[np.ndarray] = []
    cust_owner, cust_acq, cust_acq_order = [], [], []
    for i in range(n_emp):
        sel = np.flatnonzero(e_idx == i)
        if len(sel) == 0:
            continue
        months = m_idx[sel]
        tenured = hire[i] < START
        book0 = int(round((40 if tenured else 30) * emp.at[i, "level_sales"] + 5))
        nn = np.zeros(N_MONTHS, int)
        nr = np.zeros(N_MONTHS, int)
        nn[months], nr[months] = n_new[sel], n_old[sel]
        c_loc, c_m = _episodes(rng, nn, nr, book0)
        cust_base[i] = n_cust
        total = book0 + int(nn.sum())
        cust_count[i] = total
        # Initial book: acquired before 2024 (or before the rep took the accounts over).
        acq0 = START - rng.integers(30, 6 * 365, book0).astype("timedelta64[D]")
        new_m = np.repeat(np.arange(N_MONTHS), nn)
        new_d = _day_in_month(rng, new_m)
        cust_owner.append(np.full(total, i))
        cust_acq.append(np.r_[acq0, new_d])
        cust_acq_order.append(np.r_[np.zeros(book0, bool), np.ones(len(new_d), bool)])
        order_cust.append(np.r_[c_loc, np.arange(book0, total)] + n_cust)
        order_emp.append(np.full(len(c_loc) + len(new_m), i))
        order_month.append(np.r_[c_m, new_m])
        order_new.append(np.r_[np.zeros(len(c_loc), bool), np.ones(len(new_m), bool)])
        q_month = REPURCHASE_RATE + RATE_SHIFT["repurchase"]
        q_month[months] = q[sel]
        order_q.append(q_month[np.r_[c_m, new_m]])
        n_cust += total

    owner = np.concatenate(cust_owner)
    acq = np.concatenate(cust_acq)
    o_cust = np.concatenate(order_cust)
    o_emp = np.concatenate(order_emp)
    o_month = np.concatenate(order_month)
    o_new = np.concatenate(order_new)
    # Episode start: new clients' first order is on their acquisition day.
    ep_date = _day_in_month(rng, o_month)
    ep_date[o_new] = acq[o_cust[o_new]]
    # Episode size: 1 order, or 2 + Poisson(EXTRA_ORDERS) with probability q; the later
    # orders fall between the first one and the end of the month.
    q_ep = np.concatenate(order_q)
    n_ord = np.where(rng.random(len(q_ep)) < q_ep, 2 + rng.poisson(EXTRA_ORDERS, len(q_ep)), 1)
    first = np.r_[0, np.cumsum(n_ord)[:-1]]
    rep = np.repeat(np.arange(len(n_ord)), n_ord)
    later = np.arange(len(rep)) != first[rep]
    o_cust, o_emp, o_month, o_new = o_cust[rep], o_emp[rep], o_month[rep], o_new[rep] & ~later
    o_date = ep_date[rep]
    month_end = MONTH_START[o_month] + MONTH_DAYS[o_month] - 1
    span = (month_end - o_date).astype(int) + 1
    o_date = np.where(later, o_date + np.floor(rng.random(len(rep)) * span).astype(int), o_date)
    o_treat = o_month >= es_m[o_emp]
    aov = (
        ORDER_VALUE
        * emp["aov_level"].to_numpy()[o_emp]
        * AOV_SEASON[o_month]
        * AOV_TREND[o_month]
        * (1 + eff.order_value * o_treat)
    )
    amount = aov * np.exp(rng.normal(-(ORDER_SIGMA**2) / 2, ORDER_SIGMA, len(o_emp)))
    amount = np.maximum(np.round(amount, 0), 20.0)
    # A handful of very large orders (key-account deals): noise, not part of the truth.
    n_out = max(1, int(round(6 * scale)))
    out_idx = rng.choice(len(amount), n_out, replace=False)
    amount[out_idx] = np.round(rng.uniform(80_000, 300_000, n_out), 0)
    order = np.lexsort((o_cust, o_emp, o_date))
    o_cust, o_emp, o_date, o_new, amount = o_cust[order], o_emp[order], o_date[order], o_new[order], amount[order]
    is_out = np.zeros(len(order), bool)
    is_out[np.argsort(order)[out_idx]] = True
    n_o = len(order)
    o_mi = _month_index(o_date)
    promo_p = np.where(o_mi % 12 == 10, 0.30, np.where(o_mi % 12 == 11, 0.20, 0.10))
    renewal = (~o_new) & (rng.random(n_o) < 0.12)
    due = np.where(renewal, o_date + rng.integers(-20, 120, n_o).astype("timedelta64[D]"), np.datetime64("NaT"))
    cid = _ids("C", n_cust, 6)
    eid = emp["employee_id"].to_numpy()
    orders = pd.DataFrame(
        dict(
            order_id=_ids("O", n_o, 7),
            customer_id=cid[o_cust],
            employee_id=eid[o_emp],
            order_date=o_date,
            amount=amount,
            product_category=rng.choice(PRODUCTS, n_o, p=PRODUCT_P),
            promotion=rng.random(n_o) < promo_p,
            renewal=renewal,
            renewal_due_date=due,
        )
    )

    seg = rng.choice(["smb", "mid_market", "key_account"], n_cust, p=[0.7, 0.25, 0.05])
    annual = {"smb": 15_000, "mid_market": 60_000, "key_account": 600_000}
    annual_value = np.round(np.array([annual[s] for s in seg]) * rng.lognormal(-0.18, 0.6, n_cust), -2)
    names = np.empty(n_cust, dtype=object)
    for t, (_, cities) in teams.items():
        mask = team[owner] == t
        names[mask] = _companies(rng, cities, int(mask.sum()))
    # Referrals: ~10% of new clients were referred by an earlier customer of the same rep.
    referred = np.full(n_cust, None, dtype=object)
    is_newc = np.concatenate(cust_acq_order)
    cand = np.flatnonzero(is_newc & (rng.random(n_cust) < 0.10))
    for k in cand:
        i = owner[k]
        lo = cust_base[i]
        if k > lo:
            referred[k] = cid[lo + int(rng.integers(0, k - lo))]
    customers = pd.DataFrame(
        dict(
            customer_id=cid,
            name=names,
            segment=seg,
            region=region[owner],
            owner_id=eid[owner],
            acquired_date=acq,
            annual_value=annual_value,
            referred_by=referred,
        )
    )

    panel = pd.DataFrame(dict(e=e_idx, m=m_idx, treated=treated, sg=sg))
    return dict(
        orders=orders,
        customers=customers,
        panel=panel,
        cust_base=cust_base,
        cust_count=cust_count,
        cust_acq=acq,
        es_m=es_m,
        outliers=orders["order_id"].to_numpy()[is_out].tolist(),
    )


def _pick_customer(rng: np.random.Generator, s: dict, e: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """A random customer of rep ``e`` already acquired by ``dates`` (any of theirs if none)."""
    base, count, acq = s["cust_base"][e], s["cust_count"][e], s["cust_acq"]
    u = rng.integers(0, 1 << 30, len(e))
    out = base + u % count
    ok = acq[out] <= dates
    for _ in range(5):
        bad = ~ok
        if not bad.any():
            break
        out[bad] = base[bad] + rng.integers(0, 1 << 30, int(bad.sum())) % count[bad]
        ok = acq[out] <= dates
    return out


def _funnel(rng: np.random.Generator, emp: pd.DataFrame, s: dict, eff: Effects) -> dict[str, pd.DataFrame]:
    panel = s["panel"]
    e_idx, m_idx, T, sg = (panel[c].to_numpy() for c in ("e", "m", "treated", "sg"))
    eid = emp["employee_id"].to_numpy()
    cid = s["customers"]["customer_id"].to_numpy()
    es_m = s["es_m"]
    # Leads.
    n_l = rng.poisson(LEADS_PER_MONTH * sg)
    le, lm = np.repeat(e_idx, n_l), np.repeat(m_idx, n_l)
    lt = np.repeat(T, n_l)
    ld = _day_in_month(rng, lm)
    conv = rng.random(len(le)) < LEAD_CONVERSION + RATE_SHIFT["lead_conversion"][lm] + eff.lead_conversion * lt
    cdate = ld + rng.integers(2, 22, len(le)).astype("timedelta64[D]")
    conv &= cdate <= END
    o = np.lexsort((le, ld))
    le, ld, conv, cdate = le[o], ld[o], conv[o], cdate[o]
    lead_id = _ids("L", len(le), 6)
    leads = pd.DataFrame(
        dict(
            lead_id=lead_id,
            employee_id=eid[le],
            created_date=ld,
            converted=conv,
            converted_date=np.where(conv, cdate, np.datetime64("NaT")),
        )
    )
    # Opportunities: from converted leads, plus upsell opportunities without a lead.
    n_x = rng.poisson(OTHER_OPPS_PER_MONTH * sg)
    xe = np.repeat(e_idx, n_x)
    xd = _day_in_month(rng, np.repeat(m_idx, n_x))
    oe = np.r_[le[conv], xe]
    od = np.r_[cdate[conv], xd]
    olead = np.r_[lead_id[conv], np.full(len(xe), None, dtype=object)]
    otreat = _month_index(od) >= es_m[oe]
    won = rng.random(len(oe)) < WIN_RATE + RATE_SHIFT["win_rate"][_month_index(od)] + eff.win_rate * otreat
    closed = od + rng.integers(7, 76, len(oe)).astype("timedelta64[D]")
    is_open = closed > END
    stage = np.where(won, "won", "lost").astype(object)
    stage[is_open] = rng.choice(["prospecting", "qualification", "proposal", "negotiation"], int(is_open.sum()))
    oc = _pick_customer(rng, s, oe, od)
    amount = np.round(6000 * rng.lognormal(-0.245, 0.7, len(oe)), 0)
    o = np.lexsort((oe, od))
    opps = pd.DataFrame(
        dict(
            opportunity_id=_ids("P", len(oe), 6),
            lead_id=olead[o],
            employee_id=eid[oe[o]],
            customer_id=cid[oc[o]],
            stage=stage[o],
            created_date=od[o],
            closed_date=np.where(is_open, np.datetime64("NaT"), closed)[o],
            amount=amount[o],
        )
    )
    # Customer feedback: NPS and CSAT.
    n_f = rng.poisson(FEEDBACK_PER_MONTH, len(e_idx))
    fe, fm, ft = np.repeat(e_idx, n_f), np.repeat(m_idx, n_f), np.repeat(T, n_f)
    fd = _day_in_month(rng, fm)
    shift = eff.nps / 100.0
    p_pro = NPS_MIX[0] + shift * ft * 0.75
    p_det = NPS_MIX[2] - shift * ft * 0.25
    if eff.nps:  # keep the probabilities valid for large requested shifts
        p_det = np.clip(p_det, 0.0, 1.0)
        p_pro = np.clip(p_pro, 0.0, 1.0 - p_det)
    u = rng.random(len(fe))
    cat = np.where(u < p_pro, 2, np.where(u < 1 - p_det, 1, 0))
    nps = np.where(
        cat == 2,
        rng.choice([9, 10], len(fe), p=[0.45, 0.55]),
        np.where(
            cat == 1,
            rng.choice([7, 8], len(fe)),
            rng.choice(np.arange(7), len(fe), p=[0.03, 0.03, 0.06, 0.1, 0.14, 0.28, 0.36]),
        ),
    )
    csat = np.clip(np.round(1.6 + 0.33 * nps + rng.normal(0, 0.55, len(fe))), 1, 5).astype(int)
    fc = _pick_customer(rng, s, fe, fd)
    o = np.lexsort((fe, fd))
    feedback = pd.DataFrame(
        dict(
            feedback_id=_ids("F", len(fe), 6),
            customer_id=cid[fc[o]],
            employee_id=eid[fe[o]],
            date=fd[o],
            nps=pd.array(np.where(rng.random(len(fe)) < 0.04, None, nps[o]), dtype="Int64"),
            csat=pd.array(np.where(rng.random(len(fe)) < 0.07, None, csat[o]), dtype="Int64"),
        )
    )
    # Complaints.
    n_c = rng.poisson(COMPLAINTS_PER_MONTH * sg * (1 + eff.complaints * T))
    ce, cm, ct = np.repeat(e_idx, n_c), np.repeat(m_idx, n_c), np.repeat(T, n_c)
    cdt = _day_in_month(rng, cm)
    opened = cdt.astype("datetime64[m]") + (rng.integers(8 * 60, 20 * 60, len(ce))).astype("timedelta64[m]")
    types = np.empty(len(ce), dtype=object)
    k0, p0 = zip(*COMPLAINT_MIX.items())
    k1, p1 = zip(*COMPLAINT_MIX_TRAINED.items())
    types[:] = rng.choice(k0, len(ce), p=p0)
    tr = ct.astype(bool)
    if _any_effect(eff):  # the type mix shifts (SECONDARY_EFFECTS)
        types[tr] = rng.choice(k1, int(tr.sum()), p=p1)
    else:
        types[tr] = rng.choice(k0, int(tr.sum()), p=p0)
    sig = 0.6
    mean_days = RESOLUTION_DAYS * (1 + eff.complaint_resolution * ct)
    days = rng.lognormal(np.log(mean_days) - sig**2 / 2, sig)
    resolved = opened + np.round(days * 24 * 60).astype(int).astype("timedelta64[m]")
    resolved_ok = resolved <= END.astype("datetime64[m]") + np.timedelta64(24 * 60 - 1, "m")
    retained = rng.random(len(ce)) < RETENTION + RATE_SHIFT["complaint_retention"][cm] + eff.complaint_retention * ct
    known = cdt + np.timedelta64(90, "D") <= END
    ccust = _pick_customer(rng, s, ce, cdt)
    o = np.lexsort((ce, opened))
    complaints = pd.DataFrame(
        dict(
            complaint_id=_ids("K", len(ce), 5),
            customer_id=cid[ccust[o]],
            employee_id=eid[ce[o]],
            type=types[o],
            opened=opened[o],
            resolved=np.where(resolved_ok, resolved, np.datetime64("NaT"))[o],
            customer_retained=pd.array(np.where(known, retained, None)[o], dtype="boolean"),
        )
    )
    # CRM activity.
    n = len(e_idx)
    created = rng.poisson(35, n)
    p_c = np.clip(emp["crm_base"].to_numpy()[e_idx] + eff.crm_completeness * T, 0, 1)
    calls = rng.poisson(6, n)
    p_f = np.clip(emp["fabe_base"].to_numpy()[e_idx] + eff.fabe_share * T, 0, 1)
    med0 = _median_for_fast_share(FAST_OBJECTION_SHARE)
    med1 = _median_for_fast_share(FAST_OBJECTION_SHARE + eff.objection_fast)
    med = np.where(T, med1, med0)
    obj = np.full(n, np.nan)
    for k in np.flatnonzero(calls):
        obj[k] = round(float(np.median(rng.lognormal(np.log(med[k]), 0.5, calls[k]))), 1)
    crm = pd.DataFrame(
        dict(
            employee_id=eid[e_idx],
            month=MONTH_START[m_idx],
            records_created=created,
            records_complete=rng.binomial(created, p_c),
            observed_calls=calls,
            fabe_calls=rng.binomial(calls, p_f),
            objection_response_seconds=obj,
        )
    )
    return dict(leads=leads, opportunities=opps, customer_feedback=feedback, complaints=complaints, crm_activity=crm)


# --------------------------------------------------------------------------- learning


def _learning(
    rng: np.random.Generator, emp: pd.DataFrame, cohorts: list[dict], tr: dict, eff: Effects
) -> dict[str, pd.DataFrame]:
    """Assessments, items, objection drills, 360 ratings and reaction surveys."""
    eids = emp["employee_id"].to_numpy()
    untrained_active = emp.index[emp["cohort"].isna() & ~emp["head"]].to_numpy()
    assess, items, drills, ratings, reaction = [], [], [], [], []
    difficulty = {k: rng.normal(0, 0.9, 20) for k in ITEM_TOPICS}
    rating_no = 0
    used: set[int] = set()  # comparison people measured for an earlier cohort of their team

    def take(
        eid: str, kind: str, quarter: str, phase: str, date: np.datetime64, latent: float, course_id: str | None
    ) -> None:
        mx = TESTS[kind][0]
        test_id = f"T{quarter}-{kind}"
        if kind in ITEM_TOPICS:
            p = min(max(latent / 100.0, 0.02), 0.98)
            n_right = int(rng.binomial(20, p))
            w = -difficulty[kind] + rng.gumbel(size=20)
            right = np.zeros(20, bool)
            right[np.argsort(-w, kind="stable")[:n_right]] = True
            topics = ITEM_TOPICS[kind]
            for j in range(20):
                items.append((eid, test_id, phase, f"{kind[0].upper()}{j + 1:02d}", topics[j % 5], bool(right[j])))
            score = 5.0 * n_right
        elif kind == "roleplay":
            score = round(min(max(latent + rng.normal(0, 0.25), 0.0), mx), 1)
        else:
            score = round(min(max(latent + rng.normal(0, 5.0), 0.0), mx), 0)
        assess.append(
            dict(
                employee_id=eid,
                test_id=test_id,
                kind=kind,
                phase=phase,
                course_id=course_id,
                date=date,
                score=score,
                max_score=mx,
            )
        )

    for c in cohorts:
        quarter, team = c["quarter"], c["team"]
        start, end = c["members"][0]["programme_start"], c["members"][0]["programme_end"]
        pre_d, post_d = start - np.timedelta64(3, "D"), end + np.timedelta64(3, "D")
        fu_d = post_d + np.timedelta64(90, "D")
        # Untrained comparison people of the same team measured on the same dates.
        comp = [
            i
            for i in untrained_active
            if emp.at[i, "team"] == team
            and emp.at[i, "hire"] < pre_d
            and (pd.isna(emp.at[i, "leave"]) or emp.at[i, "leave"] > fu_d)
        ]
        comp = rng.permutation(np.array([i for i in comp if i not in used], dtype=int))
        n_comp = max(2, int(round(len(c["members"]) * 0.35)))
        knowledge_comp, rated_comp = comp[:n_comp], comp[: max(3, int(len(comp) * 0.6))]
        used.update(int(i) for i in rated_comp)
        used.update(int(i) for i in knowledge_comp)
        people = [(m["employee_id"], True, m) for m in c["members"]] + [
            (eids[i], False, None) for i in dict.fromkeys(list(knowledge_comp) + list(rated_comp))
        ]
        for eid, trained, m in people:
            ability = rng.normal(0, 1)
            kinds = list(TESTS) if trained else (["knowledge"] if eid in set(eids[knowledge_comp]) else [])
            for kind in kinds:
                mx, mean, sd, retest, fld = TESTS[kind]
                pre = mean + sd * (0.7 * ability + 0.71 * rng.normal())
                gain = retest + (getattr(eff, fld) if trained else 0.0)
                post = pre + gain + rng.normal(0, sd * 0.3)
                if trained:
                    key = TEST_COURSE[kind]
                    own = [r for r in m["runs"] if r["key"] == key or (key == "segment" and r["segment"])]
                    course_id = own[0]["course_id"] if own else None
                else:
                    course_id = None
                take(eid, kind, quarter, "pre", pre_d, pre, course_id)
                if rng.random() < 0.97:
                    take(eid, kind, quarter, "post", post_d, post, course_id)
                    if kind in ITEM_TOPICS and rng.random() < 0.4 and fu_d <= END:
                        take(eid, kind, quarter, "followup", fu_d, post - 0.2 * gain, course_id)
            # Objection drills: trainees and the knowledge-test comparison people.
            if trained or eid in set(eids[knowledge_comp]):
                rng.normal(0, 0.25)  # an unused draw, kept so the random stream (and the sample) stay as they are
                for phase in ("pre", "post"):
                    post = phase == "post" and trained
                    share = FAST_OBJECTION_SHARE + (eff.objection_fast if post else 0.0)
                    med = _median_for_fast_share(share)
                    types = rng.choice(len(OBJECTIONS), 10, replace=False)
                    secs = rng.lognormal(np.log(med), 0.5, 10)
                    cred = rng.random(10) < CREDIBLE_SHARE + (eff.objection_credible if post else 0.0)
                    for j in range(10):
                        drills.append(
                            (eid, phase, f"D{j + 1:02d}", OBJECTIONS[types[j]], round(float(secs[j]), 1), bool(cred[j]))
                        )
            # 360 ratings: pre two weeks before training, post three months after it ended.
            if trained or eid in set(eids[rated_comp]):
                role = emp.loc[emp["employee_id"] == eid, "role"].iloc[0]
                raters = ["self", "peer", "peer", "manager", "customer"] + (
                    ["direct_report"] * 2 if role == "manager" else []
                )
                person = rng.normal(0, 0.35)
                for wave, d in (
                    ("pre", start - np.timedelta64(14, "D")),
                    ("post", min(end + np.timedelta64(90, "D"), END)),
                ):
                    for rt in raters:
                        rater = rng.normal(0, 0.25)
                        for comp_name, mult in COMPETENCY_EFFECT.items():
                            lift = eff.rating_360 * mult if (trained and wave == "post") else 0.0
                            x = RATING_360 + person + rater + RATER_BIAS[rt] + lift + rng.normal(0, 0.45)
                            rating_no += 1
                            ratings.append((rating_no, eid, rt, comp_name, wave, d, x))
        # Reaction surveys: each trainee rates each course taken.
        tlevel = dict(zip(tr["trainers"]["trainer_id"], tr["trainers"]["level"]))
        for m in c["members"]:
            resp = rng.normal(0, 0.4)
            for r in m["runs"]:
                dims = {**REACTION_MEANS, "trainer": tlevel[r["trainer_id"]]}
                for d_name, mean in dims.items():
                    dim_f = rng.normal(0, 0.3)
                    for j in range(3):
                        reaction.append(
                            (
                                m["employee_id"],
                                r["course_id"],
                                r["trainer_id"],
                                d_name,
                                j,
                                mean + resp + dim_f + rng.normal(0, 0.4),
                            )
                        )
    a = pd.DataFrame(assess)
    it = pd.DataFrame(items, columns=["employee_id", "test_id", "phase", "item_id", "topic", "correct"])
    dr = pd.DataFrame(
        drills, columns=["employee_id", "phase", "drill_id", "objection_type", "response_seconds", "credible"]
    )
    rt = pd.DataFrame(ratings, columns=["n", "ratee_id", "rater_type", "competency", "wave", "date", "x"])
    rt["rating"] = _stoch_round(rng, rt.pop("x").to_numpy(), 1, 5)
    rt.insert(0, "rating_id", [f"R{k:06d}" for k in rt.pop("n")])
    rc = pd.DataFrame(reaction, columns=["eid", "course_id", "trainer_id", "dimension", "j", "x"])
    rc["answer"] = pd.array(_stoch_round(rng, rc.pop("x").to_numpy(), 1, 5), dtype="Int64")
    rc.loc[rng.random(len(rc)) < 0.03, "answer"] = pd.NA
    rc["item_id"] = rc["dimension"].str[:3].str.upper() + (rc.pop("j") + 1).astype(str)
    # Anonymous questionnaire ids: a random, seeded numbering of (trainee, course).
    keys = rc[["eid", "course_id"]].drop_duplicates()
    keys["response_id"] = [f"S{k:05d}" for k in rng.permutation(len(keys)) + 1]
    rc = rc.merge(keys, on=["eid", "course_id"]).drop(columns="eid")
    rc = rc.sort_values(["response_id", "item_id"], kind="stable").reset_index(drop=True)
    return dict(assessments=a, assessment_items=it, objection_drills=dr, ratings_360=rt, reaction_surveys=rc)


# --------------------------------------------------------------------------- organisation


def _organisation(
    rng: np.random.Generator,
    emp: pd.DataFrame,
    cohorts: list[dict],
    panel: pd.DataFrame,
    eff: Effects,
    scale: float,
    teams: dict = TEAMS,
) -> dict[str, pd.DataFrame]:
    """Certifications, promotions, meetings, approvals, conflicts, knowledge base, market index."""
    eids = emp["employee_id"].to_numpy()
    trained = emp["cohort"].notna().to_numpy()
    on = _any_effect(eff)  # the secondary effects (SECONDARY_EFFECTS) switch on with any effect
    certs, promos = [], []
    for i in range(len(emp)):
        end_ok = pd.isna(emp.at[i, "leave"])
        if trained[i]:
            m = next(mm for c in cohorts for mm in c["members"] if mm["employee_id"] == eids[i])
            d = m["programme_end"] + np.timedelta64(int(rng.integers(20, 60)), "D")
            name = "fabe_practitioner" if m["segment"] != "manager" else "sales_coach"
            p_pass = 0.8 if on else 0.6
            if d <= END:
                certs.append(
                    (eids[i], name, d, int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])), bool(rng.random() < p_pass))
                )
        if rng.random() < 0.25:
            d = START + np.timedelta64(int(rng.integers(30, 700)), "D")
            if d > emp.at[i, "hire"] and (end_ok or d < emp.at[i, "leave"]):
                certs.append(
                    (eids[i], "product_specialist", d, int(rng.choice([1, 2], p=[0.7, 0.3])), bool(rng.random() < 0.65))
                )
        # Promotions twice a year; trained high potentials are promoted more after training.
        hipo = bool(emp.at[i, "high_potential"])
        level = int(emp.at[i, "level"])
        for d in (
            np.datetime64("2024-07-01"),
            np.datetime64("2025-01-01"),
            np.datetime64("2025-07-01"),
            np.datetime64("2025-12-01"),
        ):
            if (
                d <= emp.at[i, "hire"] + np.timedelta64(365, "D")
                or (not end_ok and d >= emp.at[i, "leave"])
                or level >= 8
            ):
                continue
            p = 0.10 if hipo else 0.03
            if on and trained[i] and hipo and d == np.datetime64("2025-12-01"):
                p = 0.40
            if rng.random() < p:
                promos.append((eids[i], d, level, level + 1))
                level += 1
        emp.at[i, "level"] = level
    certifications = pd.DataFrame(certs, columns=["employee_id", "certification", "date", "attempts", "passed"])
    certifications = certifications.drop_duplicates(["employee_id", "certification", "date"])
    promotions = pd.DataFrame(promos, columns=["employee_id", "date", "from_level", "to_level"])

    meetings, approvals, conflicts = [], [], []
    for team in teams:
        for m in range(N_MONTHS):
            later = on and m >= 20 and team == "east"
            for _ in range(int(rng.poisson(4))):
                taken = int(rng.poisson(4))
                meetings.append(
                    (
                        team,
                        _day_in_month(rng, np.array([m]))[0],
                        taken,
                        int(rng.binomial(taken, 0.82 if later else 0.72)),
                        round(float(rng.lognormal(np.log(30 * (0.7 if later else 1.0)), 0.5)), 1),
                    )
                )
            for _ in range(int(rng.poisson(20 * scale))):
                urgent = bool(rng.random() < 0.25)
                sub = _day_in_month(rng, np.array([m]))[0].astype("datetime64[m]") + np.timedelta64(
                    int(rng.integers(8 * 60, 19 * 60)), "m"
                )
                hrs = rng.lognormal(np.log(14 if urgent else 40), 0.6)
                done = sub + np.timedelta64(int(hrs * 60), "m")
                approvals.append(
                    (team, urgent, sub, done if done <= np.datetime64("2025-12-31T23:59") else np.datetime64("NaT"))
                )
            for _ in range(int(rng.poisson(3))):
                op = _day_in_month(rng, np.array([m]))[0].astype("datetime64[m]") + np.timedelta64(
                    int(rng.integers(8 * 60, 19 * 60)), "m"
                )
                res = op + np.timedelta64(int(rng.lognormal(np.log(72 * 60), 0.8)), "m")
                conflicts.append((team, op, res if res <= np.datetime64("2025-12-31T23:59") else np.datetime64("NaT")))
    meetings_df = pd.DataFrame(
        meetings, columns=["team", "date", "decisions_taken", "decisions_executed", "decision_hours"]
    )
    meetings_df.insert(0, "meeting_id", _ids("M", len(meetings_df), 4))
    approvals_df = pd.DataFrame(approvals, columns=["team", "urgent", "submitted", "completed"])
    approvals_df.insert(0, "approval_id", _ids("A", len(approvals_df), 5))
    conflicts_df = pd.DataFrame(conflicts, columns=["team", "opened", "resolved"])
    conflicts_df.insert(0, "conflict_id", _ids("X", len(conflicts_df), 4))

    # Knowledge base: documents by the stronger sellers, used with a Zipf-like popularity.
    n_doc = _scaled(140, min(scale, 1.0), 10)
    cats = ["case", "playbook", "product_sheet", "competitor_analysis", "template"]
    topics = [
        "大客户开发",
        "FABE话术",
        "异议处理",
        "竞品对比",
        "续约管理",
        "渠道管理",
        "数字营销",
        "产品参数",
        "客户画像",
        "报价策略",
    ]
    authors = emp.sort_values("level_sales", ascending=False, kind="stable")["employee_id"].to_numpy()[
        : max(5, len(emp) // 6)
    ]
    doc_cat = rng.choice(cats, n_doc, p=[0.3, 0.2, 0.25, 0.15, 0.1])
    docs = pd.DataFrame(
        dict(
            document_id=_ids("KB", n_doc, 4),
            title=[
                f"{topics[int(rng.integers(len(topics)))]}{['案例', '手册', '产品说明', '分析', '模板'][cats.index(c)]}{k + 1:03d}"
                for k, c in enumerate(doc_cat)
            ],
            category=doc_cat,
            author_id=rng.choice(authors, n_doc),
            created_date=START - np.timedelta64(200, "D") + rng.integers(0, 900, n_doc).astype("timedelta64[D]"),
        )
    )
    docs["created_date"] = np.minimum(docs["created_date"].to_numpy().astype("datetime64[D]"), END)
    popularity = 1.0 / np.arange(1, n_doc + 1) ** 0.9
    popularity /= popularity.sum()
    e_idx, m_idx, T = panel["e"].to_numpy(), panel["m"].to_numpy(), panel["treated"].to_numpy()
    n_ev = rng.poisson(2.5 * (1 + 0.5 * T * on))
    ue, um = np.repeat(e_idx, n_ev), np.repeat(m_idx, n_ev)
    ud = _day_in_month(rng, um)
    doc = rng.choice(n_doc, len(ue), p=popularity)
    created = docs["created_date"].to_numpy().astype("datetime64[D]")
    ud = np.maximum(ud, created[doc])
    keep = ud <= END
    ue, ud, doc = ue[keep], ud[keep], doc[keep]
    o = np.lexsort((ue, ud))
    usage = pd.DataFrame(
        dict(
            event_id=_ids("U", len(ue), 6),
            document_id=docs["document_id"].to_numpy()[doc[o]],
            employee_id=eids[ue[o]],
            date=ud[o],
            action=rng.choice(["view", "download", "apply"], len(ue), p=[0.65, 0.25, 0.10]),
        )
    )
    mi = []
    for region in dict.fromkeys(r for r, _ in teams.values()):  # one series per region
        noise = np.exp(rng.normal(0, 0.01, N_MONTHS))
        idx = 100 * TREND * SEASON * AOV_TREND * AOV_SEASON / (SEASON[0] * AOV_SEASON[0]) * noise
        idx[0] = 100.0
        mi += [(region, MONTH_START[m], round(float(idx[m]), 2)) for m in range(N_MONTHS)]
    market = pd.DataFrame(mi, columns=["region", "month", "index"])
    return dict(
        certifications=certifications,
        promotions=promotions,
        meetings=meetings_df,
        approvals=approvals_df,
        conflicts=conflicts_df,
        kb_documents=docs,
        kb_usage=usage,
        market_index=market,
    )


# --------------------------------------------------------------------------- experience-sharing sessions

SHARING_STREAM = 1402
"""Tag of the random stream of :func:`_sharing` (``default_rng([seed, 1402])``): its draws
leave every other table unchanged."""
SHARING = {
    "sessions_per_month": 2,
    "held": 0.75,
    "held_trained": 0.90,
    "attend": 0.55,
    "attend_trained": 0.70,
    "top_share": 0.2,
}


def _sharing(seed: int, emp: pd.DataFrame, eff: Effects, teams: dict = TEAMS) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Monthly experience-sharing sessions by top sellers, per team, and their truth.

    Own random stream (``[seed, SHARING_STREAM]``). Each team plans
    ``sessions_per_month`` sessions a month, each presented by a seller (rep or senior
    rep) drawn from the team's top ``top_share`` by the hidden sales level among those
    employed on the planned day. A session is held with probability ``held`` (``held_trained``
    from the month of the team's first cohort effect_start, when any effect is on); each
    invited person (every team member employed that day) attends with probability
    ``attend`` (``attend_trained`` likewise).
    """
    rng = np.random.default_rng([seed, SHARING_STREAM])
    on = _any_effect(eff)
    hire = emp["hire"].to_numpy().astype("datetime64[D]")
    leave = emp["leave"].to_numpy().astype("datetime64[D]")
    team = emp["team"].to_numpy()
    seller = emp["role"].isin(["rep", "senior_rep"]).to_numpy()
    lev = emp["level_sales"].to_numpy(float)
    eids = emp["employee_id"].to_numpy()
    es = emp["effect_start"].to_numpy().astype("datetime64[D]")
    rows, starts = [], {}
    for t in teams:
        in_t = team == t
        first = es[in_t & ~np.isnat(es)]
        start = first.min() if len(first) else None
        starts[t] = str(start) if start is not None else None
        for m in range(N_MONTHS):
            for _ in range(SHARING["sessions_per_month"]):
                day = MONTH_START[m] + np.timedelta64(int(rng.integers(3, 26)), "D")
                emp_ok = in_t & (hire <= day) & (np.isnat(leave) | (leave > day))
                pool = np.flatnonzero(emp_ok & seller)
                k = max(1, int(np.floor(SHARING["top_share"] * len(pool))))
                top = pool[np.argsort(-lev[pool], kind="stable")[:k]]
                presenter = eids[top[int(rng.integers(len(top)))]]
                after = (
                    on and start is not None and MONTH_START[m] >= start.astype("datetime64[M]").astype("datetime64[D]")
                )
                held = bool(rng.random() < SHARING["held_trained" if after else "held"])
                invited = int(emp_ok.sum())
                attendees = int(rng.binomial(invited, SHARING["attend_trained" if after else "attend"]))
                held_day = day + np.timedelta64(int(rng.integers(0, 3)), "D")
                rows.append(
                    (
                        t,
                        day,
                        held_day if held else np.datetime64("NaT"),
                        presenter,
                        invited,
                        attendees if held else None,
                    )
                )
    df = pd.DataFrame(rows, columns=["team", "planned_date", "held_date", "presenter_id", "invited", "attendees"])
    df.insert(0, "session_id", _ids("SS", len(df), 4))
    df["attendees"] = pd.array(df["attendees"], dtype="Int64")
    truth = {
        **SHARING,
        "effect_active": on,
        "team_effect_start": starts,
        "definition": "Each team plans sessions_per_month sessions every month; the presenter is drawn at random "
        "from the team's top top_share sellers (rep or senior_rep) by the hidden sales level among "
        "those employed on the planned day. A session is held with probability held, and every "
        "person of the team employed that day (invited) attends with probability attend; from the "
        "month of the team's first cohort effect_start, when the training effects are on "
        "(effect_active), these are held_trained and attend_trained. Own random stream "
        "default_rng([seed, 1402]).",
    }
    return df, truth


# --------------------------------------------------------------------------- programme design (chapters 02, 04, 08)
# Own random stream (tag 1301): the tables above stay byte-identical.

SEGMENT_NAMES = {"new": "under 1 year", "experienced": "3-5 years", "manager": "manager"}
RENEWAL_BETA = (4.0, 16.0)  # renewed share of a module's content: Beta(4, 16), mean 0.20
SIMULATION_GROUPS = (4, 5)  # competing groups per simulation run
CASE_OUTCOME_P = {"success": 0.55, "failure": 0.25, "innovation": 0.20}
DEPARTMENTS = ("marketing", "product", "finance", "customer_service", "logistics", "legal")
CASE_TITLES = ("联合大客户提案", "新品上市联动", "渠道价格协调", "售后问题快速响应", "数字营销联合投放", "合同审批提速")


def _programme_design(
    seed: int, courses: pd.DataFrame, enrollments: pd.DataFrame, incidents: pd.DataFrame, teams: dict = TEAMS
) -> dict[str, Any]:
    """Course design records, simulation scores and cross-department cases, with their truth."""
    rng = np.random.default_rng([seed, 1301])
    lost = incidents.groupby("course_id")["minutes_to_resolve"].sum() / 60.0
    design = []
    for _prog, runs in courses.groupby("programme", sort=False):
        order = {cid: k + 1 for k, cid in enumerate(runs["course_id"])}  # template order: strategy -> tactics
        for r in runs.itertuples():
            design.append(
                dict(
                    course_id=r.course_id,
                    planned_sequence=order[r.course_id],
                    target_segment=SEGMENT_NAMES.get(r.segment) if isinstance(r.segment, str) else None,
                    delivered_hours=round(max(r.hours - float(lost.get(r.course_id, 0.0)), 0.0), 1),
                    renewed_share=round(float(rng.beta(*RENEWAL_BETA)), 2),
                )
            )
    sims, strength_truth = [], {}
    for r in courses[courses["key"] == "simulation"].itertuples():
        people = enrollments.loc[enrollments["course_id"] == r.course_id, "employee_id"].to_numpy()
        k = int(rng.integers(SIMULATION_GROUPS[0], SIMULATION_GROUPS[1] + 1))
        sizes = np.bincount(np.arange(len(people)) % k, minlength=k)
        strength = rng.normal(0, 1, k)
        strength_truth[r.course_id] = {f"G{g + 1}": round(float(x), 4) for g, x in enumerate(strength)}
        for g in range(k):
            row = dict(
                course_id=r.course_id,
                group_id=f"G{g + 1}",
                members=int(sizes[g]),
                roi=round(float(0.25 + 0.15 * strength[g] + rng.normal(0, 0.03)), 3),
                brand_reach=round(float(120 + 40 * strength[g] + rng.normal(0, 8)), 1),
            )
            if sizes[g] > 0:  # a small run (scale < 1) can have fewer people than groups: no empty group
                sims.append(row)
    cases = []
    for team in teams:
        for q in pd.period_range("2024Q1", "2025Q4", freq="Q"):
            for _ in range(int(rng.poisson(3))):
                day = q.start_time + pd.Timedelta(days=int(rng.integers(0, 90)))
                deps = rng.choice(DEPARTMENTS, int(rng.integers(1, 3)), replace=False)
                cases.append(
                    dict(
                        team=team,
                        date=np.datetime64(day.date()),
                        departments="; ".join(["sales", *deps]),
                        outcome=str(rng.choice(list(CASE_OUTCOME_P), p=list(CASE_OUTCOME_P.values()))),
                        title=str(rng.choice(CASE_TITLES)),
                    )
                )
    cases_df = pd.DataFrame(cases)
    cases_df.insert(0, "case_id", _ids("CASE", len(cases_df), 3))
    truth = {
        "delivered_hours_definition": "course_design.delivered_hours = courses.hours minus the run's incidents' minutes_to_resolve / 60, rounded to 0.1 h (no other loss).",
        "renewed_share": {
            "mean": RENEWAL_BETA[0] / sum(RENEWAL_BETA),
            "definition": f"course_design.renewed_share of every run is Beta{RENEWAL_BETA} (mean 0.20), rounded to 0.01, independent of everything else.",
        },
        "target_segment_definition": "Modules for one segment only (under 1 year, 3-5 years, manager) are the segment modules; each trainee is enrolled in every module without a target segment and in their own segment's module.",
        "planned_sequence_definition": "Template order (market analysis/brand theory, tools, industry, simulation, then the segment modules); the runs are delivered in this order.",
        "simulation": {
            "group_strength": strength_truth,
            "definition": "roi = 0.25 + 0.15 * strength + N(0, 0.03); brand_reach = 120 + 40 * strength + N(0, 8) (thousand people); strength ~ N(0, 1) per group; trainees dealt to groups in turn.",
        },
        "collaboration_cases": "Poisson(3) cases per team and quarter; outcome success/failure/innovation with probability 0.55/0.25/0.20; no training effect.",
    }
    return dict(
        course_design=pd.DataFrame(design),
        simulation_results=pd.DataFrame(sims),
        collaboration_cases=cases_df,
        truth=truth,
    )


# --------------------------------------------------------------------------- behaviour records (chapter 05)
# Own random stream (tag 1302): the tables above stay byte-identical.

MANAGER_KPI_BASE = {"display_compliance": 0.66, "visit_plan_adherence": 0.74}
MANAGER_KPI_EFFECT = {"display_compliance": 0.12, "visit_plan_adherence": 0.06}
MANAGER_KPI_TREND = 0.004  # per month (0 = 2024-01), everyone: a company-wide push on store standards
KPI_PERSON_SD = 0.05
CRITICAL_RATE = 0.7  # critical incidents per person-month, all kinds, untrained
CRITICAL_EFFECT = -0.5  # relative change of that rate in treated months
CRITICAL_KIND_P = {
    "product_info_incomplete": 0.45,
    "wrong_price_quoted": 0.2,
    "follow_up_missed": 0.25,
    "commitment_broken": 0.1,
}
CRITICAL_SOURCE_P = {"customer_complaint": 0.5, "manager_observation": 0.3, "call_review": 0.2}
SOP_BASE = 0.60
SOP_EFFECT = 0.18
SOP_TREND = 0.005  # per month (0 = 2024-01), everyone: the QA team's own coaching
SOP_PERSON_SD = 0.06


def _person_months(emp: pd.DataFrame, on: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(employee row, month index, treated) of every month employed; treated from effect_start when ``on``."""
    e, m = _active_months(emp)
    start = emp["effect_start"].to_numpy().astype("datetime64[D]")
    start_m = np.where(np.isnat(start), N_MONTHS + 1, _month_index(np.where(np.isnat(start), END, start)))
    return e, m, (m >= start_m[e]) & on


def _behaviour_records(seed: int, emp: pd.DataFrame, eff: Effects) -> dict[str, Any]:
    """Manager-observed KPIs, critical incidents and call-SOP audits (chapter 05), with their truth.

    Everyone (KPIs: but the team heads, who have no manager), every month employed (:func:`_active_months`); a month
    is treated from the person's ``effect_start`` on (as every other effect). Effects are
    0 when every :class:`Effects` field is 0.
    """
    rng = np.random.default_rng([seed, 1302])
    on = _any_effect(eff)
    e, m, treated = _person_months(emp, on)
    ids = emp["employee_id"].to_numpy()
    mgr = emp["manager_id"].to_numpy()
    month = MONTH_START[m]
    n = len(emp)
    kpis = []
    for kpi, base in MANAGER_KPI_BASE.items():
        level = rng.normal(0, KPI_PERSON_SD, n)
        observed = (rng.random(len(e)) < 0.9) & ~emp["head"].to_numpy()[e]  # the heads have no observer
        checks = 2 + rng.poisson(2, len(e))
        p = np.clip(base + level[e] + MANAGER_KPI_TREND * m + MANAGER_KPI_EFFECT[kpi] * treated, 0.02, 0.98)
        ok = rng.binomial(checks, p)
        kpis.append(
            pd.DataFrame(
                dict(
                    employee_id=ids[e],
                    manager_id=mgr[e],
                    month=month,
                    kpi=kpi,
                    checks=checks,
                    value=np.round(ok / checks, 4),
                )
            )[observed]
        )
    kpi_df = pd.concat(kpis, ignore_index=True).sort_values(["employee_id", "month", "kpi"], ignore_index=True)
    counts = rng.poisson(CRITICAL_RATE * np.where(treated, 1 + CRITICAL_EFFECT, 1.0))
    rows = np.repeat(np.arange(len(e)), counts)
    dates = _day_in_month(rng, m[rows])
    crit = pd.DataFrame(
        dict(
            employee_id=ids[e][rows],
            date=dates,
            kind=rng.choice(list(CRITICAL_KIND_P), len(rows), p=list(CRITICAL_KIND_P.values())),
            source=rng.choice(list(CRITICAL_SOURCE_P), len(rows), p=list(CRITICAL_SOURCE_P.values())),
        )
    )
    crit = crit.sort_values(["date", "employee_id"], kind="stable", ignore_index=True)
    crit.insert(0, "record_id", _ids("CI", len(crit), 5))
    level = rng.normal(0, SOP_PERSON_SD, n)
    calls = 4 + rng.poisson(4, len(e))
    p = np.clip(SOP_BASE + level[e] + SOP_TREND * m + SOP_EFFECT * treated, 0.02, 0.98)
    audits = pd.DataFrame(
        dict(employee_id=ids[e], month=month, calls_audited=calls, calls_compliant=rng.binomial(calls, p))
    )
    audits = audits.sort_values(["employee_id", "month"], ignore_index=True)
    scope = (
        "Everyone (manager_kpis: except the team heads), every month employed; a month is treated from the person's "
        "effect_start (cohorts) on. Person levels are fixed, so they cancel in per-person changes."
    )
    truth = {
        "active": on,
        "population": scope,
        "manager_kpis": {
            "effects": {k: (v if on else 0.0) for k, v in MANAGER_KPI_EFFECT.items()},
            "base": MANAGER_KPI_BASE,
            "monthly_trend": MANAGER_KPI_TREND,
            "definition": "Per person-month observed (90%), checks = 2 + Poisson(2) and value = Binomial(checks, p) / checks with "
            "p = base[kpi] + person level N(0, 0.05) + monthly_trend * t (0 = 2024-01, everyone) + effect[kpi] "
            "in treated months (clipped to 0.02-0.98). So the DiD of the checks-weighted share of trainees "
            "vs untrained colleagues, after window wholly treated vs before window untreated, is the effect "
            "(share points, absolute). manager_id is the person's manager.",
        },
        "critical_incidents": {
            "effect": CRITICAL_EFFECT if on else 0.0,
            "kind": "relative",
            "base_rate_per_person_month": CRITICAL_RATE,
            "absolute_effect_per_person_month": round(CRITICAL_RATE * CRITICAL_EFFECT, 6) if on else 0.0,
            "definition": "Poisson(base_rate * (1 + effect in treated months)) records per person-month, no season or trend; "
            f"kind mix {CRITICAL_KIND_P}, source mix {CRITICAL_SOURCE_P}, both independent of training. "
            "The DiD of records per person-month (after wholly treated vs before) is base_rate * effect.",
        },
        "call_audits": {
            "effect": SOP_EFFECT if on else 0.0,
            "base": SOP_BASE,
            "monthly_trend": SOP_TREND,
            "definition": "calls_audited = 4 + Poisson(4) per person-month; calls_compliant = Binomial(calls_audited, p), "
            "p = base + person level N(0, 0.06) + monthly_trend * t (everyone) + effect in treated months "
            "(clipped to 0.02-0.98): the DiD of the compliant share is the effect (absolute).",
        },
    }
    return dict(manager_kpis=kpi_df, critical_incidents=crit, call_audits=audits, truth=truth)


# --------------------------------------------------------------------------- rotations, cross-domain problems (chapter 08)
# Own random stream (tag 1303): the tables above stay byte-identical.

ROTATION_RATE = 0.02  # rotations started per person-month, untrained
ROTATION_EFFECT = 0.04  # added in treated months (absolute, per person-month)
ROTATION_WEEKS = (2, 8)
PROBLEM_RATE = 0.30  # cross-domain problems taken on per person-month, untrained
PROBLEM_EFFECT = 0.5  # relative change of that rate in treated months
PROBLEM_SOLVED = 0.65


def _cross_domain_records(seed: int, emp: pd.DataFrame, eff: Effects) -> dict[str, Any]:
    """Job rotations and cross-domain problems (chapter 08), with their truth."""
    rng = np.random.default_rng([seed, 1303])
    on = _any_effect(eff)
    e, m, treated = _person_months(emp, on)
    ids = emp["employee_id"].to_numpy()
    deps = list(DEPARTMENTS)
    starts = rng.random(len(e)) < ROTATION_RATE + ROTATION_EFFECT * treated
    r_e, r_m = e[starts], m[starts]
    begin = _day_in_month(rng, r_m)
    weeks = rng.integers(ROTATION_WEEKS[0], ROTATION_WEEKS[1] + 1, len(r_e))
    rot = pd.DataFrame(
        dict(
            employee_id=ids[r_e],
            department=rng.choice(deps, len(r_e)),
            start_date=begin,
            end_date=begin + (7 * weeks - 1).astype("timedelta64[D]"),
        )
    )
    rot = rot.sort_values(["start_date", "employee_id"], kind="stable", ignore_index=True)
    counts = rng.poisson(PROBLEM_RATE * np.where(treated, 1 + PROBLEM_EFFECT, 1.0))
    rows = np.repeat(np.arange(len(e)), counts)
    solved = rng.random(len(rows)) < PROBLEM_SOLVED
    days = np.round(rng.lognormal(np.log(6.0), 0.6, len(rows)), 1)
    prob = pd.DataFrame(
        dict(
            employee_id=ids[e][rows],
            opened=_day_in_month(rng, m[rows]),
            department=rng.choice(deps, len(rows)),
            solved=solved,
            days_to_solve=np.where(solved, days, np.nan),
        )
    )
    prob = prob.sort_values(["opened", "employee_id"], kind="stable", ignore_index=True)
    prob.insert(0, "problem_id", _ids("XP", len(prob), 5))
    truth = {
        "active": on,
        "population": "Everyone, every month employed; a month is treated from the person's effect_start on.",
        "rotations": {
            "effect_per_person_month": ROTATION_EFFECT if on else 0.0,
            "base_per_person_month": ROTATION_RATE,
            "definition": "A person starts a rotation in a month with probability base (+ effect in treated months): "
            f"department uniform over {deps}, {ROTATION_WEEKS[0]}-{ROTATION_WEEKS[1]} weeks. The DiD of "
            "rotations started per person-month (after window wholly treated vs before) is the effect.",
        },
        "cross_domain_problems": {
            "effect": PROBLEM_EFFECT if on else 0.0,
            "kind": "relative",
            "base_per_person_month": PROBLEM_RATE,
            "absolute_effect_per_person_month": round(PROBLEM_RATE * PROBLEM_EFFECT, 6) if on else 0.0,
            "solved_probability": PROBLEM_SOLVED,
            "definition": "Poisson(base * (1 + effect in treated months)) problems worked with another department per "
            "person-month; solved with probability solved_probability (no training effect), days_to_solve "
            "lognormal(log 6, 0.6) when solved. The DiD of problems per person-month is base * effect.",
        },
    }
    return dict(rotations=rot, cross_domain_problems=prob, truth=truth)


# --------------------------------------------------------------------------- chapter 10

CB_STREAM = 1010
"""Tag of the chapter-10 random stream: ``default_rng([seed, CB_STREAM])``, so the other tables stay as they were."""
CB_DEFAULTS = {"margin": 0.30, "horizon_months": 12, "after_months": 3}
"""The defaults of ``params/defaults.yaml`` the truth is computed under (``cost_benefit.margin``,
``cost_benefit.horizon_months``, ``windows.after_months``); a test keeps them equal."""
DEVELOPMENT_COST = 240_000.0
DEVELOPMENT_RUNS = 8


def _cost_benefit_tables(seed: int, emp: pd.DataFrame, raw: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Programme overheads, talent reviews and vendor history (own random stream)."""
    rng = np.random.default_rng([seed, CB_STREAM])
    over = []
    for prog in sorted(raw["costs"]["programme"].unique()):
        d0 = raw["courses"].loc[raw["courses"]["programme"] == prog, "start_date"].min()
        over.append(
            dict(
                programme=prog,
                category="needs_analysis",
                vendor=None,
                amount=float(round(rng.uniform(8_000, 15_000), 0)),
                prorate_runs=1,
                date=d0 - np.timedelta64(45, "D"),
            )
        )
        over.append(
            dict(
                programme=prog,
                category="development",
                vendor="博思培训有限公司",
                amount=DEVELOPMENT_COST,
                prorate_runs=DEVELOPMENT_RUNS,
                date=d0 - np.timedelta64(30, "D"),
            )
        )
        over.append(
            dict(
                programme=prog,
                category="evaluation",
                vendor=None,
                amount=float(round(rng.uniform(6_000, 12_000), 0)),
                prorate_runs=1,
                date=d0 + np.timedelta64(150, "D"),
            )
        )
    reviews = []
    perf_level = emp["level_sales"].to_numpy() * rng.lognormal(0, 0.25, len(emp))
    cuts = np.quantile(perf_level, [1 / 3, 2 / 3])
    performance = 1 + (perf_level > cuts[0]) + (perf_level > cuts[1])
    for year in (2024, 2025):
        ref = np.datetime64(f"{year}-12-01")
        for i, r in emp.iterrows():
            if r["hire"] > ref or (not pd.isna(r["leave"]) and r["leave"] < ref):
                continue
            pot = 3 if r["high_potential"] else int(rng.choice([1, 2], p=[0.45, 0.55]))
            perf = int(np.clip(performance[i] + rng.choice([-1, 0, 0, 0, 1]), 1, 3))
            reviews.append(dict(employee_id=r["employee_id"], year=year, performance=perf, potential=pot))
    vendors = sorted({v for _, _, v, _, _ in TRAINER_SPECS if v})
    spend_2025 = raw["costs"].loc[raw["costs"]["category"] == "trainer_fee"].groupby("vendor")["amount"].sum()
    hours_2025 = (
        raw["courses"]
        .merge(raw["trainers"][["trainer_id", "vendor"]], on="trainer_id")
        .groupby("vendor")["hours"]
        .sum()
    )
    vrows = []
    for k, v in enumerate(vendors):
        for year in (2023, 2024, 2025):
            spend = float(spend_2025.get(v, 0.0)) if year == 2025 else float(round(rng.uniform(150_000, 400_000), -2))
            hours = float(hours_2025.get(v, 0.0)) if year == 2025 else float(round(spend / rng.uniform(1_800, 2_600)))
            roi = float(rng.uniform(1.3, 2.8))
            if k == len(vendors) - 1 and year >= 2024:  # below the floor two years running
                roi = float(rng.uniform(0.6, 1.1))
            vrows.append(
                dict(
                    vendor=v,
                    year=year,
                    spend=spend,
                    hours=hours,
                    quality=float(round(rng.uniform(3.2, 4.6), 2)),
                    roi=round(roi, 3),
                )
            )
    return dict(
        programme_overheads=pd.DataFrame(over), talent_reviews=pd.DataFrame(reviews), vendor_reviews=pd.DataFrame(vrows)
    )


def _cost_benefit_truth(
    emp: pd.DataFrame, raw: dict[str, pd.DataFrame], panel: pd.DataFrame, cohorts: list[dict], eff: Effects
) -> dict[str, Any]:
    """Each cohort's true first-year monetary benefit and ROI under :data:`CB_DEFAULTS`."""
    from trackreport.data.cohort import report_windows

    margin, horizon, after = CB_DEFAULTS["margin"], CB_DEFAULTS["horizon_months"], CB_DEFAULTS["after_months"]
    expected = (
        ORDERS_PER_MONTH
        * emp["level_sales"].to_numpy()[panel["e"]]
        * panel["sg"].to_numpy()
        * ORDER_VALUE
        * emp["aov_level"].to_numpy()[panel["e"]]
        * AOV_SEASON[panel["m"]]
        * AOV_TREND[panel["m"]]
    )
    ids = emp["employee_id"].to_numpy()
    over = raw["programme_overheads"]
    out = []
    for c in cohorts:
        w = report_windows(c["quarter"], after_months=after)
        m0 = _month_index(np.array([np.datetime64(w.after[0].date())]))[0]
        members = set(c["employee_ids"])
        sel = (
            np.isin(ids[panel["e"]], list(members))
            & (panel["m"].to_numpy() >= m0)
            & (panel["m"].to_numpy() < m0 + after)
        )
        effect = float(eff.sales * expected[sel].mean()) if sel.any() else 0.0
        end = np.datetime64(w.after[1].date())
        leave = emp.set_index("employee_id").loc[c["employee_ids"], "leave"]
        trained = int((leave.isna() | (leave > end)).sum())
        prog = f"销售赋能计划 {c['quarter']} {c['team']}"
        o = over[over["programme"] == prog]
        cost = float(
            raw["costs"].loc[raw["costs"]["programme"] == prog, "amount"].sum()
            + (o["amount"] / o["prorate_runs"]).sum()
        )
        benefit = effect * horizon * trained * margin
        out.append(
            dict(
                team=c["team"],
                quarter=c["quarter"],
                effect_cny_per_rep_month=round(effect, 2),
                trained=trained,
                fully_loaded_cost=round(cost, 2),
                monetary_benefit=round(benefit, 2),
                roi=round(benefit / cost - 1, 4),
                bcr=round(benefit / cost, 4),
            )
        )
    return {
        "definition": "True first-year (horizon_months) monetary benefit of each cohort's sales effect and its ROI: "
        "effect = sales effect x mean expected untrained sales (expected order count x expected order "
        "value, outliers excluded) over the cohort's rep-months in the after window "
        "(windows.after_months after the quarter); benefit = effect x horizon_months x trained "
        "(members still employed at the end of the after window) x margin; fully loaded cost = every "
        "costs line of the programme + programme_overheads amount / prorate_runs; roi = benefit / cost - 1.",
        "defaults": dict(CB_DEFAULTS),
        "cohorts": out,
        "vendor_below_floor_two_years": sorted({v for _, _, v, _, _ in TRAINER_SPECS if v})[-1],
    }


# --------------------------------------------------------------------------- assembly


def _coerce(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Select the contract's columns in order and give each its contract dtype."""
    table = TABLES[name]
    out = {}
    for col in table.columns:
        s = df[col.name]
        if col.kind in ("date", "timestamp"):
            s = pd.Series(np.asarray(s, dtype="datetime64[m]" if col.kind == "timestamp" else "datetime64[D]")).astype(
                "datetime64[ns]"
            )
        elif col.kind == "bool":
            s = pd.Series(np.asarray(s, dtype=object)).astype("boolean")
        elif col.kind == "int":
            s = pd.Series(np.asarray(s, dtype=object)).astype("Int64")
        elif col.kind == "float":
            s = pd.Series(np.asarray(s, dtype=float))
        else:
            s = pd.Series(np.asarray(s, dtype=object)).astype(KINDS[col.kind])
        out[col.name] = s.reset_index(drop=True)
    return pd.DataFrame(out)


def simulate(seed: int = 7, scale: float = 1.0, effects: Effects | None = None, teams: int = 4) -> Sample:
    """Generate the sample company and the truth behind it.

    Parameters
    ----------
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives identical output.
    scale : float
        Multiplies the number of people (and so of customers, orders, ...); > 0.
    effects : Effects, optional
        True training effects; default :class:`Effects` (use ``Effects.zero()`` for none).
    teams : int
        Number of teams (default 4: east, west, north, south); more for load tests, laid
        out by :func:`company`.

    Returns
    -------
    Sample
        ``tables`` (one DataFrame per contract table, contract dtypes) and ``truth``.

    Examples
    --------
    >>> s = simulate(seed=3, scale=0.1, effects=Effects.zero())
    >>> s.truth["effects"]["sales"]["value"]
    0.0
    >>> set(s.tables) == set(TABLES)
    True
    """
    if not scale > 0:
        raise TrackreportError(f"scale must be > 0, got {scale}")
    eff = effects if effects is not None else Effects()
    layout, plan = company(teams)
    rng = np.random.default_rng(seed)
    emp, cohorts = _people(rng, scale, layout, plan)
    tr = _training(rng, emp, cohorts)
    es = {m["employee_id"]: m["effect_start"] for c in cohorts for m in c["members"]}
    emp["effect_start"] = [es.get(e, np.datetime64("NaT")) for e in emp["employee_id"]]
    sales = _sales(rng, emp, eff, scale, layout)
    funnel = _funnel(rng, emp, sales, eff)
    learn = _learning(rng, emp, cohorts, tr, eff)
    org = _organisation(rng, emp, cohorts, sales["panel"], eff, scale, layout)
    sharing, sharing_truth = _sharing(seed, emp, eff, layout)

    employees = emp.rename(columns={"hire": "hire_date", "leave": "leave_date"})
    raw = dict(
        employees=employees,
        trainers=tr["trainers"],
        courses=tr["courses"],
        enrollments=tr["enrollments"],
        checkins=tr["checkins"],
        incidents=tr["incidents"],
        orders=sales["orders"],
        customers=sales["customers"],
        **funnel,
        **learn,
        **org,
    )
    costs = tr["costs"]
    costs.insert(0, "cost_id", _ids("CO", len(costs), 4))
    raw["costs"] = costs
    raw["sharing_sessions"] = sharing
    raw["incidents"].insert(0, "incident_id", _ids("I", len(raw["incidents"]), 3))
    design = _programme_design(seed, tr["courses"], tr["enrollments"], raw["incidents"], layout)
    raw.update({k: v for k, v in design.items() if k != "truth"})
    behaviour = _behaviour_records(seed, emp, eff)
    raw.update({k: v for k, v in behaviour.items() if k != "truth"})
    cross = _cross_domain_records(seed, emp, eff)
    raw.update({k: v for k, v in cross.items() if k != "truth"})
    raw.update(_cost_benefit_tables(seed, emp, raw))
    tables = {name: _coerce(name, raw[name]) for name in TABLES}

    truth = {
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "scale": float(scale),
        "period": {"start": str(START), "end": str(END), "months": N_MONTHS},
        "effects": {
            name: {"value": float(getattr(eff, name)), "kind": kind, "unit": unit, "definition": text}
            for name, (kind, unit, text) in EFFECT_DOCS.items()
        },
        "treated_definition": "A rep-month is treated when the rep is enrolled in a cohort (every enrolled "
        "trainee, whether or not they completed) and the month is on or after the "
        "cohort's effect_start, the first day of the month after the cohort's last "
        "course end_date; people train at most once. All other rep-months, and every "
        "month of never-trained people, are untrained.",
        "cohorts": tr["cohorts"],
        "seasonality": {
            "factors_by_month": {str(k): v for k, v in SEASONALITY.items()},
            "definition": "Multiplies expected order count, new clients, leads, upsell opportunities and complaints of every rep in that calendar month.",
            "order_value_factors_by_month": {str(k): v for k, v in ORDER_VALUE_SEASONALITY.items()},
            "order_value_definition": "Multiplies the expected amount of every order dated in that calendar month (trained or not; mean 1). Expected sales per rep-month therefore carry factors_by_month x order_value_factors_by_month.",
            "rate_shifts_by_month": {k: {str(m): x for m, x in v.items()} for k, v in RATE_SEASONALITY.items()},
            "rate_definition": "Added (probability points, mean 0 over the year) to the probability of every rep, trained or not, in that calendar month: lead_conversion by the lead's created month, win_rate by the opportunity's created month, repurchase (the episode repeat probability) by the buying month, complaint_retention by the complaint's opened month. The training effect adds on top.",
        },
        "market_trend": {
            "monthly_growth": MARKET_TREND,
            "definition": "Expected volumes of every rep in month t (0 = 2024-01) are multiplied by (1 + monthly_growth)**t. market_index = 100 * (1.01**t * season[t]) * (1.004**t * order_value_season[t]) / (season[0] * order_value_season[0]) * noise(sd 1%) per region: the industry's sales value.",
            "order_value_monthly_growth": PRICE_TREND,
            "order_value_definition": "The expected amount of every order in month t is multiplied by (1 + order_value_monthly_growth)**t (price/mix drift).",
            "rate_monthly_trend": RATE_TREND,
            "rate_definition": "rate_monthly_trend[measure] * t (probability points) is added to that rate of every rep in month t (0 = 2024-01), trained or not.",
        },
        "baseline": {
            "orders_per_rep_month_jan2024_level1": ORDERS_PER_MONTH,
            "new_clients_per_rep_month": NEW_CLIENTS_PER_MONTH,
            "order_value_mean": ORDER_VALUE,
            "lead_conversion": LEAD_CONVERSION,
            "win_rate": WIN_RATE,
            "repurchase_rate": REPURCHASE_RATE,
            "nps": round(100 * (NPS_MIX[0] - NPS_MIX[2]), 1),
            "complaints_per_rep_month": COMPLAINTS_PER_MONTH,
            "resolution_days_mean": RESOLUTION_DAYS,
            "complaint_retention": RETENTION,
            "crm_completeness": CRM_COMPLETENESS,
            "fabe_share": FABE_SHARE,
            "objection_fast_share": FAST_OBJECTION_SHARE,
            "objection_credible": CREDIBLE_SHARE,
            "rating_360_mean": RATING_360,
            "tests": {k: {"max_score": v[0], "pre_mean": v[1], "retest_gain": v[3]} for k, v in TESTS.items()},
        },
        "repurchase_mechanism": {
            "episode_repeat_probability": REPURCHASE_RATE,
            "extra_orders_poisson_mean": EXTRA_ORDERS,
            "min_months_between_buying_months": 3,
        },
        "rating_360_competency_multiplier": COMPETENCY_EFFECT,
        "trainers": {
            t["trainer_id"]: {
                "true_satisfaction_1_5": t["level"],
                "true_satisfaction_100": round(20 * t["level"], 1),
                "definition": "Expected answer (before rounding and the 1-5 bounds) of the reaction_surveys 'trainer' items about this trainer's courses.",
            }
            for t in tr["trainers"].to_dict("records")
        },
        "outlier_orders": {
            "order_ids": sales["outliers"],
            "definition": "Very large orders (80k-300k CNY) drawn outside the process; no part of any effect.",
        },
        "secondary_effects": {"active": _any_effect(eff), **SECONDARY_EFFECTS},
        "sharing_sessions": sharing_truth,
        "programme_design": design["truth"],
        "behaviour_records": behaviour["truth"],
        "cross_domain_records": cross["truth"],
        "noise_free_notes": "Effects are parameters of the generating process; realized sample values differ by noise.",
        "cost_benefit": _cost_benefit_truth(emp, raw, sales["panel"], tr["cohorts"], eff),
    }
    if layout is not TEAMS:  # only a non-default company says so: the sample's TRUTH.json is unchanged
        truth["company"] = {
            "teams": {
                t: {"region": r, "copies": next(b for b in TEAMS if t.partition("-")[0] == b)}
                for t, (r, _) in layout.items()
            },
            "definition": "Teams beyond east/west/north/south copy the region, cities and cohort plan "
            "of the base team named before the dash (see sample.company).",
        }
    return Sample(tables=tables, truth=truth)


def generate(seed: int = 7, scale: float = 1.0, effects: Effects | None = None) -> dict[str, pd.DataFrame]:
    """Generate the sample company's tables (see :func:`simulate` for the truth too).

    Examples
    --------
    >>> t = generate(seed=2, scale=0.1)
    >>> t["employees"]["team"].unique().tolist()
    ['east', 'west', 'north', 'south']
    """
    return simulate(seed=seed, scale=scale, effects=effects).tables


# --------------------------------------------------------------------------- writing


def _to_text(name: str, df: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for col in TABLES[name].columns:
        s = df[col.name]
        if col.kind == "date":
            t = s.dt.strftime("%Y-%m-%d")
        elif col.kind == "timestamp":
            t = s.dt.strftime("%Y-%m-%d %H:%M")
        elif col.kind == "bool":
            t = s.map({True: "true", False: "false"}, na_action="ignore")
        elif col.kind == "int":
            t = s.astype("string")
        elif col.kind == "float":
            v = s.to_numpy(dtype=float)
            whole = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 1e15)
            t = pd.Series(np.where(whole, np.where(whole, v, 0).astype(np.int64).astype(str), v.astype(str)))
        else:
            t = s.astype("string")
        out[col.name] = pd.Series(t, dtype=object).where(s.notna(), "").to_numpy()
    return pd.DataFrame(out)


def owned_files() -> list[str]:
    """The files :func:`write` writes (and may overwrite with ``force``).

    Examples
    --------
    >>> owned_files()[-1]
    'TRUTH.json'
    """
    return [f"{name}.csv" for name in TABLES] + ["TRUTH.json"]


def write(
    tables: dict[str, pd.DataFrame], truth: dict[str, Any], out: str | Path, *, force: bool = False
) -> list[Path]:
    """Write one CSV per table and ``TRUTH.json`` into ``out``.

    Refuses a folder that is not empty unless ``force``; with ``force`` only the files
    it owns (:func:`owned_files`) are replaced, nothing else is touched.

    Examples
    --------
    >>> import tempfile
    >>> s = simulate(seed=1, scale=0.1)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write(s.tables, s.truth, d)
    ...     len(paths) == len(TABLES) + 1
    True
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise TrackreportError(f"{out} exists and is not a folder")
    if out.exists() and any(out.iterdir()) and not force:
        raise TrackreportError(f"{out} is not empty; pass --force to overwrite the sample files in it")
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in TABLES:
        p = out / f"{name}.csv"
        tmp = p.with_suffix(".csv.tmp")
        _to_text(name, tables[name]).to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        tmp.replace(p)
        paths.append(p)
    p = out / "TRUTH.json"
    p.write_text(json.dumps(truth, sort_keys=True, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m trackreport.data.sample --out DIR [--seed N] [--scale K] [--teams N] [--force]``."""
    ap = argparse.ArgumentParser(prog="python -m trackreport.data.sample", description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="folder to write into")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplier of people/customers/orders (default 1)")
    ap.add_argument("--force", action="store_true", help="overwrite the sample files in a non-empty folder")
    ap.add_argument(
        "--teams",
        type=int,
        default=4,
        help="number of teams (default 4: east, west, north, south; more, e.g. 40, for load tests: "
        "east-2, west-2, ... copy the base teams' regions and cohort plans)",
    )
    ap.add_argument("--no-effects", action="store_true", help="set every training effect to 0")
    for f in fields(Effects):
        kind, unit, _ = EFFECT_DOCS[f.name]
        ap.add_argument(
            f"--effect-{f.name.replace('_', '-')}",
            type=float,
            default=None,
            dest=f"effect_{f.name}",
            help=f"{kind} effect on {f.name} ({unit}; default {f.default})",
        )
    a = ap.parse_args(argv)
    base = Effects.zero() if a.no_effects else Effects()
    over = {
        f.name: getattr(a, f"effect_{f.name}") for f in fields(Effects) if getattr(a, f"effect_{f.name}") is not None
    }
    eff = Effects(**{**asdict(base), **over})
    try:
        s = simulate(seed=a.seed, scale=a.scale, effects=eff, teams=a.teams)
        write(s.tables, s.truth, a.out, force=a.force)
    except TrackreportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
