"""Offline replica of the three Đồng Nai channels: a deterministic generator of their pages and
a local HTTP server, so the pipeline and its tests run with no internet
(docs/replica-contract.md).

- ``generator``: ``ScenarioParams``, ``generate(params, out_dir)`` (and ``plan`` in memory);
- ``manifest``: ``load_manifest(out_dir)`` and truth helpers for tests and benchmarks;
- ``server``: ``ReplicaServer(site_dir, host, base_port)`` and ``serve_forever``.
"""
