"""What is kept about a person, for the worker's own copy (/mydata).

Each service that keeps personal data declares it as :class:`Export` rows beside its /forget
functions (``Service.exports`` and ``Service.forgetters``); the core declares its own here.
``export_user`` reads every declared table for one person. A test walks the schema: every
column naming a person (``PERSON_COLUMNS``) must be declared or withheld with a reason
(``WITHHELD``), and after /forget no such column names the person any more.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Table, or_, select
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

#: Columns that name the person a row is about, in some table. Columns naming who acted in a
#: union role (reviewed_by, claimed_by, created_by, proposer_id, author_id...) are not: they
#: are the record of a duty, kept with it.
PERSON_COLUMNS = frozenset(
    {"user_id", "owner_id", "reporter_id", "user_key", "a_id", "b_id", "actor_id", "target_id"}
)

#: Person columns deliberately left out of the copy, and why (the rows go on /forget).
WITHHELD = {
    ("match_decisions", "target_id"): "another member's answer about this person",
    ("match_suggestions", "target_id"): "who was shown this person to another member",
    ("match_reports", "target_id"): "reports other members filed (shown, they could identify "
    "the reporter)",
}


@dataclass(frozen=True)
class Export:
    """One table of personal data: the rows whose ``columns`` hold the person's id, or (with
    ``parent``) the rows that belong to such a row of another declared table."""

    #: Catalog key of the section's title in the worker's copy.
    section: str
    table: str
    #: Columns naming the person; a row is theirs when any of them does.
    columns: tuple[str, ...] = ("user_id",)
    #: Columns left out: other people's ids, internal bookkeeping.
    hide: tuple[str, ...] = ()
    #: (this table's column, parent table, the parent's person column): e.g. a case's messages.
    parent: tuple[str, str, str] | None = None


#: What the core keeps about everyone (the services add theirs at start-up).
CORE_EXPORTS: tuple[Export, ...] = (
    Export("mydata-profile", "users", columns=("id",)),
    Export("mydata-flow", "flow_state"),
    Export("mydata-flow", "paused_flows"),
    Export("mydata-inbox", "inbox", columns=("user_key",), hide=("next_attempt_at",)),
    Export("mydata-audit", "audit_log", columns=("actor_id",)),
)
EXPORTS: list[Export] = list(CORE_EXPORTS)


def register(exports: Iterable[Export]) -> None:
    """Add a service's declarations (once each)."""
    for export in exports:
        if export not in EXPORTS:
            EXPORTS.append(export)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _statement(export: Export, user_id: int) -> Any:
    table = _table(export.table)
    shown = [column for column in table.columns if column.name not in export.hide]
    if export.parent is None:
        mine = or_(*(table.c[name] == user_id for name in export.columns))
        return select(*shown).where(mine)
    link, parent_name, person = export.parent
    parent = _table(parent_name)
    owned = select(next(iter(parent.primary_key.columns))).where(parent.c[person] == user_id)
    return select(*shown).where(table.c[link].in_(owned))


async def export_user(
    session: AsyncSession, user_id: int, exports: Sequence[Export] | None = None
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Everything the declared tables keep about ``user_id``: section key -> table -> rows
    (plain JSON values, in primary-key order). Empty tables are left out."""
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    conn = await session.connection()
    for export in EXPORTS if exports is None else exports:
        table = _table(export.table)
        statement = _statement(export, user_id).order_by(*table.primary_key.columns)
        result = await conn.execute(statement)
        rows = [{key: _plain(value) for key, value in row.items()} for row in result.mappings()]
        if rows:
            found.setdefault(export.section, {}).setdefault(export.table, []).extend(rows)
    return found


def as_json(user_id: int, taken_at: datetime, data: dict[str, Any]) -> str:
    """The machine-readable copy."""
    return json.dumps(
        {"user_id": user_id, "exported_at": taken_at.isoformat(), "data": data},
        ensure_ascii=False,
        indent=2,
        sort_keys=True,
    )


def as_text(title: str, sections: Sequence[tuple[str, dict[str, list[dict[str, Any]]]]]) -> str:
    """The readable copy: a title, then each section (its translated title and its rows)."""
    lines = [title, ""]
    for heading, tables in sections:
        lines.append(f"== {heading} ==")
        for rows in tables.values():
            for row in rows:
                for key, value in row.items():
                    if value is None or value == "" or value == [] or value == {}:
                        continue
                    shown = (
                        json.dumps(value, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else str(value)
                    )
                    lines.append(f"  {key}: {shown}")
                lines.append("")
    return "\n".join(lines).rstrip() + "\n"
