"""mapping.yaml: a company's export with its own file, column and category names (Chinese here) validates
to the same frames as the contract's files, in CSV, Parquet and Excel; mapping mistakes are named by key."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import TINY_TABLES, write_tiny_data

from trackreport.cli import main
from trackreport.data.load import fingerprint, load_data, validate_folder

MAPPING = """\
# 公司导出 → trackreport
employees:
  员工编号: employee_id
  姓名: display_name
  岗位: role
  高潜人才: high_potential
  role: {销售代表: rep, 资深销售: senior_rep, 经理: manager}
  high_potential: {是: true, 否: false}
complaints:
  file: 投诉记录
  投诉编号: complaint_id
  客户编号: customer_id
  销售代表: employee_id
  投诉类型: type
  受理时间: opened
  解决时间: resolved
  客户保留: customer_retained
  type:
    投诉-服务: service
    投诉-技术: technical
    投诉-产品信息: product_info
    投诉-交付: delivery
    投诉-账单: billing
customers:
  客户编号: customer_id
  客户名称: name
  客户分级: segment
  segment: {小微: smb, 中型: mid_market, 大客户: key_account}
"""
ROLE_VALUES = {"销售代表": "rep", "资深销售": "senior_rep", "经理": "manager"}
BOOL_VALUES = {"是": "true", "否": "false"}


def _rows(table: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(TINY_TABLES[table])))


def company_export(table: str) -> tuple[str, list[list[str]]]:
    """The tiny table as the company exports it: its file name, Chinese headers and values, an extra column."""
    rows = _rows(table)
    spec = {
        "employees": ("employees", {"role": ROLE_VALUES, "high_potential": BOOL_VALUES}),
        "complaints": (
            "投诉记录",
            {
                "type": {
                    "投诉-服务": "service",
                    "投诉-技术": "technical",
                    "投诉-产品信息": "product_info",
                    "投诉-交付": "delivery",
                    "投诉-账单": "billing",
                }
            },
        ),
        "customers": ("customers", {"segment": {"小微": "smb", "中型": "mid_market", "大客户": "key_account"}}),
    }
    file, value_maps = spec[table]
    entry = yaml.safe_load(MAPPING)[table]
    renames = {v: k for k, v in entry.items() if isinstance(v, str) and k != "file"}
    header = rows[0]
    out = [[renames.get(h, h) for h in header] + ["备注"]]
    for row in rows[1:]:
        cells = []
        for h, v in zip(header, row):
            back = {c: k for k, c in value_maps.get(h, {}).items()}
            if h == "high_potential":
                v = "是" if v.lower() in ("true", "1", "yes") else "否"
            cells.append(back.get(v, v))
        out.append(cells + ["内部备注"])
    return file, out


MAPPED = ("employees", "complaints", "customers")


def write_export(folder: Path, how: str) -> Path:
    """The tiny data set with three tables as a company exports them, plus mapping.yaml."""
    write_tiny_data(folder)
    for table in MAPPED:
        (folder / f"{table}.csv").unlink()
        file, rows = company_export(table)
        if how == "csv":
            buf = io.StringIO(newline="")
            csv.writer(buf, lineterminator="\r\n").writerows(rows)
            (folder / f"{file}.csv").write_bytes(buf.getvalue().encode("gb18030"))  # as Chinese Excel saves
        elif how == "parquet":
            frame = pd.DataFrame(rows[1:], columns=rows[0], dtype="str").replace("", None)
            frame.to_parquet(folder / f"{file}.parquet", index=False)
        else:
            path = folder / "公司数据.xlsx"
            wb = openpyxl.load_workbook(path) if path.exists() else openpyxl.Workbook()
            ws = wb.create_sheet(file)
            for row in rows:
                ws.append([v if v != "" else None for v in row])
            if "Sheet" in wb.sheetnames:
                del wb["Sheet"]
            wb.save(path)
    (folder / "mapping.yaml").write_text(MAPPING, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return load_data(write_tiny_data(tmp_path_factory.mktemp("tiny")))


@pytest.mark.parametrize("how", ["csv", "parquet", "excel"])
def test_a_mapped_export_with_chinese_headers_and_values_validates(how, tmp_path, tiny, caplog):
    folder = write_export(tmp_path / "export", how)
    ds = load_data(folder)
    for name in tiny:
        pd.testing.assert_frame_equal(ds[name], tiny[name], check_exact=True, obj=name)
    assert ds["complaints"]["type"].tolist() == ["delivery", "billing"]
    where = {"csv": "{}.csv", "parquet": "{}.parquet", "excel": "公司数据.xlsx, sheet {}"}[how]
    notes = [n for n in ds.notices if "备注" in n]
    assert notes == [
        where.format(f) + ": columns not in the contract (nor mapped in mapping.yaml), left out: 备注"
        for f in ("employees", "customers", "投诉记录")  # in the contract's table order
    ]
    assert [r.getMessage() for r in caplog.records if "备注" in r.getMessage()] == [f"notice: {n}" for n in notes]


def test_an_unmapped_value_is_refused_with_the_value_shown(tmp_path):
    folder = write_export(tmp_path / "export", "csv")
    text = (folder / "投诉记录.csv").read_bytes().decode("gb18030").replace("投诉-账单", "投诉-其他")
    (folder / "投诉记录.csv").write_bytes(text.encode("gb18030"))
    found = [str(p) for p in validate_folder(folder)]
    assert found == [
        "投诉记录.csv, column type: not one of the allowed values (service, technical, product_info, delivery, "
        "billing) — 1 row fails, e.g. line 3: '投诉-其他'"
    ]


def test_the_mapping_is_part_of_the_fingerprint(tmp_path):
    folder = write_export(tmp_path / "export", "csv")
    before = fingerprint(folder)
    assert before == load_data(folder).fingerprint
    (folder / "mapping.yaml").write_text(MAPPING.replace("投诉-服务", "投诉－服务"), encoding="utf-8")
    assert fingerprint(folder) != before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("orderz:\n  a: b\n", "key orderz: not a table of the contract; did you mean 'orders'?"),
        (
            "orders:\n  客户编号: custmer_id\n",
            "key orders.客户编号: maps to custmer_id, which table orders does not have; did you mean 'customer_id'?",
        ),
        (
            "orders:\n  客户编号: customer_id\n  客户: customer_id\n",
            "key orders.客户: maps to customer_id, as 客户编号 does: one contract column per company column",
        ),
        (
            "orders:\n  amount: {多: 1}\n",
            "key orders.amount: a value map for column amount (float): only category and boolean columns take "
            "value maps",
        ),
        (
            "orders:\n  金额: amount\n  金额: {多: 1}\n",
            "not valid YAML at line 3, column 3: duplicate key 金额",
        ),
        (
            "complaints:\n  type: {投诉-服务: servce}\n",
            "key complaints.type.投诉-服务: maps to 'servce', not an allowed value of complaints.type (service, "
            "technical, product_info, delivery, billing)",
        ),
        (
            "employees:\n  high_potential: {是: Y}\n",
            "key employees.high_potential.是: maps to 'Y': values of boolean column high_potential map to true or "
            "false",
        ),
        ("orders:\n  colour: {a: b}\n", "key orders.colour: a value map for colour, which table orders does not have"),
        (
            "orders:\n  file: 订单.csv\n",
            "key orders.file: '订单.csv': give the name without folder or extension (e.g. 订单)",
        ),
        (
            "orders:\n  file: 销售\ncustomers:\n  file: 销售\n",
            "key customers.file: '销售' is also the file of table orders",
        ),
        ("orders:\n  金额: [amount]\n", "key orders.金额: must be a contract column name (text) or a value map"),
        ("orders: [\n", "not valid YAML at line 2, column 1"),
        ("- orders\n", "the top level must map table names to their entries (e.g. 'orders:')"),
        ("orders: 订单\n", "key orders: must map the table's columns (company name: contract name)"),
    ],
)
def test_mapping_mistakes_name_mapping_yaml_and_the_key(text, message, tiny_data, capsys):
    (tiny_data / "mapping.yaml").write_text(text, encoding="utf-8")
    problems = validate_folder(tiny_data)
    assert len(problems) == 1, problems
    assert problems[0].file == "mapping.yaml"
    assert problems[0].rule.startswith(message), problems[0].rule
    assert main(["validate", str(tiny_data)]) == 1
    out = capsys.readouterr()
    assert "mapping.yaml" in out.out and "Traceback" not in out.out + out.err


def test_an_empty_mapping_changes_nothing(tiny_data, tiny):
    (tiny_data / "mapping.yaml").write_text("# nothing to map yet\n", encoding="utf-8")
    ds = load_data(tiny_data)
    pd.testing.assert_frame_equal(ds["orders"], tiny["orders"])
    assert ds.notices == ()
