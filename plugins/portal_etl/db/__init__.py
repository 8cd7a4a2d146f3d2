"""PostgreSQL access: connections and the numbered-migration runner."""

from portal_etl.db.connection import connect, transaction
from portal_etl.db.migrate import migrate

__all__ = ["connect", "migrate", "transaction"]
