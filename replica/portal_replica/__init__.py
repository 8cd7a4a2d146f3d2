"""Offline replica of the three Đồng Nai channels: a deterministic generator of their pages and
a local HTTP server, so the pipeline and its tests run with no internet
(docs/replica-contract.md).

A package beside the product, not inside it: it holds the ground truth (the manifest) that the
pipeline must never read, so ``portal_etl`` never imports it (tests/test_replica_boundary.py).
The replica reads the product's registry (the sections it renders) and nothing private.

- ``generator``: ``ScenarioParams``, ``generate(params, out_dir)`` (and ``plan`` in memory);
  ``scenario`` (the data), ``planner`` (the draws) and ``truth`` (derived fields, primaries)
  are its parts; ``render_bdn`` / ``render_nukeviet`` / ``english`` / ``themes`` the pages;
- ``manifest``: ``load_manifest(out_dir)`` and truth helpers for tests and benchmarks;
- ``server``: ``ReplicaServer(site_dir, host, base_port)`` and ``serve_forever``;
- ``cli``: the ``portal-replica`` command (``generate``, ``serve``).
"""
