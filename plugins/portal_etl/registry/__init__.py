"""The source registry: channels declared as data and validated when loaded."""

from portal_etl.registry.loader import RegistryError, load_registry, load_usable_registry, registry_path
from portal_etl.registry.schema import Registry, Section, Source

__all__ = ["Registry", "RegistryError", "Section", "Source", "load_registry", "load_usable_registry", "registry_path"]
