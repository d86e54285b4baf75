"""`litrt ipfs ...`: content-address files as Kubo does, and serve the embedded block store.

    litrt ipfs add FILE [--json] [--store DIR] [--cid-version {0,1}]
    litrt ipfs cat CID [--store DIR] [--gateway URL]... [--rpc URL]... [--max-bytes N]
    litrt ipfs serve [--store DIR] [--host 127.0.0.1] [--port 5001]

`add` needs no daemon: without --store it only computes the CID (like `ipfs add --only-hash`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from runtime.ipfs import BlockSource, GatewaySource, KuboRpcSource, RunningServer

    from .common import Subparsers

__all__ = ["register", "DEFAULT_STORE"]

DEFAULT_STORE = Path(os.environ.get("LITRT_HOME", Path.home() / ".litrt")) / "ipfs"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("ipfs", help="IPFS content addressing and the embedded block store")
    commands = parser.add_subparsers(dest="ipfs_command", metavar="SUBCOMMAND")
    parser.set_defaults(handler=lambda args: _usage(parser))

    add = commands.add_parser("add", help="print a file's CID, exactly as `ipfs add` would")
    add.add_argument("file", metavar="FILE", help="the file to add ('-' for standard input)")
    add.add_argument("--json", action="store_true", help='print Kubo\'s {"Name","Hash","Size"} JSON')
    add.add_argument("--store", metavar="DIR", help="also store the blocks in this block store")
    add.add_argument("--cid-version", type=int, choices=(0, 1), default=0, help="0 (default) or 1")
    add.set_defaults(handler=_add)

    cat = commands.add_parser("cat", help="fetch a file by CID, verifying every block")
    cat.add_argument("cid", metavar="CID")
    cat.add_argument("--store", metavar="DIR", help="read from this block store (tried first)")
    cat.add_argument("--gateway", action="append", default=[], metavar="URL", help="trustless gateway")
    cat.add_argument("--rpc", action="append", default=[], metavar="URL", help="Kubo RPC API URL")
    cat.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N")
    cat.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    cat.set_defaults(handler=_cat)

    serve = commands.add_parser("serve", help="serve the block store over Kubo RPC and a gateway")
    serve.add_argument("--store", metavar="DIR", default=str(DEFAULT_STORE), help=f"default {DEFAULT_STORE}")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5001)
    serve.set_defaults(handler=_serve)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(f"litrt ipfs: {message}", file=sys.stderr)
    return 1


def _add(args: argparse.Namespace) -> int:
    from runtime.ipfs import BlockStore, IpfsError, import_chunks
    from runtime.ipfs.importer import iter_chunks

    store = BlockStore(args.store) if args.store else None
    on_block = store.put_block if store else (lambda block: None)
    name = "-" if args.file == "-" else os.path.basename(args.file)
    try:
        if args.file == "-":
            result = import_chunks(iter_chunks(sys.stdin.buffer), on_block, cid_version=args.cid_version)
        else:
            with open(args.file, "rb") as handle:
                result = import_chunks(iter_chunks(handle), on_block, cid_version=args.cid_version)
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    except IpfsError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps({"Name": name if name != "-" else str(result.root), "Hash": str(result.root), "Size": str(result.size)}))
    else:
        print(result.root)
    return 0


def _cat(args: argparse.Namespace) -> int:
    if not (args.store or args.gateway or args.rpc):
        return _fail("cat needs at least one source: --store, --gateway or --rpc")
    from runtime.ipfs import BlockStore, GatewaySource, IpfsError, KuboRpcSource, StoreSource, fetch_verified

    async def fetch() -> bytes:
        remote: list[GatewaySource | KuboRpcSource] = [GatewaySource(url) for url in args.gateway]
        remote += [KuboRpcSource(url) for url in args.rpc]
        local: list[BlockSource] = [StoreSource(BlockStore(args.store))] if args.store else []
        try:
            return await fetch_verified(args.cid, [*local, *remote], args.max_bytes, timeout=args.timeout)
        finally:
            for source in remote:  # each owns an HTTP session
                await source.aclose()

    try:
        import asyncio
        data = asyncio.run(fetch())
    except (IpfsError, ValueError) as exc:
        return _fail(str(exc))
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    return 0


def _serve(args: argparse.Namespace) -> int:
    from runtime.ipfs import BlockStore, run_forever

    store = BlockStore(args.store)

    def ready(server: RunningServer) -> None:
        print(f"IPFS service on {server.url} (ipfshttpclient: {server.multiaddr}), store {store.root}", flush=True)

    try:
        run_forever(store, args.host, args.port, on_ready=ready)
    except OSError as exc:
        return _fail(str(exc))
    return 0
