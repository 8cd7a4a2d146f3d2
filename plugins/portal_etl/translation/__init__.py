"""English versions of integrated articles, so the portal serves English readers too: link the
newspaper's own translations to their Vietnamese originals, machine-translate the rest, keep
both with their provenance (a reader and an editor can tell which is which).

* :mod:`.linking`  — evidence and confidence of an English item being a translation of a Vietnamese one;
* :mod:`.backends` — the translator interface: LibreTranslate-compatible HTTP API, Argos Translate;
* :mod:`.segments` — cutting bodies on paragraph boundaries and putting them back together;
* :mod:`.run`      — the step the ``integrate_articles`` DAG runs after the load.
"""
