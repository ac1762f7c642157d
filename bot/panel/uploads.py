"""Pending uploads of the imports page, kept in the database (``panel_uploads``).

Any replica behind the load balancer can show an upload, follow its check or import and take
its confirmation: nothing about an upload lives in one process's memory except the file while a
check or import runs. The functions are plain synchronous SQLAlchemy Core, run through
``Database.transact``.

- :func:`add_upload` stores a new upload, after forgetting expired ones and the owner's oldest
  beyond :data:`PER_PERSON`.
- :func:`take_for_import` is the confirmation: one conditional UPDATE moves a checked upload to
  ``importing``; of two confirmations arriving together (on one replica or two) exactly one
  finds the row still ``checked`` and gets the file, the other gets None.
- :func:`note_progress` stores how many rows a running check or import has done, as the
  import counts them (in a short transaction of its own, never the import's).
- :func:`finish_run` stores what a check or import came to (and drops the file once it is not
  needed any more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.panel.models import PanelUpload

UPLOADS: Table = PanelUpload.__table__  # type: ignore[attr-defined]

#: A pending upload is forgotten this long after it was made.
KEEP = timedelta(hours=1)
#: Uploads one person may have at a time (each may hold a file of up to the upload limit).
PER_PERSON = 3
#: A check or import still "running" this long after it started was cut off (its replica
#: stopped): it is shown as failed.
STALE_AFTER = timedelta(minutes=30)
RUNNING = ("checking", "importing")

#: Every column but the file: what pages read.
_SHOWN = [column for column in UPLOADS.columns if column.name != "data"]


@dataclass(frozen=True)
class Upload:
    """An upload as a page shows it (without the file's bytes)."""

    token: str
    user_id: int
    kind: str
    filename: str
    size: int
    options: dict[str, Any]
    state: str
    rows: int
    check_seconds: float | None
    result: dict[str, Any]
    created_at: datetime
    started_at: datetime
    expires_at: datetime
    rows_done: int | None = None
    rows_read: int | None = None

    @property
    def running(self) -> bool:
        """True while its check or import runs."""
        return self.state in RUNNING

    def cut_off(self, now: datetime) -> bool:
        """True when it is still running long after it started: its replica stopped."""
        return self.running and self.started_at < now - STALE_AFTER


def _upload(row: Any) -> Upload:
    values = row._mapping
    return Upload(**{column.name: values[column.name] for column in _SHOWN})


def _tidy(conn: Connection, *, now: datetime) -> None:
    """Forget expired uploads; mark runs cut off by a stopped replica as failed."""
    conn.execute(delete(UPLOADS).where(UPLOADS.c.expires_at <= now))
    conn.execute(
        update(UPLOADS)
        .where(UPLOADS.c.state.in_(RUNNING), UPLOADS.c.started_at < now - STALE_AFTER)
        .values(state="failed", data=None, result={})
    )


def add_upload(
    conn: Connection,
    *,
    token: str,
    user_id: int,
    kind: str,
    filename: str,
    options: dict[str, Any],
    data: bytes,
    rows: int,
    now: datetime,
    per_person: int = PER_PERSON,
) -> bool:
    """Store a new upload (state ``checking``), keeping at most ``per_person`` of the owner's:
    the oldest that are not running go first; False (nothing stored) if all of them run."""
    _tidy(conn, now=now)
    mine = conn.execute(
        select(UPLOADS.c.token, UPLOADS.c.state)
        .where(UPLOADS.c.user_id == user_id)
        .order_by(UPLOADS.c.created_at)
    ).all()
    extra = max(0, len(mine) - per_person + 1)
    old = [token for token, state in mine if state not in RUNNING][:extra]
    if len(old) < extra:
        return False
    if old:
        conn.execute(delete(UPLOADS).where(UPLOADS.c.token.in_(old)))
    conn.execute(
        insert(UPLOADS).values(
            token=token,
            user_id=user_id,
            kind=kind,
            filename=filename,
            size=len(data),
            options=options,
            data=data,
            state="checking",
            rows=rows,
            check_seconds=None,
            result={},
            created_at=now,
            started_at=now,
            expires_at=now + KEEP,
        )
    )
    return True


def find_upload(conn: Connection, *, token: str, user_id: int, now: datetime) -> Upload | None:
    """The owner's upload (None if it is someone else's, expired or gone), only read: one cut
    off (see :meth:`Upload.cut_off`) is still shown as running."""
    row = conn.execute(
        select(*_SHOWN).where(
            UPLOADS.c.token == token, UPLOADS.c.user_id == user_id, UPLOADS.c.expires_at > now
        )
    ).first()
    return None if row is None else _upload(row)


def get_upload(conn: Connection, *, token: str, user_id: int, now: datetime) -> Upload | None:
    """The owner's upload (None if it is someone else's, expired or gone); one cut off is
    marked failed first."""
    upload = find_upload(conn, token=token, user_id=user_id, now=now)
    if upload is not None and upload.cut_off(now):
        _tidy(conn, now=now)
        return find_upload(conn, token=token, user_id=user_id, now=now)
    return upload


def list_uploads(conn: Connection, *, user_id: int, now: datetime) -> list[Upload]:
    """The owner's uploads, newest first (expired ones forgotten first)."""
    _tidy(conn, now=now)
    rows = conn.execute(
        select(*_SHOWN)
        .where(UPLOADS.c.user_id == user_id)
        .order_by(UPLOADS.c.created_at.desc(), UPLOADS.c.token)
    ).all()
    return [_upload(row) for row in rows]


def take_for_import(
    conn: Connection, *, token: str, user_id: int, now: datetime
) -> tuple[Upload, bytes] | None:
    """Move a checked upload to ``importing`` and hand out its file, once: None if it is not
    (or no longer) waiting for its confirmation."""
    moved = conn.execute(
        update(UPLOADS)
        .where(
            UPLOADS.c.token == token,
            UPLOADS.c.user_id == user_id,
            UPLOADS.c.state == "checked",
            UPLOADS.c.data.is_not(None),
            UPLOADS.c.expires_at > now,
        )
        .values(
            state="importing",
            rows_done=None,
            rows_read=None,
            started_at=now,
            expires_at=now + KEEP,
        )
    )
    if moved.rowcount != 1:
        return None
    row = conn.execute(select(*_SHOWN, UPLOADS.c.data).where(UPLOADS.c.token == token)).one()
    return _upload(row), bytes(row._mapping["data"])


def note_progress(conn: Connection, *, token: str, done: int, total: int) -> None:
    """Store that a running check or import has done ``done`` of the file's ``total`` rows,
    or, with ``total`` 0, read ``done`` rows of the file so far (safe to run again; nothing
    happens once the run has ended)."""
    values = {"rows_read": done} if total == 0 else {"rows_done": done, "rows": total}
    conn.execute(
        update(UPLOADS)
        .where(UPLOADS.c.token == token, UPLOADS.c.state.in_(RUNNING))
        .values(**values)
    )


def finish_run(
    conn: Connection,
    *,
    token: str,
    state: str,
    result: dict[str, Any],
    rows: int | None = None,
    check_seconds: float | None = None,
) -> None:
    """Store how a check or import ended; the file goes unless the upload waits to be
    imported."""
    values: dict[str, Any] = {"state": state, "result": result}
    if rows is not None:
        values["rows"] = rows
    if check_seconds is not None:
        values["check_seconds"] = check_seconds
    if state != "checked":
        values["data"] = None
    conn.execute(
        update(UPLOADS)
        .where(UPLOADS.c.token == token, UPLOADS.c.state.in_(RUNNING))
        .values(**values)
    )


def drop_upload(conn: Connection, *, token: str, user_id: int) -> bool:
    """Forget an upload that is not running; False if there was none to forget."""
    gone = conn.execute(
        delete(UPLOADS).where(
            UPLOADS.c.token == token,
            UPLOADS.c.user_id == user_id,
            UPLOADS.c.state.not_in(RUNNING),
        )
    )
    return gone.rowcount == 1


def forget_uploads(conn: Connection, *, user_id: int) -> int:
    """Delete every upload of ``user_id`` (on /forget)."""
    return int(conn.execute(delete(UPLOADS).where(UPLOADS.c.user_id == user_id)).rowcount or 0)
