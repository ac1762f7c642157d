"""stations: the nearest stations through PostgreSQL's GiST index of points

On PostgreSQL the nearest query asks a GiST index of ``point(lon, lat)`` (built in, no
extension) for the stations closest to the worker, in order, instead of reading the grid cells
round them: ``ix_stations_near`` holds the stations not closed for good, and one index per
amenity few stations offer (``KNN_AMENITIES``) holds those offering it, so that a query for a
rare amenity does not read the many stations without it. The grid's covering index
``ix_stations_cell_cover`` is then not read on PostgreSQL: it becomes an empty stand-in there
(``WHERE false``), so that an import does not keep it up.

SQLite keeps the grid, and gains a covering index of the grid per amenity few stations offer,
read the same way instead of the general one.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

#: As ``bot.stations.models.KNN_AMENITIES`` with their bits in ``stations.amenities`` (copied:
#: a migration does not change with the code).
AMENITY_BITS = {
    "first_aid": 1 << 7,
    "umbrella": 1 << 8,
    "reading": 1 << 9,
}
COVER_COLUMNS = "cell, amenities, status, lat, lon, id"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for name, bit in AMENITY_BITS.items():
            op.execute(
                f"CREATE INDEX ix_stations_near_{name} ON stations ({COVER_COLUMNS})"
                f" WHERE (amenities & {bit}) <> 0"
            )
        return
    op.execute(
        "CREATE INDEX ix_stations_near ON stations USING gist (point(lon, lat))"
        " WHERE status <> 'closed'"
    )
    for name, bit in AMENITY_BITS.items():
        op.execute(
            f"CREATE INDEX ix_stations_near_{name} ON stations USING gist (point(lon, lat))"
            f" WHERE (amenities & {bit}) <> 0 AND status <> 'closed'"
        )
    op.execute("DROP INDEX ix_stations_cell_cover")
    op.execute(f"CREATE INDEX ix_stations_cell_cover ON stations ({COVER_COLUMNS}) WHERE false")


def downgrade() -> None:
    for name in AMENITY_BITS:
        op.execute(f"DROP INDEX IF EXISTS ix_stations_near_{name}")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_stations_near")
    op.execute("DROP INDEX ix_stations_cell_cover")
    op.execute(f"CREATE INDEX ix_stations_cell_cover ON stations ({COVER_COLUMNS})")
