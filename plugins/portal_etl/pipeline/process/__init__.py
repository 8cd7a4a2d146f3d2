"""Processing stage: normalise staged items, deduplicate them into stories, decide by policy
(or by a reviewer) and load integrated stories into the integration store.

Callable without Airflow; every entry point takes an optional DSN and registry:

* :func:`process_interval` — all four stages for one interval in one transaction;
* :func:`normalize_items`, :func:`deduplicate`, :func:`apply_policy`, :func:`load_articles` —
  one stage each, in its own transaction (they hand work on through ``process.pending``);
* :func:`check_quality` — messages of failed data-quality checks;
* :mod:`.review` — ``list_queue``, ``show``, ``approve``, ``reject``, ``reopen``.
"""

from portal_etl.pipeline.process import review
from portal_etl.pipeline.process.dedup_stage import deduplicate
from portal_etl.pipeline.process.load import load_articles
from portal_etl.pipeline.process.normalize_stage import normalize_items
from portal_etl.pipeline.process.policy import apply_policy
from portal_etl.pipeline.process.quality import check_quality
from portal_etl.pipeline.process.run import process_interval

__all__ = [
    "apply_policy",
    "check_quality",
    "deduplicate",
    "load_articles",
    "normalize_items",
    "process_interval",
    "review",
]
