"""Shared fixtures: a tiny, valid, consistent data folder with every table of the contract."""

from __future__ import annotations

from pathlib import Path

import pytest

# One small CSV per table. Ids refer to each other consistently (foreign keys hold),
# display names are Chinese, and every column of the contract is present.
TINY_TABLES: dict[str, str] = {
    "employees": """\
employee_id,display_name,team,region,role,hire_date,leave_date,level,manager_id,high_potential,hourly_cost,prefers_case_teaching,wants_personal_path,mobile_learning_share
E001,王芳,east,华东,manager,2018-03-01,,5,,true,320.5,yes,no,0.4
E002,李伟,east,华东,rep,2021-07-15,,2,E001,false,150,true,false,0.75
E003,张静,west,华南,senior_rep,2019-11-04,2025-06-30,3,E001,FALSE,180,,,
E004,陈磊,west,华南,rep,2024-02-19,,1,E001,0,140,1,0,0.1
""",
    "trainers": """\
trainer_id,name,kind,employee_id,vendor,hourly_fee
T01,王芳,internal,E001,,320.5
T02,刘洋,external,,智学咨询,1200
""",
    "courses": """\
course_id,title,programme,module_type,competency,delivery,hours,trainer_id,cohort,start_date,end_date
C01,产品知识,新人训练营,theory,product_knowledge,offline,8,T01,2025Q3,2025-07-07,2025-07-08
C02,异议处理,新人训练营,simulation,objection_handling,blended,6,T02,2025Q3,2025-07-14,2025-07-14
""",
    "enrollments": """\
employee_id,course_id,planned_hours,attended_hours,completed,makeup_session
E002,C01,8,8,true,false
E002,C02,6,4.5,true,true
E004,C01,8,6,false,false
""",
    "checkins": """\
employee_id,week_start,completed
E002,2025-07-07,true
E002,2025-07-14,false
E004,2025-07-07,true
""",
    "assessments": """\
employee_id,test_id,kind,phase,course_id,date,score,max_score
E002,K01,knowledge,pre,C01,2025-07-07,62,100
E002,K01,knowledge,post,C01,2025-07-08,81,100
E004,R01,roleplay,pre,,2025-07-07,2.5,5
""",
    "assessment_items": """\
employee_id,test_id,phase,item_id,topic,correct
E002,K01,pre,Q1,参数,false
E002,K01,post,Q1,参数,true
E002,K01,post,Q2,竞品对比,true
""",
    "objection_drills": """\
employee_id,phase,drill_id,objection_type,response_seconds,credible
E002,pre,D01,价格太高,14.2,false
E002,post,D01,价格太高,6.8,true
""",
    "reaction_surveys": """\
response_id,course_id,trainer_id,item_id,dimension,answer
S001,C01,T01,I1,practicality,5
S001,C01,T01,I2,trainer,4
S002,C02,T02,I1,practicality,
S002,C02,T02,I3,logistics,3
""",
    "ratings_360": """\
rating_id,ratee_id,rater_type,competency,wave,date,rating
R0001,E002,manager,needs_analysis,pre,2025-06-20,2
R0002,E002,manager,needs_analysis,post,2025-09-20,4
R0003,E004,self,negotiation,pre,2025-06-21,3
""",
    "crm_activity": """\
employee_id,month,records_created,records_complete,observed_calls,fabe_calls,objection_response_seconds
E002,2025-07-01,40,31,6,2,12.5
E002,2025-08-01,44,40,5,4,
E004,2025-07-01,20,12,4,1,20
""",
    "customers": """\
customer_id,name,segment,region,owner_id,acquired_date,annual_value,referred_by
K001,上海东方贸易有限公司,key_account,华东,E002,2020-05-01,1200000,
K002,深圳南山科技,smb,华南,E004,2024-03-15,80000,K001
""",
    "leads": """\
lead_id,employee_id,created_date,converted,converted_date
L001,E002,2025-07-02,true,2025-07-20
L002,E004,2025-07-05,false,
""",
    "opportunities": """\
opportunity_id,lead_id,employee_id,customer_id,stage,created_date,closed_date,amount
O001,L001,E002,K001,won,2025-07-20,2025-08-30,250000
O002,,E004,K002,proposal,2025-08-01,,40000.5
""",
    "orders": """\
order_id,customer_id,employee_id,order_date,amount,product_category,promotion,renewal,renewal_due_date
P001,K001,E002,2025-08-30,250000,设备,false,false,
P002,K002,E004,2025-09-10,12000,耗材,true,true,2025-09-30
""",
    "customer_feedback": """\
feedback_id,customer_id,employee_id,date,nps,csat
F001,K001,E002,2025-09-01,9,5
F002,K002,E004,2025-09-12,,3
F003,K002,E004,2025-09-20,0,
""",
    "complaints": """\
complaint_id,customer_id,employee_id,type,opened,resolved,customer_retained
Q001,K002,E004,delivery,2025-08-03 09:15,2025-08-04 17:40:00,true
Q002,K001,E002,billing,2025-09-01 10:00,,
""",
    "costs": """\
cost_id,programme,course_id,category,vendor,amount,date
X001,新人训练营,C01,venue,国际会议中心,6000,2025-07-01
X002,新人训练营,C02,trainer_fee,智学咨询,7200,2025-07-14
X003,新人训练营,,platform,,1500.75,2025-07-01
""",
    "certifications": """\
employee_id,certification,date,attempts,passed
E002,产品认证,2025-08-15,1,true
E004,产品认证,2025-08-15,2,false
""",
    "promotions": """\
employee_id,date,from_level,to_level
E003,2024-01-01,2,3
""",
    "meetings": """\
meeting_id,team,date,decisions_taken,decisions_executed,decision_hours
M001,east,2025-07-03,4,3,36
M002,west,2025-07-10,2,2,12.5
""",
    "approvals": """\
approval_id,team,urgent,submitted,completed
A001,east,true,2025-07-03 09:00,2025-07-03 15:30
A002,west,no,2025-07-04 11:00,
""",
    "conflicts": """\
conflict_id,team,opened,resolved
Z001,east,2025-07-02 08:30,2025-07-09 18:00
Z002,west,2025-07-15 14:00,
""",
    "kb_documents": """\
document_id,title,category,author_id,created_date
D001,大客户谈判案例,case,E001,2025-06-01
D002,产品参数速查,product_sheet,E003,2025-06-15
""",
    "kb_usage": """\
event_id,document_id,employee_id,date,action
V001,D001,E002,2025-07-03,view
V002,D002,E004,2025-07-05,apply
""",
    "incidents": """\
incident_id,course_id,date,kind,escalation_level,minutes_to_resolve
N001,C01,2025-07-07,equipment,1,12
""",
    "sharing_sessions": """\
session_id,team,planned_date,held_date,presenter_id,invited,attendees
S001,east,2025-07-10,2025-07-11,E002,2,1
S002,east,2025-08-12,,E002,2,
""",
    "programme_overheads": """\
programme,category,vendor,amount,prorate_runs,date
新人训练营,development,智学咨询,40000,4,2025-06-01
新人训练营,evaluation,,5000,1,2025-10-01
""",
    "talent_reviews": """\
employee_id,year,performance,potential
E001,2025,3,3
E002,2025,2,1
""",
    "vendor_reviews": """\
vendor,year,spend,hours,quality,roi
智学咨询,2024,120000,60,4.1,1.1
智学咨询,2025,7200,4,4.3,
""",
    "market_index": """\
region,month,index
华东,2025-07-01,100
华东,2025-08-01,102.5
华南,2025-07-01,100
""",
    "course_design": """\
course_id,planned_sequence,target_segment,delivered_hours,renewed_share
C01,1,,7.8,0.25
C02,2,under 1 year,6,0.1
""",
    "simulation_results": """\
course_id,group_id,members,roi,brand_reach
C02,G1,3,0.31,120.5
C02,G2,2,-0.05,80
""",
    "collaboration_cases": """\
case_id,team,date,departments,outcome,title
K001,east,2025-07-20,sales; product,success,联合大客户提案
K002,west,2025-08-02,sales; finance,innovation,合同审批提速
""",
    "manager_kpis": """\
employee_id,manager_id,month,kpi,checks,value
E002,E001,2025-06-01,display_compliance,4,0.75
E002,E001,2025-10-01,display_compliance,5,1
E004,E001,2025-06-01,visit_plan_adherence,3,0.6667
""",
    "critical_incidents": """\
record_id,employee_id,date,kind,source
CI001,E002,2025-06-12,product_info_incomplete,customer_complaint
CI002,E004,2025-10-03,follow_up_missed,manager_observation
""",
    "call_audits": """\
employee_id,month,calls_audited,calls_compliant
E002,2025-06-01,8,5
E002,2025-10-01,6,5
E004,2025-06-01,5,2
""",
    "rotations": """\
employee_id,department,start_date,end_date
E002,product,2025-10-06,2025-10-31
E004,finance,2025-06-02,2025-06-27
""",
    "cross_domain_problems": """\
problem_id,employee_id,opened,department,solved,days_to_solve
XP001,E002,2025-10-08,customer_service,true,4.5
XP002,E004,2025-06-11,logistics,false,
""",
}


def write_tiny_data(folder: Path, tables: dict[str, str] | None = None) -> Path:
    """Write the tiny data set (or ``tables``) as UTF-8 CSV files into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (tables or TINY_TABLES).items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8", newline="\n")
    return folder


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A minimal but valid data folder: one consistent CSV per table of the contract."""
    return write_tiny_data(tmp_path / "data")


@pytest.fixture(scope="session")
def sample_data():
    """The committed sample company, loaded and validated once per test session (~8 s)."""
    from trackreport.data.load import load_data

    return load_data()


# ----------------------------------------------------------------------------- reports


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory):
    """Every report of the sample company, built once per test session: ``(out folder, RunResult)``."""
    from trackreport.report.runner import run_reports

    out = tmp_path_factory.mktemp("all")
    result = run_reports(all_reports=True, out=out, log=lambda s: None, progress=False)
    return out, result


# ----------------------------------------------------------------------------- PostgreSQL

PG_BIN = Path("/usr/lib/postgresql/15/bin")


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL 15 server on a Unix socket in a temporary folder, for the session.

    Started with Debian's binaries (``apt-get install postgresql``; ``.ci/run`` installs
    them when missing). As root, the server runs as the ``postgres`` user, since initdb
    refuses root.
    """
    import os
    import pwd
    import shutil
    import socket
    import subprocess
    import tempfile

    if not (PG_BIN / "initdb").is_file():
        pytest.skip(f"PostgreSQL 15 binaries not found in {PG_BIN}: apt-get install postgresql to run these tests")
    base = Path(tempfile.mkdtemp(prefix="trackreport-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(base, pg.pw_uid, pg.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, timeout=120)

    run(str(PG_BIN / "initdb"), "-D", str(base / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
    opts = f"-p {port} -k {base} -c listen_addresses='' -c fsync=off"
    run(str(PG_BIN / "pg_ctl"), "-D", str(base / "data"), "-o", opts, "-l", str(base / "log"), "-w", "start")
    try:
        run(str(PG_BIN / "createdb"), "-h", str(base), "-p", str(port), "-U", "postgres", "trackreport")
        yield f"postgresql://postgres@/trackreport?host={base}&port={port}"
    finally:
        subprocess.run(
            [*as_user, str(PG_BIN / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def warehouse(postgres_url):
    """The sample company loaded into the session's database once (``export-db``); tests that change it restore it."""
    from trackreport.cli import main
    from trackreport.paths import SAMPLE_DIR

    assert main(["export-db", str(SAMPLE_DIR), postgres_url, "--replace"]) == 0
    return postgres_url
