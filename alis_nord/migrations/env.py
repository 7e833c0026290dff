"""Alembic's environment: migrations run on the connection ``alis_nord.migrations`` hands over."""

from alembic import context

from alis_nord.migrations import VERSION_TABLE
from alis_nord.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
