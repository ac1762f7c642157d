"""stations: two-letter words and near misses through indexes on PostgreSQL

Text search on PostgreSQL gains two helpers of the ``pg_trgm`` index of migration 0013:

- ``station_bigrams(text)``, an immutable function listing the two-letter pieces of a text, and
  a GIN index of ``station_bigrams(search_text)``: most Chinese place words have two letters,
  which a trigram index cannot look up (they were found by reading the table in id order);
- ``station_trigrams``, every three-letter piece some station's search text holds: the
  search reads which letters stations hold
  between two letters of the words (a city written before a street, "泉州" + "文化路", is
  found in "鄞州区文化路" by the piece "州区文"), as SQLite reads the FTS5 vocabulary. Pieces
  are only ever added: one no station holds any more costs a query, never a wrong answer. A
  row trigger keeps it on every insert and edit; the station import switches it off for its
  transaction and adds a whole file's pieces in one statement instead.

SQLite needs neither (its FTS5 table and vocabulary answer both): nothing changes there.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

BIGRAMS = """
CREATE OR REPLACE FUNCTION station_bigrams(words text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(words, i, 2)), '{}')
    FROM generate_series(1, length(words) - 1) AS i
    WHERE position(' ' IN substr(words, i, 2)) = 0
$$
"""

ADD_TRIGRAMS = """
CREATE OR REPLACE FUNCTION station_trigrams_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO station_trigrams (term)
    SELECT DISTINCT substr(NEW.search_text, i, 3)
    FROM generate_series(1, length(NEW.search_text) - 2) AS i
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$
"""
#: The station import adds the pieces of a whole file in one statement and switches the
#: per-row triggers off for its transaction with this setting (a trigger per row would double
#: the import's time).
BY_CALLER = "gongyou.station_terms_by_caller"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(BIGRAMS)
    op.execute(
        "CREATE INDEX ix_stations_search_bigrams ON stations"
        " USING gin (station_bigrams(search_text))"
    )
    op.execute("CREATE TABLE station_trigrams (term varchar(3) PRIMARY KEY)")
    op.execute(
        "INSERT INTO station_trigrams (term) SELECT DISTINCT substr(s.search_text, i, 3)"
        " FROM stations AS s, generate_series(1, length(s.search_text) - 2) AS i"
    )
    op.execute(ADD_TRIGRAMS)
    for event in ("INSERT", "UPDATE OF search_text"):
        name = event.split()[0].lower()
        op.execute(
            f"CREATE TRIGGER stations_trigrams_{name} AFTER {event} ON stations FOR EACH ROW"
            f" WHEN (current_setting('{BY_CALLER}', true) IS DISTINCT FROM 'on')"
            " EXECUTE FUNCTION station_trigrams_add()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for event in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS stations_trigrams_{event} ON stations")
    op.execute("DROP FUNCTION IF EXISTS station_trigrams_add()")
    op.execute("DROP TABLE IF EXISTS station_trigrams")
    op.execute("DROP INDEX IF EXISTS ix_stations_search_bigrams")
    op.execute("DROP FUNCTION IF EXISTS station_bigrams(text)")
