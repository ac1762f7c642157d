"""jobs: the terms table, which postings hold a character, a letter pair or a filter value

``job_search_terms`` holds, per term (a Chinese character or a pair of letters or digits of a
posting's search text, or a filter value such as ``d:金水区``), a bit set of the posting ids
holding it, 16,384 ids a row. A search arriving before the process's in-memory index is ready
reads the few rows of its terms and the few postings they name, instead of reading the table
in order. Every write of a posting's search text or filters adds to it; this migration fills it
from the postings already stored (with the code's own terms, so that they are the same).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_search_terms",
        sa.Column("term", sa.String(length=80), nullable=False),
        sa.Column("block", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("term", "block"),
    )
    from bot.jobs.search import fill_search_terms

    fill_search_terms(op.get_bind())


def downgrade() -> None:
    op.drop_table("job_search_terms")
