"""Machine translation behind one small interface, with two real backends.

* :class:`LibreTranslate` — any server speaking the LibreTranslate API (``POST /translate`` with
  ``q``, ``source``, ``target``, ``format``; the common self-hosted translation server), configured
  as the Airflow connection ``portal_etl_translate`` (e.g. ``AIRFLOW_CONN_PORTAL_ETL_TRANSLATE``):
  host and port (``schema`` http/https), the API key as password, extras ``model`` (a label kept in
  the provenance), ``char_limit`` (default 2000) and ``timeout`` (seconds, default 60).
* :class:`ArgosTranslate` — Argos Translate in-process, when the ``argostranslate`` package and a
  Vietnamese→English model package are installed (an operator step: docs/design.md, "English
  versions of integrated articles"). Not in the lock: it pulls ctranslate2, torch and CUDA
  wheels, far too heavy for a pipeline that may never use it, so the import is optional.

:func:`configured_translator` picks the connection first, then Argos; with neither it says why,
and the step records "no translator configured" and lets the pipeline go on.
"""

from __future__ import annotations

import json
import logging
from typing import Protocol

import requests

from portal_etl.translation.segments import translate_text_nodes

log = logging.getLogger("portal_etl.translation")

CONN_ID = "portal_etl_translate"
DEFAULT_CHAR_LIMIT = 2000  # LibreTranslate deployments commonly set --char-limit in the low thousands
NOT_CONFIGURED = "no translator configured"


class TranslationError(RuntimeError):
    """The translation backend refused or failed a request."""


class Translator(Protocol):
    """What the pipeline needs of a translation engine."""

    engine: str
    model: str
    char_limit: int

    def translate(self, texts: list[str], source: str, target: str, fmt: str) -> list[str]:
        """``texts`` translated, same order; ``fmt`` is 'html' (keep tags) or 'text'."""
        ...


class LibreTranslate:
    """A LibreTranslate-compatible HTTP API (one request per batch: ``q`` as a list)."""

    engine = "libretranslate"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        model: str = "default",
        char_limit: int = DEFAULT_CHAR_LIMIT,
        timeout: float = 60.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.model = model
        self.char_limit = char_limit
        self.timeout = timeout
        self.session = requests.Session()

    def translate(self, texts: list[str], source: str, target: str, fmt: str) -> list[str]:
        if not texts:
            return []
        body: dict = {"q": texts, "source": source, "target": target, "format": fmt}
        if self.api_key:
            body["api_key"] = self.api_key
        try:
            resp = self.session.post(f"{self.base_url}/translate", json=body, timeout=self.timeout)
        except requests.RequestException as exc:
            raise TranslationError(f"{self.base_url}/translate: {exc}") from exc
        if resp.status_code != 200:
            try:
                detail = resp.json().get("error", resp.text)
            except ValueError:
                detail = resp.text
            raise TranslationError(f"{self.base_url}/translate answered {resp.status_code}: {detail}")
        result = resp.json().get("translatedText")
        if isinstance(result, str):
            result = [result]
        if not isinstance(result, list) or len(result) != len(texts):
            raise TranslationError(f"{self.base_url}/translate: expected {len(texts)} translations")
        return [str(t) for t in result]


class ArgosTranslate:
    """Argos Translate in-process (plain-text engine: HTML is translated text node by text node)."""

    engine = "argos"
    char_limit = DEFAULT_CHAR_LIMIT

    def __init__(self, source: str = "vi", target: str = "en") -> None:
        import argostranslate.package  # optional dependency (see the module docstring)
        import argostranslate.translate

        languages = {lang.code: lang for lang in argostranslate.translate.get_installed_languages()}
        if source not in languages or target not in languages:
            raise TranslationError(f"no Argos model package {source}→{target} installed")
        translation = languages[source].get_translation(languages[target])
        if translation is None:
            raise TranslationError(f"no Argos model package {source}→{target} installed")
        self._translation = translation
        version = next(
            (
                str(p.package_version)
                for p in argostranslate.package.get_installed_packages()
                if p.from_code == source and p.to_code == target
            ),
            "unknown",
        )
        self.model = f"translate-{source}_{target}-{version}"

    def translate(self, texts: list[str], source: str, target: str, fmt: str) -> list[str]:
        if fmt == "html":
            return [translate_text_nodes(t, self._translation.translate) for t in texts]
        return [self._translation.translate(t) for t in texts]


def libretranslate_from_connection(conn_id: str = CONN_ID) -> LibreTranslate | None:
    """The HTTP backend from the Airflow connection, or None when there is none."""
    try:
        from airflow.sdk import Connection

        conn = Connection.get(conn_id)
    except Exception as exc:  # noqa: BLE001 - not found, or no secrets backend reachable
        log.debug("connection %s not available: %s", conn_id, exc)
        return None
    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else json.loads(conn.extra or "{}")
    host = (conn.host or "").strip()
    if not host:
        return None
    if "://" in host:
        base = host
    else:
        scheme = conn.schema if conn.schema in ("http", "https") else "http"
        base = f"{scheme}://{host}" + (f":{conn.port}" if conn.port else "")
    return LibreTranslate(
        base,
        api_key=conn.password or extra.get("api_key"),
        model=str(extra.get("model", "default")),
        char_limit=int(extra.get("char_limit", DEFAULT_CHAR_LIMIT)),
        timeout=float(extra.get("timeout", 60)),
    )


def argos_if_installed(source: str = "vi", target: str = "en") -> ArgosTranslate | None:
    try:
        return ArgosTranslate(source, target)
    except ImportError:
        return None
    except TranslationError as exc:
        log.info("Argos Translate installed but unusable: %s", exc)
        return None


def configured_translator(conn_id: str = CONN_ID) -> tuple[Translator | None, str]:
    """(translator, description) — the HTTP connection first, then Argos; (None, reason) if neither."""
    http = libretranslate_from_connection(conn_id)
    if http is not None:
        return http, f"{http.engine}:{http.model} at {http.base_url}"
    argos = argos_if_installed()
    if argos is not None:
        return argos, f"{argos.engine}:{argos.model}"
    return None, f"{NOT_CONFIGURED} (Airflow connection {conn_id!r} or an Argos vi→en model package)"
