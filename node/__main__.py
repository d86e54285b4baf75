"""`python -m node keygen|serve`: create a node's identity, or run the node."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from aiohttp import web

from runtime.crypto.identity import PartyKeys

from .config import NodeConfig
from .errors import BadRequest
from .sealed import SealedStore, load_or_create_key
from .service import IDENTITY_RECORD
from .testfaults import ALLOW_TEST_FAULTS_FLAG, armed_fault


def keygen(state_dir: Path, seal_key: Path) -> dict[str, str]:
    """Create (or read) the node's identity; print only its public halves."""
    store = SealedStore(state_dir / "sealed", load_or_create_key(seal_key))
    if not store.exists(IDENTITY_RECORD):
        store.save(IDENTITY_RECORD, PartyKeys.generate().to_bytes().hex())
    return PartyKeys.from_bytes(bytes.fromhex(store.load(IDENTITY_RECORD))).public.to_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m node")
    sub = parser.add_subparsers(dest="command", required=True)
    kg = sub.add_parser("keygen", help="create this node's identity keys and print the public keys")
    kg.add_argument("--state-dir", required=True, type=Path)
    kg.add_argument("--seal-key", required=True, type=Path)
    serve = sub.add_parser("serve", help="run the node")
    serve.add_argument("--config", required=True, type=Path)
    # A flag and not an environment variable: it shows in the process list, and a variable exported
    # once in a shell would reach every node started from it (the launcher passes its environment on).
    serve.add_argument(
        ALLOW_TEST_FAULTS_FLAG, action="store_true",
        help="take the config's test-only \"fault\" (tests only: the node then lies on purpose)",
    )
    args = parser.parse_args(argv)
    if args.command == "keygen":
        print(json.dumps(keygen(args.state_dir, args.seal_key)))
        return 0
    try:
        config = NodeConfig.load(args.config)
        fault = armed_fault(config.fault, args.allow_test_faults)
    except BadRequest as exc:
        print(f"python -m node serve --config {args.config}: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s node{config.index} %(name)s %(levelname)s %(message)s"
    )
    if fault is not None:
        logging.getLogger("node").warning("TEST FAULT ACTIVE: this node runs with %r and lies on purpose", fault)
    from .app import create_app
    from .service import NodeService

    service = NodeService(config, allow_test_faults=args.allow_test_faults)
    web.run_app(create_app(service), host=config.host, port=config.port, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
