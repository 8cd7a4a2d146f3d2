"""Pure normalisation helpers: Vietnamese text, article URLs and HTML sanitisation.

No database, no network: every function here is deterministic and testable alone.
"""

from portal_etl.normalize.sanitize import sanitize_html, text_of_html
from portal_etl.normalize.text import (
    clean_text,
    comparison_key,
    comparison_words,
    fix_eth,
    nfc,
    strip_dateline,
    title_key,
    tone_key,
)
from portal_etl.normalize.urls import (
    TRACKING_PARAMS,
    canonicalize_url,
    legacy_dongnai_gov_id,
    nukeviet_id,
)

__all__ = [
    "TRACKING_PARAMS",
    "canonicalize_url",
    "clean_text",
    "comparison_key",
    "comparison_words",
    "fix_eth",
    "legacy_dongnai_gov_id",
    "nfc",
    "nukeviet_id",
    "sanitize_html",
    "strip_dateline",
    "text_of_html",
    "title_key",
    "tone_key",
]
