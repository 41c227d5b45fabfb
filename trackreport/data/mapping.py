"""``mapping.yaml``: a company's own names for the contract's files, columns and category values.

A data folder may hold one ``mapping.yaml`` so that exports need no hand-editing. Its
top-level keys are contract tables; under each, a key with a text value renames a
column of the company's file to the contract's, a key with a mapping translates the
values of a category (or boolean) column, and the reserved key ``file`` names the file
(``<file>.csv``, ``.parquet``, ``.xlsx``) or workbook sheet holding the table::

    complaints:
      file: 投诉记录          # 投诉记录.csv, or a sheet 投诉记录 in a workbook
      投诉编号: complaint_id   # company column: contract column
      客户编号: customer_id
      投诉类型: type
      type:                   # contract column (or the company's name for it): value map
        投诉-服务: service
        投诉-账单: billing

Columns a mapped table has beyond the contract's are left out, each table's reported
once as a notice; columns already named as in the contract need no entry. Mistakes in
the mapping itself (a table or column the contract does not have, two company columns
for one contract column, a value map for a column that is not a category, a value the
column does not allow, YAML that does not parse) are reported as problems of
``mapping.yaml`` naming the key, before any table is read.

Examples
--------
>>> m, errors = parse_mapping("complaints:\\n  客户编号: customer_id\\n  type: {投诉-服务: service}\\n")
>>> errors
[]
>>> m.tables["complaints"].columns, m.tables["complaints"].values
({'客户编号': 'customer_id'}, {'type': {'投诉-服务': 'service'}})
>>> parse_mapping("complaints:\\n  客户编号: customer\\n")[1]
[('complaints.客户编号', "maps to customer, which table complaints does not have; did you mean 'customer_id'?")]
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from trackreport.data.schema import TABLES, Table

__all__ = ["MAPPING_FILE", "FILE_KEY", "TableMapping", "DataMapping", "parse_mapping", "read_mapping"]

MAPPING_FILE = "mapping.yaml"
"""Name of the mapping file in a data folder."""

FILE_KEY = "file"
"""Reserved key under a table: the name of the file or sheet holding it (no contract table has such a column)."""

MAX_BYTES = 1 << 20
"""A mapping longer than this (1 MiB) is refused: it is a few dozen lines."""

_VALUE_KINDS = ("category", "bool")
_BOOL_TARGETS = {True: "true", False: "false", "true": "true", "false": "false"}


@dataclass(frozen=True)
class TableMapping:
    """What ``mapping.yaml`` says about one table."""

    file: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    """Company column name → contract column name."""
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    """Contract column name → {company value: contract value}."""

    def rename(self, names: list[str]) -> list[str]:
        """The contract's names for a file's column names (unmapped names are kept).

        >>> TableMapping(columns={"客户编号": "customer_id"}).rename(["客户编号", "amount"])
        ['customer_id', 'amount']
        """
        return [self.columns.get(n, n) for n in names]

    def translate(self, column: str, raw: pd.Series) -> pd.Series:
        """The column's values with the company's values replaced by the contract's (cells compared stripped).

        >>> TableMapping(values={"type": {"投诉-服务": "service"}}).translate(
        ...     "type", pd.Series([" 投诉-服务", "billing", None], dtype=object)).tolist()
        ['service', 'billing', None]
        """
        table = self.values.get(column)
        if not table:
            return raw
        cells = raw.to_numpy(dtype=object, na_value=None)
        texts = pd.Series(cells, index=raw.index, dtype="str").str.strip()
        mapped = texts.map(table).to_numpy(dtype=object, na_value=None)
        hit = np.array([v is not None for v in mapped], dtype=bool)
        out = cells.copy()
        out[hit] = mapped[hit]
        return pd.Series(out, index=raw.index, dtype=object)


@dataclass(frozen=True)
class DataMapping:
    """The whole ``mapping.yaml``: a :class:`TableMapping` per table it names."""

    tables: dict[str, TableMapping] = field(default_factory=dict)

    def stem(self, table: str) -> str:
        """The file name (without extension) or sheet name holding ``table``.

        >>> DataMapping({"orders": TableMapping(file="订单")}).stem("orders"), DataMapping().stem("orders")
        ('订单', 'orders')
        """
        tm = self.tables.get(table)
        return tm.file if tm is not None and tm.file else table

    def of(self, table: str) -> TableMapping | None:
        return self.tables.get(table)


def read_mapping(folder: str | Path) -> tuple[DataMapping | None, list[tuple[str, str]], bytes | None]:
    """Read ``mapping.yaml`` of a data folder: (mapping or None when absent, errors as (key, message), bytes)."""
    path = Path(folder) / MAPPING_FILE
    if not path.exists():
        return None, [], None
    if not path.is_file():
        return None, [("", "not a regular file")], None
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [("", f"cannot be read ({exc.strerror or exc})")], None
    if len(data) > MAX_BYTES:
        return None, [("", f"longer than {MAX_BYTES >> 20} MiB; a mapping is a few dozen lines")], data
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [("", "not UTF-8 text; save it as UTF-8")], data
    mapping, errors = parse_mapping(text)
    return mapping, errors, data


def parse_mapping(text: str) -> tuple[DataMapping, list[tuple[str, str]]]:
    """Parse and check the text of a ``mapping.yaml`` against the contract.

    Returns the mapping (of the entries without mistakes) and every mistake as
    ``(key, message)``, the key written as ``table.key``.

    Examples
    --------
    >>> parse_mapping("orders:\\n  amount: {多: 1}\\n")[1]
    [('orders.amount', 'a value map for column amount (float): only category and boolean columns take value maps')]
    >>> parse_mapping("orders: [\\n")[1][0][1].startswith("not valid YAML")
    True
    """
    try:
        doc = yaml.load(text, Loader=_StrictLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return DataMapping(), [("", f"not valid YAML{where}: {what}")]
    if doc is None:
        return DataMapping(), []
    if not isinstance(doc, Mapping):
        return DataMapping(), [("", "the top level must map table names to their entries (e.g. 'orders:')")]
    errors: list[tuple[str, str]] = []
    tables: dict[str, TableMapping] = {}
    files: dict[str, str] = {}
    for key, entry in doc.items():
        name = str(key)
        if name not in TABLES:
            hint = difflib.get_close_matches(name, list(TABLES), n=1)
            errors.append((name, "not a table of the contract" + (f"; did you mean {hint[0]!r}?" if hint else "")))
            continue
        if entry is None:
            entry = {}
        if not isinstance(entry, Mapping):
            errors.append((name, "must map the table's columns (company name: contract name)"))
            continue
        tm, mistakes = _table_mapping(TABLES[name], entry)
        errors += mistakes
        if tm.file is not None:
            if tm.file in files:
                errors.append((f"{name}.{FILE_KEY}", f"{tm.file!r} is also the file of table {files[tm.file]}"))
            elif tm.file in TABLES and tm.file != name:
                errors.append((f"{name}.{FILE_KEY}", f"{tm.file!r} is the name of another table of the contract"))
            files[tm.file] = name
        tables[name] = tm
    return DataMapping(tables), errors


class _StrictLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _table_mapping(table: Table, entry: Mapping[Any, Any]) -> tuple[TableMapping, list[tuple[str, str]]]:
    errors: list[tuple[str, str]] = []
    file: str | None = None
    columns: dict[str, str] = {}
    value_maps: dict[str, Any] = {}
    names = table.column_names
    for key, value in entry.items():
        source, where = _text(key), f"{table.name}.{_text(key)}"
        if source == FILE_KEY:
            if not isinstance(value, str) or not value.strip():
                errors.append((where, "the file or sheet name must be text"))
            elif any(c in value for c in "/\\") or Path(value).suffix.lower() in (".csv", ".parquet", ".xlsx"):
                errors.append((where, f"{value!r}: give the name without folder or extension (e.g. 订单)"))
            else:
                file = value.strip()
        elif isinstance(value, Mapping):
            value_maps[source] = value
        elif isinstance(value, str):
            target = value.strip()
            if target not in names:
                hint = difflib.get_close_matches(target, names, n=1)
                rule = f"maps to {target}, which table {table.name} does not have"
                errors.append((where, rule + (f"; did you mean {hint[0]!r}?" if hint else "")))
                continue
            if target in columns.values():
                first = next(s for s, t in columns.items() if t == target)
                errors.append((where, f"maps to {target}, as {first} does: one contract column per company column"))
                continue
            columns[source] = target
        else:
            errors.append(
                (where, "must be a contract column name (text) or a value map (company value: contract value)")
            )
    values: dict[str, dict[str, str]] = {}
    for source, vmap in value_maps.items():
        where = f"{table.name}.{source}"
        target = columns.get(source, source)
        if target not in names:
            hint = difflib.get_close_matches(target, names, n=1)
            rule = f"a value map for {target}, which table {table.name} does not have"
            errors.append((where, rule + (f"; did you mean {hint[0]!r}?" if hint else "")))
            continue
        col = table.column(target)
        if col.kind not in _VALUE_KINDS:
            rule = f"a value map for column {target} ({col.kind}): only category and boolean columns take value maps"
            errors.append((where, rule))
            continue
        out: dict[str, str] = {}
        for company, contract in vmap.items():
            key = f"{where}.{_text(company)}"
            if col.kind == "bool":
                word = _BOOL_TARGETS.get(contract if isinstance(contract, bool) else str(contract).strip().lower())
                if word is None:
                    errors.append(
                        (key, f"maps to {contract!r}: values of boolean column {target} map to true or false")
                    )
                    continue
                out[_text(company)] = word
                continue
            if isinstance(contract, (Mapping, list)) or contract is None:
                errors.append((key, "must map to one value (text)"))
                continue
            value = _text(contract)
            if col.isin is not None and value not in col.isin:
                allowed = ", ".join(col.isin)
                errors.append((key, f"maps to {value!r}, not an allowed value of {table.name}.{target} ({allowed})"))
                continue
            out[_text(company)] = value
        values[target] = out
    return TableMapping(file, columns, values), errors


def _text(value: Any) -> str:
    """A YAML key or value as the text it stands for (YAML reads ``true`` and ``12`` as non-text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()
