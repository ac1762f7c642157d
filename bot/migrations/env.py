"""Alembic environment: runs on the connection handed over by ``bot.db.Database.upgrade``."""

from alembic import context
from sqlmodel import SQLModel

import bot.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.stations.models import include_in_autogenerate

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `gongyou db upgrade`")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    include_object=include_in_autogenerate,
)
with context.begin_transaction():
    context.run_migrations()
