"""Display rules: how every number, interval, status, label and p-value reads on a page.

One module, at the bottom of the import layers, so that chapters (their sentences and
tables) and the report (headlines, the contents page, the cross-team matrix) format a
number the same way. The rules:

- **Units and precision per unit kind** (:data:`UNIT_KINDS`): shares as percentages
  (``45.7%``), changes of a share in percentage points (``+5.0 pp``), relative changes
  with a sign (``+12.3%``), money with thousands separators and no decimals, days and
  hours to one decimal, scores to one decimal (two on a 1-5 scale below 10), counts and
  people as whole numbers.
- **No negative zero**: a value that rounds to zero is shown as ``0.0``, never ``-0.0``.
- **Intervals within their support** (:func:`clip_interval`): a share's interval lies
  within 0-100% (an approximate interval can leave it), a count's above zero.
- **Singular and plural**: ``1 person``, ``2 people`` (:func:`plural`).
- **p-values** as ``<0.001`` or three decimals, never in scientific notation.
- **Labels from one vocabulary** (:data:`LABELS`): a raw code (``senior_rep``,
  ``product_knowledge``) or a parameter name is never shown; :func:`label` maps it.
- **Status words a director understands** (:data:`STATUS_WORDS`, :func:`status_word`):
  *met*, *on track*, *uncertain*, *missed*, defined from the 95% interval against the
  target, and explained in the :data:`GLOSSARY` at the end of every page.
"""

from __future__ import annotations

import math
import re

from trackreport.i18n import N_, _, language
from trackreport.i18n import format_decimal as _locale_decimal

__all__ = [
    "code_text",
    "GLOSSARY",
    "LABELS",
    "STATUS_WORDS",
    "UNIT_KINDS",
    "clip_interval",
    "format_interval",
    "format_p",
    "format_value",
    "interval_digits",
    "label",
    "machine_status",
    "plural",
    "pretty_column",
    "status_word",
]

#: Unit kinds, each with how it is shown; a unit not listed shows one decimal and its name.
UNIT_KINDS: dict[str, str] = {
    "share": "a share of a whole, shown in % (0.457 -> 45.7%), interval within 0-100%",
    "percent": "a ratio shown in % that may leave 0-100% (ROI: 1.51 -> 151.0%)",
    "pp": "a change of a share, in percentage points (0.05 -> +5.0 pp)",
    "relative": "a relative change (0.123 -> +12.3%)",
    "CNY": "money, whole yuan with thousands separators",
    "days": "days, one decimal",
    "hours": "hours, one decimal",
    "points": "a score, one decimal",
    "count": "a count, whole number",
    "people": "a number of people, whole number, '1 person' / '2 people'",
    "rank": "a rank (#2)",
}

_MONEY = ("CNY", "CNY/month", "CNY/rep/month")
_SYMBOLS = ("share", "percent", "pp", "relative", "rank")
_SUPPORT = {"share": (0.0, 1.0), "people": (0.0, math.inf), "count": (0.0, math.inf)}


def _isnan(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _fixed(value: float, digits: int, *, sign: bool = False, thousands: bool = True) -> str:
    """``value`` to ``digits`` decimals in the report's locale (Babel), without a negative zero."""
    return _locale_decimal(value, digits, sign=sign, thousands=thousands)


#: Counted nouns a page shows: English singular -> (singular, plural) messages.
COUNTED: dict[str, tuple[str, str]] = {
    "person": (N_("{n} person"), N_("{n} people")),
    "group": (N_("{n} group"), N_("{n} groups")),
    "row": (N_("{n} row"), N_("{n} rows")),
    "complaint": (N_("{n} complaint"), N_("{n} complaints")),
}


def plural(n: float, word: str, many: str | None = None) -> str:
    """``n`` and the word in its singular or plural form (translated for the nouns of :data:`COUNTED`).

    >>> plural(1, "person", "people"), plural(2, "person", "people"), plural(0, "group")
    ('1 person', '2 people', '0 groups')
    """
    one = abs(float(n)) == 1
    count = _fixed(float(n), 0)
    if word in COUNTED:
        return _(COUNTED[word][0] if one else COUNTED[word][1], n=count)
    return f"{count} " + (word if one else (many or word + "s"))


#: Unit names shown after a number (``3.5 days``), translated on the page.
UNIT_NAMES: dict[str, str] = {
    "CNY": N_("CNY"),
    "CNY/month": N_("CNY/month"),
    "CNY/rep/month": N_("CNY/rep/month"),
    "days": N_("days"),
    "hours": N_("hours"),
    "minutes": N_("minutes"),
    "seconds": N_("seconds"),
    "points": N_("points"),
    "events": N_("events"),
    "categories": N_("categories"),
    "calls": N_("calls"),
    "per 100 person-months": N_("per 100 person-months"),
}


def _unit_name(unit: str) -> str:
    return _(UNIT_NAMES[unit]) if unit in UNIT_NAMES else unit


def format_value(value: float | None, unit: str = "", *, digits: int | None = None) -> str:
    """A number as a reader sees it, by its unit kind (:data:`UNIT_KINDS`).

    Examples
    --------
    >>> format_value(0.4567, "share"), format_value(0.85, "share", digits=0), format_value(-0.82, "percent")
    ('45.7%', '85%', '-82.0%')
    >>> format_value(0.05, "pp"), format_value(-0.0004, "pp"), format_value(-0.00001, "points")
    ('+5.0 pp', '0.0 pp', '0.0 points')
    >>> format_value(1234567.8, "CNY"), format_value(2.0, "rank"), format_value(float("nan"), "points")
    ('1,234,568 CNY', '#2', 'n/a')
    >>> format_value(1, "people"), format_value(45, "people"), format_value(3.456, "days")
    ('1 person', '45 people', '3.5 days')
    """
    if _isnan(value):
        return _("n/a")
    value = float(value)
    if unit in ("share", "percent"):
        return _fixed(value * 100, 1 if digits is None else digits) + "%"
    if unit == "pp":  # a change of a share, in percentage points
        return _("{value} pp", value=_fixed(value * 100, 1 if digits is None else digits, sign=True))
    if unit == "relative":  # a relative change
        return _fixed(value * 100, 1 if digits is None else digits, sign=True) + "%"
    if unit == "rank":
        return f"#{value:.0f}"
    if unit == "people":
        return plural(round(value), "person", "people")
    if unit == "count":
        return _fixed(value, 0)
    if unit in _MONEY:
        return f"{_fixed(value, 0 if digits is None else digits)} {_unit_name(unit)}"
    text = _fixed(value, 1 if digits is None else digits)
    return text + (f" {_unit_name(unit)}" if unit else "")


def clip_interval(low: float, high: float, unit: str = "") -> tuple[float, float]:
    """An interval cut to the values its measure can take (a share within 0 and 1).

    An approximate (normal, Wald) interval of a share near 0 or 1 can leave [0, 1];
    the values outside are impossible, so they are not shown.

    >>> clip_interval(0.222, 1.008, "share"), clip_interval(-2.0, 5.0, "people")
    ((0.222, 1.0), (0.0, 5.0))
    >>> clip_interval(-0.1, 0.2, "pp")
    (-0.1, 0.2)
    """
    lo_s, hi_s = _SUPPORT.get(unit, (-math.inf, math.inf))
    if _isnan(low) or _isnan(high):
        return low, high
    return min(max(float(low), lo_s), hi_s), max(min(float(high), hi_s), lo_s)


def format_interval(low: float, high: float, unit: str = "", *, digits: int | None = None) -> str:
    """``low to high`` in the unit's display, within the measure's support.

    >>> format_interval(0.222, 1.008, "share")
    '22.2% to 100.0%'
    >>> format_interval(-0.049, 0.06, "pp"), format_interval(60.12, 68.9, "points")
    ('-4.9 pp to +6.0 pp', '60.1 to 68.9 points')
    >>> format_interval(1234.4, 5678.9, "CNY"), format_interval(1.0, 2.0, "")
    ('1,234 to 5,679 CNY', '1.0 to 2.0')
    >>> format_interval(-59.2, -3.0, "per 100 person-months")
    '-59.2 to -3.0 per 100 person-months'
    >>> format_interval(float("nan"), 1.0, "share")
    'n/a'
    """
    if _isnan(low) or _isnan(high):
        return _("n/a")
    lo, hi = clip_interval(low, high, unit)
    if unit in _SYMBOLS:  # each number carries its symbol: "-4.9 pp to +6.0 pp"
        return _(
            "{low} to {high}", low=format_value(lo, unit, digits=digits), high=format_value(hi, unit, digits=digits)
        )
    first = format_value(lo, unit, digits=digits)
    if unit == "people":  # "3 to 5 people"
        first = _fixed(lo, 0)
    else:
        name = _unit_name(unit)
        if name and first.endswith(" " + name):
            first = first[: -len(name) - 1]
    return _("{low} to {high}", low=first, high=format_value(hi, unit, digits=digits))


def interval_digits(low: float, high: float, unit: str = "", *, most: int = 3) -> int | None:
    """Decimals that tell an interval's ends apart: ``None`` (the unit's own) unless that shows
    "1.6 to 1.6", then one more at a time, up to ``most``.

    >>> interval_digits(1.55, 1.62, "categories"), interval_digits(1.58, 1.59, "categories")
    (2, 2)
    >>> interval_digits(0.40, 0.55, "share") is None, interval_digits(0.50001, 0.50003, "share")
    (True, 3)
    """
    if _isnan(low) or _isnan(high) or low == high or unit in ("count", "people", "rank"):
        return None
    start = 0 if unit in _MONEY else 1
    for digits in (None, *range(start + 1, most + 1)):
        if format_value(low, unit, digits=digits) != format_value(high, unit, digits=digits):
            return digits
    return most


def format_p(p: float | None) -> str:
    """A p-value as a reader sees it: ``<0.001`` or three decimals, never scientific.

    >>> format_p(0.0000012), format_p(0.0432), format_p(float("nan")), format_p(1.0)
    ('<0.001', '0.043', '–', '1.000')
    """
    if _isnan(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


#: Raw codes of the data (and parameter names) and what a reader sees instead.
LABELS: dict[str, str] = {
    # roles, segments
    "rep": N_("rep"),
    "senior_rep": N_("senior rep"),
    "manager": N_("manager"),
    "smb": N_("small business"),
    "mid_market": N_("mid-market"),
    "key_account": N_("key account"),
    # competencies
    "product_knowledge": N_("product knowledge"),
    "needs_analysis": N_("needs analysis"),
    "fabe_presentation": N_("FABE presentation"),
    "objection_handling": N_("objection handling"),
    "negotiation": N_("negotiation"),
    "crm_discipline": N_("CRM discipline"),
    # complaints, costs, incidents
    "product_info": N_("product information"),
    "trainer_fee": N_("trainer fee"),
    "participant_time": N_("participants' time"),
    "product_info_incomplete": N_("incomplete product information"),
    "wrong_price_quoted": N_("wrong price quoted"),
    "follow_up_missed": N_("follow-up missed"),
    "commitment_broken": N_("commitment broken"),
    "customer_complaint": N_("customer complaint"),
    "manager_observation": N_("manager observation"),
    "call_review": N_("call review"),
    "customer_service": N_("customer service"),
    "trainer_absent": N_("trainer absent"),
    "trainee_absent": N_("trainee absent"),
    "display_compliance": N_("display compliance"),
    "visit_plan_adherence": N_("visit-plan adherence"),
    "direct_report": N_("direct report"),
    # trainee segments (trackreport.data.cohort.SEGMENTS), 360 rater types, reaction dimensions, test kinds:
    # the package's and the contract's own words, shown as they are in English and translated in Chinese
    "under 1 year": N_("under 1 year"),
    "1-3 years": N_("1-3 years"),
    "3-5 years": N_("3-5 years"),
    "over 5 years": N_("over 5 years"),
    "self": N_("self"),
    "peer": N_("peer"),
    "customer": N_("customer"),
    "logistics": N_("logistics"),
    "practicality": N_("practicality"),
    "relevance": N_("relevance"),
    "trainer": N_("trainer"),
    "knowledge": N_("knowledge"),
    "objection": N_("objection"),
    "product": N_("product"),
    "roleplay": N_("roleplay"),
    "skill": N_("skill"),
    # certifications
    "fabe_practitioner": N_("FABE practitioner"),
    "sales_coach": N_("sales coach"),
    "product_specialist": N_("product specialist"),
    # phases, flags
    "year earlier": N_("year earlier"),
    # chapter 06's measure codes
    "new_clients": N_("new clients"),
    "avg_order_value": N_("avg order value"),
    "lead_conversion": N_("lead conversion"),
    "win_rate": N_("win rate"),
    "repurchase_rate": N_("repurchase rate"),
    "complaint_retention": N_("complaint retention"),
    "pre": N_("before"),
    "post": N_("after"),
    "followup": N_("follow-up"),
    "True": N_("yes"),
    "False": N_("no"),
    # parameter names that used to reach the page
    "targets.fabe_call_share": N_("the FABE call-share target"),
    "targets.fabe_adoption": N_("the FABE adoption target"),
    "targets.nps": N_("the NPS target"),
    "min_group_size": N_("the minimum group size"),
    "primary_endpoints": N_("the declared primary figures"),
    # codes of the data contract's category columns (module types, delivery modes, incidents, objection types,
    # test topics, regions, stages, product, complaint and cost categories, departments, outcomes, actions)
    "theory": N_("theory"),
    "tool": N_("tool"),
    "industry": N_("industry"),
    "simulation": N_("simulation"),
    "offline": N_("offline"),
    "online": N_("online"),
    "blended": N_("blended"),
    "internal": N_("internal"),
    "external": N_("external"),
    "equipment": N_("equipment"),
    "health": N_("health"),
    "technical": N_("technical"),
    "after_sales_doubt": N_("after-sales doubt"),
    "bad_experience": N_("bad experience"),
    "budget_frozen": N_("budget frozen"),
    "call_later": N_("call later"),
    "contract_terms": N_("contract terms"),
    "delivery_risk": N_("delivery risk"),
    "discount_request": N_("discount request"),
    "happy_with_competitor": N_("happy with competitor"),
    "integration_risk": N_("integration risk"),
    "need_approval": N_("need approval"),
    "no_references": N_("no references"),
    "no_time": N_("no time"),
    "not_a_priority": N_("not a priority"),
    "payment_terms": N_("payment terms"),
    "price_too_high": N_("price too high"),
    "quality_doubt": N_("quality doubt"),
    "send_materials": N_("send materials"),
    "small_company": N_("small company"),
    "switching_cost": N_("switching cost"),
    "too_complex": N_("too complex"),
    "competitor_comparison": N_("competitor comparison"),
    "competitors": N_("competitors"),
    "compliance": N_("compliance"),
    "new_release": N_("new release"),
    "parameters": N_("parameters"),
    "pricing": N_("pricing"),
    "scenarios": N_("scenarios"),
    "service_policy": N_("service policy"),
    "specifications": N_("specifications"),
    "use_cases": N_("use cases"),
    "east_china": N_("east china"),
    "north_china": N_("north china"),
    "south_china": N_("south china"),
    "west_china": N_("west china"),
    "prospecting": N_("prospecting"),
    "qualification": N_("qualification"),
    "proposal": N_("proposal"),
    "won": N_("won"),
    "lost": N_("lost"),
    "consumables": N_("consumables"),
    "hardware": N_("hardware"),
    "software": N_("software"),
    "training": N_("training"),
    "billing": N_("billing"),
    "delivery": N_("delivery"),
    "service": N_("service"),
    "materials": N_("materials"),
    "platform": N_("platform"),
    "travel": N_("travel"),
    "venue": N_("venue"),
    "development": N_("development"),
    "evaluation": N_("evaluation"),
    "sales": N_("sales"),
    "finance": N_("finance"),
    "legal": N_("legal"),
    "marketing": N_("marketing"),
    "success": N_("success"),
    "failure": N_("failure"),
    "innovation": N_("innovation"),
    "apply": N_("apply"),
    "download": N_("download"),
    "view": N_("view"),
}


def label(code: object) -> str:
    """What a reader sees for a raw code: from :data:`LABELS`, else the code with spaces.

    >>> label("senior_rep"), label("crm_discipline"), label("Beijing"), label(True)
    ('senior rep', 'CRM discipline', 'Beijing', 'yes')
    >>> label("sales; legal; customer_service"), label("fabe_practitioner, sales_coach")
    ('sales; legal; customer service', 'FABE practitioner, sales coach')
    """
    text = str(code)
    whole = _english_label(text)
    shown = _(whole)
    if shown != whole:  # a text translated whole (a sentence of the package may hold a comma)
        return shown
    for sep in ("; ", ", "):  # a list of codes: "sales; customer_service", "fabe_practitioner, sales_coach"
        if sep in text:
            return sep.join(label(part) for part in text.split(sep))
    return shown


def code_text(code: object) -> str:
    """A data code inside a sentence or on a chart's axis.

    In English the code's own words, as the pages always read them (``crm discipline``
    mid-sentence); in another language its :func:`label`, translated.

    >>> code_text("crm_discipline")
    'crm discipline'
    """
    text = str(code)
    return text.replace("_", " ") if language() == "en" else label(text)


def _english_label(text: str) -> str:
    if text in LABELS:
        return LABELS[text]
    if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", text):  # an unlisted snake_case code
        return text.replace("_", " ")
    return text


_COLUMN_WORDS = {
    "ci_low": N_("95% CI low"),
    "ci_high": N_("95% CI high"),
    "n": N_("n"),
    "p_value": N_("p-value"),
    "p": N_("p-value"),
    "q_value": N_("q-value (BH)"),
    "d_z": N_("Effect size d_z"),
    "d_av": N_("Effect size d_av"),
}


#: Abbreviations a reader knows in capitals (a column ``roi_ci_low`` reads "ROI, 95% CI low").
_ACRONYMS = {"roi": "ROI", "bcr": "BCR", "nps": "NPS", "csat": "CSAT", "crm": "CRM", "fabe": "FABE", "kpi": "KPI"}


def pretty_column(name: object) -> str:
    """A column name as a reader sees it.

    >>> pretty_column("ci_low"), pretty_column("mean_pre"), pretty_column("n"), pretty_column("crm_discipline")
    ('95% CI low', 'Mean pre', 'n', 'CRM discipline')
    >>> pretty_column("roi_ci_high"), pretty_column("benefit_ci_low"), pretty_column("bcr")
    ('ROI, 95% CI high', 'Benefit, 95% CI low', 'BCR')
    """
    if name in _COLUMN_WORDS:
        return _(_COLUMN_WORDS[name])
    text = str(name)
    if text.endswith("_ci_low") and text != "ci_low":  # "roi_ci_low": the interval of the column "roi"
        return _("{column}, 95% CI low", column=pretty_column(text.removesuffix("_ci_low")))
    if text.endswith("_ci_high") and text != "ci_high":
        return _("{column}, 95% CI high", column=pretty_column(text.removesuffix("_ci_high")))
    if "; " in text:
        return label(text)
    text = _english_label(text).replace("_", " ")
    text = " ".join(_ACRONYMS.get(w, w) for w in text.split(" "))
    header = text[:1].upper() + text[1:]
    shown = _(header)
    if shown == header and header != text:  # "Under 1 year": a code's label as a header
        lower = _(text)
        return lower if lower != text else shown
    return shown


# ----------------------------------------------------------------------------- status
#: The status words of a figure against its target, from its 95% interval.
STATUS_WORDS: dict[str, str] = {
    N_("met"): N_("the whole 95% interval is on the good side of the target: the target is met."),
    N_("on track"): N_(
        "the estimate meets the target, but its 95% interval reaches the other side: probably met, not yet certain."
    ),
    N_("uncertain"): N_(
        "the estimate falls short of the target, but its 95% interval reaches it: the data cannot tell whether it "
        "is met."
    ),
    N_("missed"): N_("the whole 95% interval is on the wrong side of the target: the target is missed."),
    N_("no data"): N_("too few observations to judge."),
}

#: The machine status recorded in ``metrics.json`` (stable for its consumers) of each word.
_MACHINE = {
    "met": "met",
    "on track": "not distinguishable from target",
    "uncertain": "not distinguishable from target",
    "missed": "not met",
    "no data": "no data",
}


def status_word(value: float, low: float, high: float, target: float, *, higher_is_better: bool = True) -> str:
    """*met*, *on track*, *uncertain*, *missed* (or *no data*): a figure against its target.

    With an interval: *met* when the whole interval is on the good side of the target,
    *missed* when it is wholly on the other side; otherwise *on track* when the estimate
    itself meets the target and *uncertain* when it does not. Without an interval (a
    count, a descriptive value) the estimate decides: *met* or *missed*.

    Examples
    --------
    >>> status_word(0.91, 0.86, 0.95, 0.85), status_word(0.88, 0.80, 0.93, 0.85)
    ('met', 'on track')
    >>> status_word(0.82, 0.74, 0.88, 0.85), status_word(0.70, 0.60, 0.80, 0.85)
    ('uncertain', 'missed')
    >>> status_word(3.0, 2.0, 4.5, 4.0, higher_is_better=False), status_word(5.0, math.nan, math.nan, 4.0)
    ('on track', 'met')
    """
    if _isnan(value):
        return "no data"
    sign = 1.0 if higher_is_better else -1.0
    v, t = sign * value, sign * target
    if _isnan(low) or _isnan(high):
        return "met" if v >= t else "missed"
    lo, hi = sorted((sign * low, sign * high))
    if lo >= t:
        return "met"
    if hi < t:
        return "missed"
    return "on track" if v >= t else "uncertain"


def machine_status(word: str) -> str:
    """The stable ``metrics.json`` status of a status word.

    >>> machine_status("on track"), machine_status("missed")
    ('not distinguishable from target', 'not met')
    """
    return _MACHINE[word]


# ----------------------------------------------------------------------------- glossary
#: Terms every page explains at its end: (term, definition).
GLOSSARY: tuple[tuple[str, str], ...] = (
    (N_("Status: met"), STATUS_WORDS["met"]),
    (N_("Status: on track"), STATUS_WORDS["on track"]),
    (N_("Status: uncertain"), STATUS_WORDS["uncertain"]),
    (N_("Status: missed"), STATUS_WORDS["missed"]),
    (
        N_("95% CI"),
        N_(
            "95% confidence interval: the range of values compatible with the data. A narrow interval is a "
            "precise figure; one that includes zero means the change is not distinguishable from zero."
        ),
    ),
    (
        N_("n"),
        N_(
            "the number of observations a figure rests on. Each table and headline says what it counts: "
            "people (trainees, reps), answers (survey answers), customers, or months."
        ),
    ),
    (N_("pp"), N_("percentage points: the difference of two percentages (from 40% to 45% is +5 pp, or +12.5%).")),
    (
        N_("DiD"),
        N_(
            "difference in differences: the trainees' change minus the change of untrained colleagues over the same "
            "months, so that season and market are taken out. This is the training's estimated effect."
        ),
    ),
    (N_("Top-2-box"), N_("the share of answers in the two best boxes of a 5-point scale (agree or strongly agree).")),
    (
        N_("NPS"),
        N_(
            "Net Promoter Score: % of customers answering 9-10 (promoters) minus % answering 0-6 (detractors), "
            "from -100 to +100."
        ),
    ),
    (N_("Primary"), N_("a decision figure declared before the analysis; few, named in the report's parameters.")),
    (
        N_("Exploratory"),
        N_("any other figure: a lead to follow up, not a verdict; several are expected to look notable by chance."),
    ),
    (N_("Association"), N_("two things move together; it does not show that one causes the other.")),
)
