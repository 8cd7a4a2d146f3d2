"""Read the registry YAML, apply defaults and an overrides file, validate entry by entry.

Each entry is validated alone so an error names the entry and the field, and so a DAG file can
skip one broken entry (lenient mode) while the others keep running.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from portal_etl import settings
from portal_etl.registry.schema import Registry, Source

ENV_REGISTRY = settings.SOURCES_ENV
ENV_OVERRIDES = settings.SOURCES_OVERRIDES_ENV  # the replica generator clears it while it loads
log = logging.getLogger("portal_etl.registry")


class RegistryError(ValueError):
    """The registry (or one of its entries) is invalid; the message names entry and field."""


@dataclass
class LoadResult:
    registry: Registry
    errors: list[str] = field(default_factory=list)


def registry_path() -> Path:
    return settings.registry_path()


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# libyaml's parser when PyYAML was built with it: the pure-Python one took ~0.3 s CPU for a
# 102-source registry, and every task process reads the registry (DAG file parse, then the task
# itself): with 102 sources that was a third of each small task's CPU. Same safe constructor.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)
    except OSError as exc:
        raise RegistryError(f"cannot read registry file {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: the top level must be a mapping")
    return data


def _format_validation(source_id: str, exc: ValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(entry)"
        problems.append(f"{where}: {err['msg']}")
    return f"source {source_id!r}: " + "; ".join(problems)


def load_registry_result(path: Path | None = None, overrides: Path | None = None) -> LoadResult:
    """Load leniently: valid entries plus a list of error messages for the invalid ones."""
    path = path or registry_path()
    data = _read_yaml(path)
    defaults = data.get("defaults") or {}
    entries = data.get("sources")
    if not isinstance(entries, list):
        raise RegistryError(f"{path}: 'sources' must be a list of entries")

    overrides_path = overrides or settings.overrides_path()
    override_map: dict[str, Any] = {}
    if overrides_path is not None:
        override_map = _read_yaml(overrides_path).get("sources") or {}
        if not isinstance(override_map, dict):
            raise RegistryError(f"{overrides_path}: 'sources' must map source ids to settings")

    sources: list[Source] = []
    errors: list[str] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            errors.append(f"entry #{index + 1}: must be a mapping")
            continue
        source_id = str(entry.get("id", f"#{index + 1}"))
        merged = _deep_merge(defaults, entry)
        if source_id in override_map:
            merged = _deep_merge(merged, override_map[source_id] or {})
        try:
            source = Source.model_validate(merged)
        except ValidationError as exc:
            errors.append(_format_validation(source_id, exc))
            continue
        if source.id in seen:
            errors.append(f"source {source.id!r}: id: duplicate source id")
            continue
        seen.add(source.id)
        sources.append(source)
    declared = {str(e.get("id")) for e in entries if isinstance(e, dict)}
    unknown = sorted(set(override_map) - declared)
    for source_id in unknown:
        errors.append(f"overrides: source {source_id!r} is not in the registry")
    return LoadResult(Registry(sources=sources), errors)


def load_usable_registry(path: Path | None = None, overrides: Path | None = None) -> Registry:
    """The valid entries only, each invalid one logged: what running tasks use, so one broken
    entry stops only its own channel (whose DAG is not even built), never the others."""
    result = load_registry_result(path, overrides)
    for error in result.errors:
        log.error("registry entry skipped: %s", error)
    return result.registry


def load_registry(path: Path | None = None, overrides: Path | None = None) -> Registry:
    """Load strictly: any invalid entry raises RegistryError naming it."""
    result = load_registry_result(path, overrides)
    if result.errors:
        raise RegistryError("invalid source registry:\n  " + "\n  ".join(result.errors))
    return result.registry
