"""stations: text search through a trigram index

Adds ``stations.search_text`` (name, district and address folded as a worker's words are) and
indexes it by trigrams: on PostgreSQL a GIN index of the ``pg_trgm`` extension (when the
extension cannot be created, e.g. without the privilege, the index is left out and search scans
the table, as before); on SQLite an FTS5 table with the trigram tokenizer, kept in step with the
stations by triggers. A later migration that rebuilds the stations table on SQLite (batch mode)
must create the triggers again.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

FTS_TRIGGERS = (
    """CREATE TRIGGER stations_fts_insert AFTER INSERT ON stations BEGIN
        INSERT INTO stations_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER stations_fts_delete AFTER DELETE ON stations BEGIN
        INSERT INTO stations_fts(stations_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER stations_fts_update AFTER UPDATE OF search_text ON stations BEGIN
        INSERT INTO stations_fts(stations_fts, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
        INSERT INTO stations_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
)


def _fill(conn: sa.Connection) -> None:
    """Compute the search text of every station already stored."""
    from bot.stations.models import search_text_of

    rows = conn.execute(sa.text("SELECT id, name, district, address FROM stations")).all()
    update = sa.text("UPDATE stations SET search_text = :text WHERE id = :id")
    batch = [
        {"id": row.id, "text": search_text_of(row.name, row.district, row.address)} for row in rows
    ]
    for start in range(0, len(batch), 5000):
        conn.execute(update, batch[start : start + 5000])


def _trgm_available(conn: sa.Connection) -> bool:
    """Create pg_trgm if it is missing; False when that is not allowed here."""
    if conn.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
        return True
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as error:
        log.warning(
            "pg_trgm cannot be created (%s): station text search will scan the table",
            str(error.orig).strip().splitlines()[0] if error.orig else error,
        )
        return False
    return True


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column(
        "stations",
        sa.Column("search_text", sa.String(length=256), nullable=False, server_default=""),
    )
    _fill(conn)
    with op.batch_alter_table("stations") as batch:
        batch.alter_column("search_text", server_default=None)
    if conn.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE stations_fts USING fts5("
            "search_text, content='stations', content_rowid='id', tokenize='trigram')"
        )
        op.execute("INSERT INTO stations_fts(stations_fts) VALUES ('rebuild')")
        # how many stations hold each trigram: search reads the rarest of a query's trigrams
        op.execute("CREATE VIRTUAL TABLE stations_fts_terms USING fts5vocab(stations_fts, 'row')")
        for trigger in FTS_TRIGGERS:
            op.execute(trigger)
        # an empty stand-in for the PostgreSQL index, so both databases list the same ones
        op.create_index(
            "ix_stations_search_trgm", "stations", ["search_text"], sqlite_where=sa.text("0")
        )
    elif _trgm_available(conn):
        op.create_index(
            "ix_stations_search_trgm",
            "stations",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    else:
        # without pg_trgm: an empty stand-in, so the schema still lists the index
        op.create_index(
            "ix_stations_search_trgm",
            "stations",
            ["search_text"],
            postgresql_where=sa.text("false"),
        )


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS stations_fts_{name}")
        op.execute("DROP TABLE IF EXISTS stations_fts_terms")
        op.execute("DROP TABLE IF EXISTS stations_fts")
    op.drop_index("ix_stations_search_trgm", table_name="stations")
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("search_text")
