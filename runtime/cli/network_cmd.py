"""`litrt up`, `litrt down`, `litrt status`: a local network of real node processes."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .common import NoNetwork, add_json, add_mock_fetch, add_state_dir, emit, fail, mock_fetch, require_network

if TYPE_CHECKING:
    from runtime.network.launcher import NetworkInfo

    from .common import Subparsers

__all__ = ["register"]


def _progress(args: argparse.Namespace) -> Callable[[str], None]:
    start = time.monotonic()

    def show(message: str) -> None:
        if not getattr(args, "json", False):
            print(f"[{time.monotonic() - start:5.1f}s] {message}", file=sys.stderr, flush=True)

    return show


def _summary(info: NetworkInfo) -> str:
    lines = [f"network of {info.n} nodes, threshold {info.threshold} (t = {info.t}); state in {info.state_dir}"]
    lines += [f"  node {i + 1}: {url}" for i, url in enumerate(info.nodes)]
    lines += [
        f"  chain:  {info.chain_url} (chain id {info.chain_id}), PKP contract {info.pkp_contract}",
        f"  ipfs:   {info.ipfs_url}",
        f"  BLS network key: {info.public['blsPublicKey']}",
        f"  ECDSA root keys: {len(info.public['ecdsaRootKeys'])}, first {info.public['ecdsaRootKeys'][0]}",
    ]
    lines += [f"  fetch mock: {host} -> {source}" for host, source in info.fetch_mocks.items()]
    return "\n".join(lines)


def _up(args: argparse.Namespace) -> int:
    if args.nodes < 1:
        return fail(args, "--nodes must be at least 1", 2)
    if args.nodes < 4 and not args.json:
        print(f"warning: {args.nodes} nodes tolerate no faulty node; 4 is the smallest real network", file=sys.stderr)
    from runtime.network.launcher import start_network, stop_network
    from sandbox.fetch_mocks import MockSpecError

    try:
        mocks = mock_fetch(args)
    except MockSpecError as exc:
        return fail(args, str(exc), 2)
    try:
        import asyncio
        info = asyncio.run(
            start_network(args.state_dir, args.nodes, chain_rpc=args.chain_rpc, fetch_mocks=mocks, progress=_progress(args))
        )
    except (FileExistsError, RuntimeError, TimeoutError, OSError) as exc:
        return fail(args, str(exc))
    emit(args, json.loads(info.to_json()), _summary(info))
    if args.detach:
        return 0
    print("running; Ctrl-C stops the network", file=sys.stderr)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop_network(args.state_dir)
        print("stopped", file=sys.stderr)
    return 0


def _down(args: argparse.Namespace) -> int:
    from runtime.network.launcher import stop_network

    stopped = stop_network(args.state_dir)
    emit(args, {"stopped": stopped}, f"stopped {', '.join(stopped) or 'nothing'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from runtime.network.launcher import load_network

    try:
        require_network(args.state_dir)
    except NoNetwork as exc:
        return fail(args, str(exc))
    info = load_network(args.state_dir)
    import urllib.request

    nodes = []
    for i, url in enumerate(info.nodes, start=1):
        try:
            with urllib.request.urlopen(url + "/status", timeout=3) as resp:
                s = json.load(resp)
            nodes.append({"index": i, "url": url, "up": True, "ready": s["ready"], "presignatures": s["presignatures"]})
        except OSError as exc:
            nodes.append({"index": i, "url": url, "up": False, "error": str(exc)})
    human = _summary(info) + "\n" + "\n".join(
        f"  node {n['index']}: " + (f"up, ready={n['ready']}, presignatures={n['presignatures']}" if n["up"] else f"DOWN ({n['error']})")
        for n in nodes
    )
    emit(args, {**json.loads(info.to_json()), "nodeStatus": nodes}, human)
    return 0 if all(n["up"] for n in nodes) else 1


def register(subparsers: Subparsers) -> None:
    up = subparsers.add_parser("up", help="start a local network (chain, IPFS, N nodes) and run the DKG")
    up.add_argument("--nodes", type=int, default=4)
    up.add_argument("--chain-rpc", help="use this JSON-RPC chain (e.g. ganache) instead of the embedded one")
    up.add_argument("--detach", action="store_true", help="return once the network is ready")
    add_mock_fetch(up)
    add_state_dir(up)
    add_json(up)
    up.set_defaults(handler=_up)
    down = subparsers.add_parser("down", help="stop a detached local network")
    add_state_dir(down)
    add_json(down)
    down.set_defaults(handler=_down)
    status = subparsers.add_parser("status", help="show a local network and its nodes' health")
    add_state_dir(status)
    add_json(status)
    status.set_defaults(handler=_status)
