"""``portal-replica``: generate and serve the offline replica of the source sites.

A command of its own, beside ``portal-etl``, because the replica holds the ground truth the
pipeline must never read: the product package does not import this one.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import date
from pathlib import Path

from portal_etl.cli import in_plain_words
from portal_replica.themes import DEFAULT_REDESIGN_MONTH, DEFAULT_REDESIGN_THEME, THEME_CHOICES


def _cmd_generate(args: argparse.Namespace) -> int:
    from portal_replica.generator import ScenarioParams, generate

    params = ScenarioParams(
        seed=args.seed,
        start=date.fromisoformat(args.start),
        end=date.fromisoformat(args.end),
        window_start=date.fromisoformat(args.window_start),
        target_end=date.fromisoformat(args.target_end),
        target_integrated=args.target,
        party_live=date.fromisoformat(args.party_live),
        scale=args.scale,
        english=getattr(args, "english", True),
        theme=args.theme,
        redesign_month=args.redesign_month,
        redesign_theme=args.redesign_theme,
        edits=getattr(args, "edits", "default"),
    )
    expected = generate(params, Path(args.out))
    print(json.dumps(expected, ensure_ascii=False, indent=2))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from portal_replica.server import serve_forever

    overrides = Path(args.overrides) if args.overrides else Path(args.dir) / "overrides.yaml"
    serve_forever(Path(args.dir), args.host, args.port, overrides)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The command's parser: ``generate`` and ``serve``, each with ``--help``."""
    parser = argparse.ArgumentParser(prog="portal-replica", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("generate", help="generate a deterministic scenario and its ground truth")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--seed", type=int, default=20240528)
    p.add_argument("--start", default="2023-03-01", help="first local day with items")
    p.add_argument("--end", default="2024-06-30", help="last local day with items")
    p.add_argument("--window-start", default="2023-03-29", help="national portal integration start")
    p.add_argument("--target-end", default="2024-04-30", help="last day counted in --target")
    p.add_argument("--target", type=int, default=2555, help="integrated stories up to --target-end")
    p.add_argument("--party-live", default="2023-10-09", help="Party portal launch day")
    p.add_argument("--scale", type=float, default=1.0, help="volume multiplier")
    p.add_argument(
        "--english",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Báo Đồng Nai's English section with known translation pairs; on by default, --no-english leaves it empty",
    )
    p.add_argument(
        "--theme",
        default="default",
        choices=THEME_CHOICES,
        help="markup of the pages (the content and manifest do not change): 'default' the "
        "contract's layouts; 'restyled' every class/id renamed, deeper nesting, no semantic "
        "tags, number-only pager; 'bare' no JSON-LD/microdata, OpenGraph on odd ids only, "
        "ads/related/share/comments inside the article, rel=next-only or no pager; "
        "'redesign' default before --redesign-month, --redesign-theme from it on",
    )
    p.add_argument(
        "--redesign-month",
        default=DEFAULT_REDESIGN_MONTH,
        metavar="YYYY-MM",
        help="with --theme redesign: first month whose article pages use --redesign-theme "
        f"(list pages use the theme of the last month; default {DEFAULT_REDESIGN_MONTH})",
    )
    p.add_argument(
        "--redesign-theme",
        default=DEFAULT_REDESIGN_THEME,
        choices=("restyled", "bare"),
        help=f"with --theme redesign: the theme after the switch (default {DEFAULT_REDESIGN_THEME})",
    )
    p.add_argument(
        "--edits",
        default="default",
        choices=("default", "heavy"),
        help="republication edits: 'default' the contract's scenario; 'heavy' adds copies edited "
        "the ways real desks edit (reworded headline, rewritten lead, paragraphs dropped or "
        "reordered, merged articles, captions, bylines, notes, numbers) and look-alike families "
        "(manifest: dedup_truth)",
    )
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("serve", help="serve a generated replica on 127.0.0.1 (one port per channel)")
    p.add_argument("--dir", required=True, help="folder written by 'portal-replica generate'")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8701, help="first port (one per channel)")
    p.add_argument("--overrides", help="where to write the registry overrides (default DIR/overrides.yaml)")
    p.set_defaults(func=_cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; an error is one readable line unless ``-v`` asks for the traceback."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except Exception as exc:  # noqa: BLE001 - one readable line, not a traceback
        if args.verbose:
            raise
        print(f"portal-replica: {in_plain_words(exc)} (-v shows the details)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
