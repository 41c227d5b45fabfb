"""The input data contract: every table trackreport reads, as pandera schemas.

This module is the single source of truth for the contract. ``docs/data-contract.md``
is written from it (``python -m trackreport contract``) and a test checks that the
two agree. Loaders (:mod:`trackreport.data.load`) validate every table against these
schemas where it enters; metric code then trusts its input.

Each table is one file, ``<table>.csv`` or ``<table>.parquet``, in a data folder.
Money is in the company's currency (CNY in the sample), dates are ISO 8601
(``2025-07-01``), timestamps ISO 8601 with time (``2025-07-01 14:30``), booleans are
``true``/``false`` (also accepted: ``1``/``0``, ``yes``/``no``), empty means missing.

Examples
--------
>>> from trackreport.data.schema import TABLES
>>> TABLES["employees"].key
('employee_id',)
>>> TABLES["enrollments"].foreign_keys["employee_id"]
'employees.employee_id'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pandera.pandas as pa

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "BASE_TABLES",
    "HEAVY_TABLES",
    "ROLES",
    "COMPETENCIES",
    "TEST_KINDS",
    "PHASES",
    "REACTION_DIMENSIONS",
    "RATER_TYPES",
    "TEAM_PATTERN",
    "chapter_tables",
    "missing_tables",
]

TEAM_PATTERN = r"^[a-z0-9_-]+$"

ROLES = ("rep", "senior_rep", "manager")
COMPETENCIES = (
    "product_knowledge",
    "needs_analysis",
    "fabe_presentation",
    "objection_handling",
    "negotiation",
    "crm_discipline",
)
MODULE_TYPES = ("theory", "tool", "industry", "simulation")
DELIVERY_MODES = ("online", "offline", "blended")
TEST_KINDS = ("knowledge", "product", "roleplay", "skill", "objection")
PHASES = ("pre", "post", "followup")
REACTION_DIMENSIONS = ("practicality", "trainer", "logistics", "relevance")
RATER_TYPES = ("self", "peer", "manager", "direct_report", "customer")
OPPORTUNITY_STAGES = ("prospecting", "qualification", "proposal", "negotiation", "won", "lost")
SEGMENTS = ("smb", "mid_market", "key_account")
COMPLAINT_TYPES = ("service", "technical", "product_info", "delivery", "billing")
COST_CATEGORIES = ("trainer_fee", "venue", "travel", "materials", "platform", "participant_time")
INCIDENT_KINDS = ("venue", "equipment", "health", "technical", "trainer_absent", "trainee_absent")
TRAINEE_SEGMENTS = ("under 1 year", "1-3 years", "3-5 years", "over 5 years", "manager")
CASE_OUTCOMES = ("success", "failure", "innovation")
KB_ACTIONS = ("view", "download", "apply")
MANAGER_KPIS = ("display_compliance", "visit_plan_adherence")
CRITICAL_INCIDENT_KINDS = ("product_info_incomplete", "wrong_price_quoted", "follow_up_missed", "commitment_broken")
DEPARTMENTS = ("marketing", "product", "finance", "customer_service", "logistics", "legal")
CRITICAL_INCIDENT_SOURCES = ("customer_complaint", "manager_observation", "call_review")
OVERHEAD_CATEGORIES = ("needs_analysis", "development", "evaluation")

# Column kinds and the pandas dtype each is validated (and coerced) to.
KINDS: dict[str, Any] = {
    "id": pd.StringDtype(),
    "text": pd.StringDtype(),
    "category": pd.StringDtype(),
    "int": pd.Int64Dtype(),
    "float": "float64",
    "bool": pd.BooleanDtype(),
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns]",
}


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``kind`` is one of :data:`KINDS`; ``isin``, ``ge``, ``le`` and ``pattern`` are the
    rules it must obey; ``fk`` names the ``table.column`` it refers to.
    """

    name: str
    kind: str
    description: str
    unit: str | None = None
    nullable: bool = False
    isin: tuple[str, ...] | None = None
    ge: float | None = None
    le: float | None = None
    pattern: str | None = None
    unique: bool = False
    fk: str | None = None
    optional: bool = False
    """The column may be absent from the file; the numbers that need it are then left out, with a note."""

    def checks(self) -> list[pa.Check]:
        out: list[pa.Check] = []
        if self.isin is not None:
            out.append(pa.Check.isin(list(self.isin)))
        if self.ge is not None:
            out.append(pa.Check.ge(self.ge))
        if self.le is not None:
            out.append(pa.Check.le(self.le))
        if self.pattern is not None:
            out.append(pa.Check.str_matches(self.pattern))
        return out

    def rule(self) -> str:
        """The column's rules in words, for the contract document."""
        parts = []
        if self.isin is not None:
            parts.append("one of " + ", ".join(f"`{v}`" for v in self.isin))
        if self.ge is not None and self.le is not None:
            parts.append(f"{self.ge:g} to {self.le:g}")
        elif self.ge is not None:
            parts.append(f">= {self.ge:g}")
        elif self.le is not None:
            parts.append(f"<= {self.le:g}")
        if self.pattern is not None:
            parts.append(f"matches `{self.pattern}`")
        if self.unique:
            parts.append("unique")
        if self.fk is not None:
            parts.append(f"refers to `{self.fk}`")
        if self.optional:
            parts.append("optional column (may be left out)")
        return "; ".join(parts)


@dataclass(frozen=True)
class Table:
    """One input table: its columns, key, foreign keys and the chapters that use it."""

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    chapters: tuple[str, ...]
    required: bool = True
    foreign_keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fks = {c.name: c.fk for c in self.columns if c.fk}
        object.__setattr__(self, "foreign_keys", fks)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def columns_of_kind(self, *kinds: str) -> list[str]:
        return [c.name for c in self.columns if c.kind in kinds]

    @property
    def schema(self) -> pa.DataFrameSchema:
        """The pandera schema: dtypes coerced, rules checked, key unique, no extra columns."""
        cols = {
            c.name: pa.Column(
                KINDS[c.kind],
                checks=c.checks(),
                nullable=c.nullable,
                unique=c.unique and len(self.key) != 1,
                coerce=True,
                description=c.description,
                metadata={"unit": c.unit} if c.unit else None,
            )
            for c in self.columns
        }
        return pa.DataFrameSchema(
            cols,
            name=self.name,
            strict=True,
            coerce=True,
            unique=list(self.key),
            report_duplicates="all",
        )


def _c(name: str, kind: str, description: str, **kw: Any) -> Column:
    return Column(name, kind, description, **kw)


_EMP = "employees.employee_id"

_TABLE_LIST = [
    Table(
        "employees",
        "Everyone in the sales and marketing organisation, trained or not (the comparison group).",
        (
            _c("employee_id", "id", "Stable person identifier."),
            _c("display_name", "text", "Name as shown in reports (any script, e.g. Chinese)."),
            _c("team", "category", "Team the person belongs to.", pattern=TEAM_PATTERN),
            _c("region", "category", "Sales region."),
            _c("role", "category", "Job role.", isin=ROLES),
            _c("hire_date", "date", "Date of hire."),
            _c("leave_date", "date", "Date the person left; empty while employed.", nullable=True),
            _c("level", "int", "Job level (1 = entry).", ge=1, le=10),
            _c("manager_id", "id", "The person's manager; empty for the top.", nullable=True, fk=_EMP),
            _c("high_potential", "bool", "Flagged as high potential in talent review."),
            _c(
                "hourly_cost",
                "float",
                "Loaded cost of one working hour (without it, participants' time is left out of the costs).",
                unit="CNY/hour",
                ge=0,
                optional=True,
            ),
            _c("prefers_case_teaching", "bool", "Learning preference survey: prefers case teaching.", nullable=True),
            _c("wants_personal_path", "bool", "Learning preference survey: wants a personalised path.", nullable=True),
            _c(
                "mobile_learning_share",
                "float",
                "Share of learning time spent on mobile.",
                unit="share 0-1",
                ge=0,
                le=1,
                nullable=True,
            ),
        ),
        ("employee_id",),
        ("01", "03", "05", "06", "07", "09", "10", "11"),
    ),
    Table(
        "trainers",
        "Internal and external trainers.",
        (
            _c("trainer_id", "id", "Trainer identifier."),
            _c("name", "text", "Trainer name."),
            _c("kind", "category", "Internal employee or external expert.", isin=("internal", "external")),
            _c("employee_id", "id", "For internal trainers, their employee record.", nullable=True, fk=_EMP),
            _c("vendor", "text", "Training vendor of an external trainer.", nullable=True),
            _c("hourly_fee", "float", "Fee per teaching hour (internal: loaded cost).", unit="CNY/hour", ge=0),
        ),
        ("trainer_id",),
        ("03", "10"),
    ),
    Table(
        "courses",
        "One run of a course or module: when it ran, for which cohort, taught by whom.",
        (
            _c("course_id", "id", "Course run identifier."),
            _c("title", "text", "Course title."),
            _c("programme", "text", "Training programme the course belongs to."),
            _c("module_type", "category", "Kind of module.", isin=MODULE_TYPES),
            _c("competency", "category", "Core competency the course targets.", isin=COMPETENCIES),
            _c("delivery", "category", "Delivery mode.", isin=DELIVERY_MODES),
            _c("hours", "float", "Scheduled teaching hours.", unit="hours", ge=0),
            _c("trainer_id", "id", "Lead trainer.", fk="trainers.trainer_id"),
            _c("cohort", "category", "Quarter of the cohort the run belongs to.", pattern=r"^\d{4}Q[1-4]$"),
            _c("start_date", "date", "First day of the run."),
            _c("end_date", "date", "Last day of the run."),
        ),
        ("course_id",),
        ("01", "02", "03", "04", "05", "10"),
    ),
    Table(
        "enrollments",
        "Who was enrolled in which course run, and how much of it they attended.",
        (
            _c("employee_id", "id", "Trainee.", fk=_EMP),
            _c("course_id", "id", "Course run.", fk="courses.course_id"),
            _c("planned_hours", "float", "Hours the trainee was scheduled for.", unit="hours", ge=0),
            _c("attended_hours", "float", "Hours actually attended.", unit="hours", ge=0),
            _c("completed", "bool", "Completed the course."),
            _c("makeup_session", "bool", "Missed content covered by a recording or one-to-one make-up session."),
        ),
        ("employee_id", "course_id"),
        ("02", "04", "05", "10", "11"),
    ),
    Table(
        "checkins",
        "Weekly learning check-ins during a programme.",
        (
            _c("employee_id", "id", "Trainee.", fk=_EMP),
            _c("week_start", "date", "Monday of the week."),
            _c("completed", "bool", "Check-in done that week."),
        ),
        ("employee_id", "week_start"),
        ("01?", "04"),
    ),
    Table(
        "assessments",
        "Test scores per person, test and phase.",
        (
            _c("employee_id", "id", "Person tested.", fk=_EMP),
            _c("test_id", "id", "Test instrument; the same id pre and post."),
            _c("kind", "category", "What the test measures.", isin=TEST_KINDS),
            _c("phase", "category", "Before, after or follow-up to training.", isin=PHASES),
            _c("course_id", "id", "Course the test belongs to.", nullable=True, fk="courses.course_id"),
            _c("date", "date", "Date taken."),
            _c("score", "float", "Score obtained.", unit="points", ge=0),
            _c("max_score", "float", "Highest possible score (100 for tests, 5 for role-play).", unit="points", ge=0),
        ),
        ("employee_id", "test_id", "phase"),
        ("01?", "03", "04", "05", "07", "11", "13"),
    ),
    Table(
        "assessment_items",
        "Item-level answers of knowledge and product tests, for error analysis.",
        (
            _c("employee_id", "id", "Person tested.", fk=_EMP),
            _c("test_id", "id", "Test instrument."),
            _c("phase", "category", "Phase.", isin=PHASES),
            _c("item_id", "id", "Question identifier."),
            _c("topic", "category", "Topic of the question (e.g. parameters, scenarios, competitor comparison)."),
            _c("correct", "bool", "Answered correctly."),
        ),
        ("employee_id", "test_id", "phase", "item_id"),
        ("03", "05", "07", "13"),
    ),
    Table(
        "objection_drills",
        "Objection-handling drills: one row per objection put to a person.",
        (
            _c("employee_id", "id", "Person drilled.", fk=_EMP),
            _c("phase", "category", "Phase.", isin=PHASES),
            _c("drill_id", "id", "Drill identifier."),
            _c("objection_type", "category", "Objection from the bank of about 20 types."),
            _c("response_seconds", "float", "Time to a substantive answer.", unit="seconds", ge=0),
            _c("credible", "bool", "Answer backed by data or a case."),
        ),
        ("employee_id", "phase", "drill_id"),
        ("03", "05", "07"),
    ),
    Table(
        "reaction_surveys",
        "Reaction (Kirkpatrick level 1) survey answers, one row per respondent and item.",
        (
            _c("response_id", "id", "One filled-in questionnaire (anonymous)."),
            _c("course_id", "id", "Course run rated.", fk="courses.course_id"),
            _c("trainer_id", "id", "Trainer rated.", fk="trainers.trainer_id"),
            _c("item_id", "id", "Questionnaire item."),
            _c("dimension", "category", "Dimension the item measures.", isin=REACTION_DIMENSIONS),
            _c(
                "answer",
                "int",
                "Likert answer, 1 = strongly disagree, 5 = strongly agree; empty = not answered.",
                unit="1-5",
                ge=1,
                le=5,
                nullable=True,
            ),
        ),
        ("response_id", "item_id"),
        ("03", "05", "07"),
    ),
    Table(
        "ratings_360",
        "360-degree competency ratings before and after training.",
        (
            _c("rating_id", "id", "Rating identifier."),
            _c("ratee_id", "id", "Person rated.", fk=_EMP),
            _c("rater_type", "category", "Who rated.", isin=RATER_TYPES),
            _c("competency", "category", "Competency rated.", isin=COMPETENCIES),
            _c("wave", "category", "Before or after training.", isin=("pre", "post")),
            _c("date", "date", "Date of the rating."),
            _c("rating", "int", "Rating, 1 = far below expectations, 5 = far above.", unit="1-5", ge=1, le=5),
        ),
        ("rating_id",),
        ("01?", "03", "05", "07", "11", "13"),
    ),
    Table(
        "crm_activity",
        "CRM discipline and observed selling behaviour per rep and month.",
        (
            _c("employee_id", "id", "Rep.", fk=_EMP),
            _c("month", "date", "First day of the month."),
            _c("records_created", "int", "Customer records created or updated.", unit="records", ge=0),
            _c("records_complete", "int", "Of those, records with every required field.", unit="records", ge=0),
            _c("observed_calls", "int", "Calls reviewed from recordings.", unit="calls", ge=0),
            _c("fabe_calls", "int", "Reviewed calls that followed the FABE structure.", unit="calls", ge=0),
            _c(
                "objection_response_seconds",
                "float",
                "Median time to answer an objection in reviewed calls.",
                unit="seconds",
                ge=0,
                nullable=True,
            ),
        ),
        ("employee_id", "month"),
        ("01?", "03", "05", "07", "13"),
    ),
    Table(
        "customers",
        "Customer accounts.",
        (
            _c("customer_id", "id", "Customer identifier."),
            _c("name", "text", "Customer name."),
            _c("segment", "category", "Customer segment.", isin=SEGMENTS),
            _c("region", "category", "Region of the customer."),
            _c("owner_id", "id", "Rep who owns the account.", fk=_EMP),
            _c("acquired_date", "date", "Date of the first order."),
            _c("annual_value", "float", "Expected annual purchases.", unit="CNY/year", ge=0),
            _c("referred_by", "id", "Customer who referred this one.", nullable=True, fk="customers.customer_id"),
        ),
        ("customer_id",),
        ("01?", "06", "09", "10", "12", "13", "14"),
    ),
    Table(
        "leads",
        "Leads assigned to reps and whether they became opportunities.",
        (
            _c("lead_id", "id", "Lead identifier."),
            _c("employee_id", "id", "Rep the lead was assigned to.", fk=_EMP),
            _c("created_date", "date", "Date the lead came in."),
            _c("converted", "bool", "Became an opportunity."),
            _c("converted_date", "date", "Date it became an opportunity.", nullable=True),
        ),
        ("lead_id",),
        ("01?", "06", "10", "12", "13", "14"),
    ),
    Table(
        "opportunities",
        "Sales opportunities and their outcome.",
        (
            _c("opportunity_id", "id", "Opportunity identifier."),
            _c("lead_id", "id", "Lead it came from.", nullable=True, fk="leads.lead_id"),
            _c("employee_id", "id", "Rep.", fk=_EMP),
            _c("customer_id", "id", "Customer.", fk="customers.customer_id"),
            _c("stage", "category", "Current stage (won and lost are closed).", isin=OPPORTUNITY_STAGES),
            _c("created_date", "date", "Date opened."),
            _c("closed_date", "date", "Date won or lost; empty while open.", nullable=True),
            _c("amount", "float", "Expected or final value.", unit="CNY", ge=0),
        ),
        ("opportunity_id",),
        ("01?", "06", "10", "12", "13", "14"),
    ),
    Table(
        "orders",
        "Orders booked.",
        (
            _c("order_id", "id", "Order identifier."),
            _c("customer_id", "id", "Customer.", fk="customers.customer_id"),
            _c("employee_id", "id", "Rep credited.", fk=_EMP),
            _c("order_date", "date", "Booking date."),
            _c("amount", "float", "Order value.", unit="CNY", ge=0),
            _c("product_category", "category", "Product category."),
            _c("promotion", "bool", "Booked under a price promotion."),
            _c("renewal", "bool", "Renewal of an existing contract."),
            _c("renewal_due_date", "date", "For renewals, when the contract was due.", nullable=True),
        ),
        ("order_id",),
        ("01?", "03", "06", "09", "10", "11", "12", "13", "14"),
    ),
    Table(
        "customer_feedback",
        "Customer survey answers: NPS and CSAT.",
        (
            _c("feedback_id", "id", "Survey answer identifier."),
            _c("customer_id", "id", "Customer.", fk="customers.customer_id"),
            _c("employee_id", "id", "Rep serving the customer.", fk=_EMP),
            _c("date", "date", "Date answered."),
            _c(
                "nps",
                "int",
                "Likelihood to recommend, 0-10; empty = not answered.",
                unit="0-10",
                ge=0,
                le=10,
                nullable=True,
            ),
            _c("csat", "int", "Satisfaction, 1-5; empty = not answered.", unit="1-5", ge=1, le=5, nullable=True),
        ),
        ("feedback_id",),
        ("01?", "09"),
    ),
    Table(
        "complaints",
        "Customer complaints.",
        (
            _c("complaint_id", "id", "Complaint identifier."),
            _c("customer_id", "id", "Customer.", fk="customers.customer_id"),
            _c("employee_id", "id", "Rep responsible.", fk=_EMP),
            _c("type", "category", "Complaint type.", isin=COMPLAINT_TYPES),
            _c("opened", "timestamp", "When the complaint came in."),
            _c("resolved", "timestamp", "When it was resolved; empty while open.", nullable=True),
            _c(
                "customer_retained",
                "bool",
                "Customer still buying 90 days later; empty if not yet known.",
                nullable=True,
            ),
        ),
        ("complaint_id",),
        ("01?", "06", "09", "10", "12", "13", "14"),
    ),
    Table(
        "costs",
        "Training costs, direct and indirect.",
        (
            _c("cost_id", "id", "Cost line identifier."),
            _c("programme", "text", "Programme charged."),
            _c("course_id", "id", "Course run, where the cost belongs to one.", nullable=True, fk="courses.course_id"),
            _c("category", "category", "Cost category.", isin=COST_CATEGORIES),
            _c("vendor", "text", "Supplier paid.", nullable=True),
            _c("amount", "float", "Amount.", unit="CNY", ge=0),
            _c("date", "date", "Booking date."),
        ),
        ("cost_id",),
        ("10",),
    ),
    Table(
        "certifications",
        "Certification exams.",
        (
            _c("employee_id", "id", "Candidate.", fk=_EMP),
            _c("certification", "category", "Certification name."),
            _c("date", "date", "Date of the final attempt."),
            _c("attempts", "int", "Attempts taken.", ge=1),
            _c("passed", "bool", "Passed."),
        ),
        ("employee_id", "certification", "date"),
        ("11",),
    ),
    Table(
        "promotions",
        "Internal promotions.",
        (
            _c("employee_id", "id", "Person promoted.", fk=_EMP),
            _c("date", "date", "Effective date."),
            _c("from_level", "int", "Level before.", ge=1, le=10),
            _c("to_level", "int", "Level after.", ge=1, le=10),
        ),
        ("employee_id", "date"),
        ("11",),
    ),
    Table(
        "meetings",
        "Cross-department meetings and the decisions they took.",
        (
            _c("meeting_id", "id", "Meeting identifier."),
            _c("team", "category", "Team that held it.", pattern=TEAM_PATTERN),
            _c("date", "date", "Date."),
            _c("decisions_taken", "int", "Decisions taken.", ge=0),
            _c("decisions_executed", "int", "Of those, executed by the agreed date.", ge=0),
            _c("decision_hours", "float", "Time from issue raised to decision.", unit="hours", ge=0),
        ),
        ("meeting_id",),
        ("08",),
    ),
    Table(
        "approvals",
        "Approval requests (discounts, contracts, budgets).",
        (
            _c("approval_id", "id", "Approval identifier."),
            _c("team", "category", "Requesting team.", pattern=TEAM_PATTERN),
            _c("urgent", "bool", "Marked urgent (target: within 24 hours)."),
            _c("submitted", "timestamp", "Submitted."),
            _c("completed", "timestamp", "Decided; empty while pending.", nullable=True),
        ),
        ("approval_id",),
        ("08",),
    ),
    Table(
        "conflicts",
        "Cross-department conflicts logged.",
        (
            _c("conflict_id", "id", "Conflict identifier."),
            _c("team", "category", "Team involved.", pattern=TEAM_PATTERN),
            _c("opened", "timestamp", "Logged."),
            _c("resolved", "timestamp", "Resolved; empty while open.", nullable=True),
        ),
        ("conflict_id",),
        ("08",),
    ),
    Table(
        "kb_documents",
        "Knowledge-base documents.",
        (
            _c("document_id", "id", "Document identifier."),
            _c("title", "text", "Title."),
            _c("category", "category", "Category (case, playbook, product sheet, ...)."),
            _c("author_id", "id", "Author.", fk=_EMP),
            _c("created_date", "date", "Published."),
        ),
        ("document_id",),
        ("08", "12"),
    ),
    Table(
        "kb_usage",
        "Use of knowledge-base documents.",
        (
            _c("event_id", "id", "Event identifier."),
            _c("document_id", "id", "Document.", fk="kb_documents.document_id"),
            _c("employee_id", "id", "User.", fk=_EMP),
            _c("date", "date", "Date."),
            _c("action", "category", "What the user did.", isin=KB_ACTIONS),
        ),
        ("event_id",),
        ("08", "12", "13"),
    ),
    Table(
        "incidents",
        "Delivery incidents during training sessions.",
        (
            _c("incident_id", "id", "Incident identifier."),
            _c("course_id", "id", "Course run.", fk="courses.course_id"),
            _c("date", "date", "Date."),
            _c("kind", "category", "What happened.", isin=INCIDENT_KINDS),
            _c("escalation_level", "int", "Technical escalation level reached (1-3).", ge=1, le=3),
            _c("minutes_to_resolve", "float", "Minutes until the session continued.", unit="minutes", ge=0),
        ),
        ("incident_id",),
        ("04",),
    ),
    Table(
        "market_index",
        "Industry sales index per region and month (market trend), 100 = first month.",
        (
            _c("region", "category", "Region."),
            _c("month", "date", "First day of the month."),
            _c("index", "float", "Industry sales index.", unit="index", ge=0),
        ),
        ("region", "month"),
        ("06",),
    ),
    Table(
        "sharing_sessions",
        "Monthly experience-sharing sessions by top sellers: planned, held, attendance.",
        (
            _c("session_id", "id", "Session identifier."),
            _c("team", "category", "Team that planned it.", pattern=TEAM_PATTERN),
            _c("planned_date", "date", "Date the session was planned for."),
            _c("held_date", "date", "Date it was held; empty when it was not held.", nullable=True),
            _c("presenter_id", "id", "Seller planned to present.", fk=_EMP),
            _c("invited", "int", "People invited.", unit="people", ge=0),
            _c("attendees", "int", "People who attended; empty when not held.", unit="people", ge=0, nullable=True),
        ),
        ("session_id",),
        ("12",),
    ),
    Table(
        "course_design",
        "Design and delivery record of a course run: planned order, target segment, hours delivered, content renewed.",
        (
            _c("course_id", "id", "Course run.", fk="courses.course_id"),
            _c("planned_sequence", "int", "Planned position in the programme, strategy (1) to tactics.", ge=1),
            _c(
                "target_segment",
                "category",
                "Trainee segment the module targets; empty = every trainee of the cohort.",
                nullable=True,
                isin=TRAINEE_SEGMENTS,
            ),
            _c("delivered_hours", "float", "Teaching hours actually delivered.", unit="hours", ge=0),
            _c("renewed_share", "float", "Share of the module's content new this year.", unit="share 0-1", ge=0, le=1),
        ),
        ("course_id",),
        ("02",),
        required=False,
    ),
    Table(
        "simulation_results",
        "Final scores of the competing groups of a simulation (virtual campaign) module.",
        (
            _c("course_id", "id", "Simulation course run.", fk="courses.course_id"),
            _c("group_id", "id", "Competing group."),
            _c("members", "int", "Trainees in the group.", unit="people", ge=1),
            _c("roi", "float", "Return on the virtual campaign budget (0.35 = 35%).", unit="share"),
            _c("brand_reach", "float", "Brand reach of the virtual campaign.", unit="thousand people", ge=0),
        ),
        ("course_id", "group_id"),
        ("02",),
        required=False,
    ),
    Table(
        "collaboration_cases",
        "Cross-department cases a team logged: what was tried with whom and how it ended.",
        (
            _c("case_id", "id", "Case identifier."),
            _c("team", "category", "Team that led the case.", pattern=TEAM_PATTERN),
            _c("date", "date", "Date the case closed."),
            _c("departments", "text", "Departments involved, e.g. 'sales; marketing; product'."),
            _c("outcome", "category", "How it ended.", isin=CASE_OUTCOMES),
            _c("title", "text", "One-line description."),
        ),
        ("case_id",),
        ("08",),
        required=False,
    ),
    Table(
        "manager_kpis",
        "Behaviour KPIs a line manager observed for one person in one month (e.g. store display checks).",
        (
            _c("employee_id", "id", "Person observed.", fk=_EMP),
            _c("manager_id", "id", "Manager who made the observations.", fk=_EMP),
            _c("month", "date", "First day of the month observed."),
            _c("kpi", "category", "KPI observed.", isin=MANAGER_KPIS),
            _c("checks", "int", "Observations the manager made in the month.", unit="checks", ge=1),
            _c("value", "float", "Share of the checks that met the standard.", unit="share 0-1", ge=0, le=1),
        ),
        ("employee_id", "month", "kpi"),
        ("05",),
        required=False,
    ),
    Table(
        "critical_incidents",
        "Critical-incident records: notable failures on the job (e.g. a complaint about incomplete product information).",
        (
            _c("record_id", "id", "Record identifier."),
            _c("employee_id", "id", "Person the incident concerns.", fk=_EMP),
            _c("date", "date", "Date of the incident."),
            _c("kind", "category", "What went wrong.", isin=CRITICAL_INCIDENT_KINDS),
            _c("source", "category", "How it was recorded.", isin=CRITICAL_INCIDENT_SOURCES),
        ),
        ("record_id",),
        ("05",),
        required=False,
    ),
    Table(
        "call_audits",
        "Call-recording audits per person and month: calls reviewed against the call SOP and calls that complied.",
        (
            _c("employee_id", "id", "Person whose calls were reviewed.", fk=_EMP),
            _c("month", "date", "First day of the month of the calls."),
            _c("calls_audited", "int", "Recorded calls reviewed against the SOP.", unit="calls", ge=1),
            _c("calls_compliant", "int", "Of those, calls that followed every SOP step.", unit="calls", ge=0),
        ),
        ("employee_id", "month"),
        ("05",),
        required=False,
    ),
    Table(
        "rotations",
        "Job rotations: a person working for a time in another department.",
        (
            _c("employee_id", "id", "Person rotated.", fk=_EMP),
            _c("department", "category", "Host department.", isin=DEPARTMENTS),
            _c("start_date", "date", "First day of the rotation."),
            _c("end_date", "date", "Last day of the rotation."),
        ),
        ("employee_id", "start_date"),
        ("08",),
        required=False,
    ),
    Table(
        "cross_domain_problems",
        "Problems a person worked on with another department (cross-domain problem solving).",
        (
            _c("problem_id", "id", "Problem identifier."),
            _c("employee_id", "id", "Person who took the problem on.", fk=_EMP),
            _c("opened", "date", "Date the problem was taken on."),
            _c("department", "category", "Other department involved.", isin=DEPARTMENTS),
            _c("solved", "bool", "Solved (by the date of the data)."),
            _c(
                "days_to_solve",
                "float",
                "Days from opened to solved; empty while unsolved.",
                unit="days",
                ge=0,
                nullable=True,
            ),
        ),
        ("problem_id",),
        ("08",),
        required=False,
    ),
]

# Chapter 10 (cost-benefit): overheads prorated over runs, talent reviews, vendor history.
_TABLE_LIST += [
    Table(
        "programme_overheads",
        "Costs of a programme not booked to its course runs: needs analysis, development and "
        "evaluation, each spread over the runs it serves (Phillips: prorated costs).",
        (
            _c("programme", "text", "Programme charged (as in `costs.programme`)."),
            _c("category", "category", "Overhead category.", isin=OVERHEAD_CATEGORIES),
            _c("vendor", "text", "Supplier paid; empty for internal work.", nullable=True),
            _c("amount", "float", "Total amount of the overhead.", unit="CNY", ge=0),
            _c("prorate_runs", "int", "Programme runs the amount is spread over (1: this run only).", ge=1),
            _c("date", "date", "Booking date."),
        ),
        ("programme", "category"),
        ("10",),
        required=False,
    ),
    Table(
        "talent_reviews",
        "Yearly talent review: performance and potential ratings (the nine-box grid).",
        (
            _c("employee_id", "id", "Person reviewed.", fk=_EMP),
            _c("year", "int", "Review year.", ge=2000, le=2100),
            _c("performance", "int", "Performance rating, 1 = low, 3 = high.", ge=1, le=3),
            _c("potential", "int", "Potential rating, 1 = low, 3 = high (3 = high potential).", ge=1, le=3),
        ),
        ("employee_id", "year"),
        ("10",),
        required=False,
    ),
    Table(
        "vendor_reviews",
        "Yearly review of each training vendor: spend, quality and the ROI measured for its programmes.",
        (
            _c("vendor", "text", "Vendor (as in `trainers.vendor` and `costs.vendor`)."),
            _c("year", "int", "Review year.", ge=2000, le=2100),
            _c("spend", "float", "Amount paid to the vendor in the year.", unit="CNY", ge=0),
            _c("hours", "float", "Teaching hours the vendor delivered in the year.", unit="hours", ge=0),
            _c(
                "quality",
                "float",
                "Average quality rating of the vendor's courses (1-5).",
                unit="points 1-5",
                ge=1,
                le=5,
            ),
            _c(
                "roi",
                "float",
                "ROI measured for the vendor's programmes that year, as a fraction (0.5 = 50%).",
                unit="fraction",
                nullable=True,
            ),
        ),
        ("vendor", "year"),
        ("10",),
        required=False,
    ),
]

TABLES: dict[str, Table] = {t.name: t for t in _TABLE_LIST}
"""Every input table of the contract, by name."""

BASE_TABLES: tuple[str, ...] = ("employees", "courses", "enrollments")
"""What every chapter needs: the people and who was trained when (the cohort and its comparison group)."""

HEAVY_TABLES: tuple[str, ...] = ("orders", "leads", "customers", "opportunities", "complaints")
"""The business tables that grow with the company (rows per customer, order or lead, not per person).

From a database they are validated and aggregated in the database, never pulled whole
(:mod:`trackreport.data.sql`, :mod:`trackreport.data.panels`).
"""


def chapter_tables(number: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tables chapter ``number`` needs and those it uses when present, from :data:`TABLES`.

    The single source of truth is each table's ``chapters`` field: a chapter needs every
    ``required`` table that names it (and the :data:`BASE_TABLES`), and uses the other
    tables that name it, and those that name it with a question mark (``"01?"``: the
    chapter skips the sections that need it), when the data hold them. A chapter reads no other table (the
    report's chapters get a view of the data limited to these, so an undeclared read fails).

    Examples
    --------
    >>> needs, optional = chapter_tables("08")
    >>> "meetings" in needs, "rotations" in optional
    (True, True)
    >>> chapter_tables("00")[0] == BASE_TABLES
    True
    """
    needs = list(BASE_TABLES)
    optional = []
    for t in TABLES.values():
        if t.name in needs:
            continue
        if number in t.chapters:
            (needs if t.required else optional).append(t.name)
        elif f"{number}?" in t.chapters:
            optional.append(t.name)
    return tuple(needs), tuple(optional)


def missing_tables(number: str, present: Any) -> list[str]:
    """The tables chapter ``number`` needs that are not in ``present`` (names).

    >>> missing_tables("08", {"employees", "courses", "enrollments", "meetings"})
    ['approvals', 'conflicts', 'kb_documents', 'kb_usage']
    """
    have = set(present)
    return [t for t in chapter_tables(number)[0] if t not in have]
