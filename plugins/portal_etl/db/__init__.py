"""PostgreSQL access: connections and the numbered-migration runner."""

from portal_etl.db.connection import (
    LOADER_ROLE,
    PIPELINE_ROLE,
    REPORT_READER_ROLE,
    acting_as,
    connect,
    transaction,
)
from portal_etl.db.migrate import migrate

__all__ = [
    "LOADER_ROLE",
    "PIPELINE_ROLE",
    "REPORT_READER_ROLE",
    "acting_as",
    "connect",
    "migrate",
    "transaction",
]
