"""`litrt auth-sig` and `litrt session-sigs`: sign in once, then pass the file to other commands.

Both print JSON (the artefact itself). The SIWE names the network's chain (from --state-dir's
network.json when there is one, else the embedded dev chain's) and grants only the --resource
capabilities given, or every ability on every resource when none is.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .common import add_state_dir, fail, require_network

if TYPE_CHECKING:
    from .common import Subparsers

__all__ = ["register", "network_chain_id"]

_DEV_CHAIN_ID = 31337


# The heavier imports happen inside the handlers, so that `litrt --help` does not pay for them.


def _resources(specs: list[str] | None) -> list[tuple[str, str]]:
    """Each URI:ABILITY (Lit's ability names or the ReCap's) as a ReCap (ability, resource) pair."""
    from runtime.auth.session import ResourceAbilityRequest

    pairs = []
    for spec in specs or []:
        uri, sep, ability = spec.rpartition(":")
        if not sep or "://" not in uri:
            raise ValueError(f"--resource {spec!r}: expected URI:ABILITY, e.g. lit-pkp://*:pkp-signing")
        request = ResourceAbilityRequest.parse(uri, ability)
        pairs.append((request.recap_ability, request.key))
    return pairs


def network_chain_id(state_dir: Path) -> int:
    """The chain id in `state_dir`'s network.json, else the embedded dev chain's."""
    try:
        return int(json.loads((Path(state_dir) / "network.json").read_text())["chain_id"])
    except (OSError, ValueError, KeyError, TypeError):
        return _DEV_CHAIN_ID


def _auth_sig(args: argparse.Namespace) -> int:
    from runtime.cli.access_cmd import _load_key
    from runtime.client.auth import ALL_ABILITIES, create_auth_sig

    try:
        key, resources = _load_key(args.key), _resources(args.resource)
        auth_sig = create_auth_sig(
            key, resources or ALL_ABILITIES,
            chain_id=network_chain_id(args.state_dir), expires_in=timedelta(seconds=args.expires_in),
        )
    except ValueError as exc:
        return fail(args, str(exc), 2)
    print(json.dumps(auth_sig, indent=2))
    return 0


def _session_sigs(args: argparse.Namespace) -> int:
    from runtime.cli.access_cmd import _load_key
    from runtime.client.session import get_session_sigs
    from runtime.network.launcher import load_network

    try:
        key, resources = _load_key(args.key), _resources(args.resource)
        require_network(args.state_dir)
        network = load_network(args.state_dir)
        pairs = [(uri, ability) for ability, uri in resources] or [("lit-pkp://*", "pkp-signing"), ("lit-litaction://*", "lit-action-execution")]
        sigs = get_session_sigs(network, key, pairs, timedelta(seconds=args.expires_in), chain_id=network.chain_id)
    except (ValueError, FileNotFoundError) as exc:
        return fail(args, str(exc), 2)
    print(json.dumps(sigs, indent=2))
    return 0


def register(subparsers: Subparsers) -> None:
    for name, handler, help_text in (
        ("auth-sig", _auth_sig, "print an authSig (SIWE with ReCap) signed by --key's file"),
        ("session-sigs", _session_sigs, "print Lit session signatures (one per node of the network) for --key's file"),
    ):
        p = subparsers.add_parser(name, help=help_text)
        add_state_dir(p)
        p.add_argument("--key", required=True, metavar="KEYFILE", help="file holding a hex private key ('-' for stdin)")
        p.add_argument(
            "--resource", action="append", metavar="URI:ABILITY",
            help="a capability to grant, e.g. lit-pkp://*:pkp-signing (repeatable; default: every ability on *)",
        )
        p.add_argument("--expires-in", type=int, default=24 * 3600, metavar="S", help="lifetime in seconds (default 24 h, at most 7 days)")
        p.add_argument("--json", action="store_true", help="(the output is always JSON)")
        p.set_defaults(handler=handler)
