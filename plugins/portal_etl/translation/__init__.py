"""English versions of integrated articles (issue #8): link the newspaper's own translations to
their Vietnamese originals, machine-translate the rest, keep both with their provenance.

* :mod:`.linking`  — evidence and confidence of an English item being a translation of a Vietnamese one;
* :mod:`.backends` — the translator interface: LibreTranslate-compatible HTTP API, Argos Translate;
* :mod:`.segments` — cutting bodies on paragraph boundaries and putting them back together;
* :mod:`.run`      — the step the ``integrate_articles`` DAG runs after the load.
"""
