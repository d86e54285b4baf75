"""`litrt upload|execute|pkp ...|demo`: the client side, against a local network."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import (
    Handler, NoNetwork, add_json, add_state_dir, emit, fail, load_json_object, load_params, node_problems, require_network,
)

if TYPE_CHECKING:
    from typing import TypeAlias

    from runtime.client import ExecuteResult, LitClient

    from .common import Subparsers

    # What a command does with a connected client: its JSON result and the human-readable text.
    Work: TypeAlias = Callable[[LitClient], Awaitable[tuple[dict[str, Any], str]]]

__all__ = ["register"]

_EXAMPLES = Path(__file__).resolve().parents[2] / "actions_examples"


def _key(args: argparse.Namespace) -> str:
    """--key, or dev account 1's key (funded on the embedded chain and on ganache)."""
    from runtime.client import dev_key

    return args.key or dev_key()


def _token_id(text: str) -> int:
    """argparse type for TOKEN: a PKP token id, decimal or 0x-hex, as `litrt pkp mint` prints it."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a PKP token id (decimal or 0x-hex): {text!r}") from None


def _run(args: argparse.Namespace, work: Work) -> int:
    try:
        require_network(args.state_dir)
    except NoNetwork as exc:
        return fail(args, str(exc))
    from runtime.client import LitClient, LitError

    async def go() -> tuple[dict[str, Any], str]:
        async with await LitClient.connect(args.state_dir) as client:
            return await work(client)

    try:
        import asyncio
        data, human = asyncio.run(go())
    except (LitError, FileNotFoundError, ValueError) as exc:
        return fail(args, str(exc))
    emit(args, data, human)
    return 0 if data.get("success", True) else 1


def _signatures_text(signatures: dict[str, Any]) -> str:
    lines = []
    for name, s in signatures.items():
        if "address" in s:  # K256 ECDSA: the Ethereum address it recovers to
            lines.append(f"  signature {name}: {s['signature']}\n    recovers to {s['address']} (PKP {s['publicKey'][:20]}...)")
        else:  # Schnorr/EdDSA (FROST) or P-256: nothing recovers, the key is shown instead
            lines.append(f"  signature {name} ({s.get('signingScheme')}): {s['signature']}\n    public key {s['publicKey']}\n"
                         f"    signed {s['dataSigned']}")
    return "\n".join(lines)


def _result_text(result: ExecuteResult) -> str:
    parts = [f"ipfsId: {result.ipfs_id}", f"response: {json.dumps(result.response)}"]
    if result.logs:
        parts.append("logs:\n" + "\n".join("  " + line for line in result.logs.rstrip("\n").split("\n")))
    if result.signatures:
        parts.append(_signatures_text(result.signatures))
    return "\n".join(parts + node_problems(result.errors))


def _upload(args: argparse.Namespace) -> int:
    async def work(client: LitClient) -> tuple[dict[str, Any], str]:
        cid = await client.upload_action(Path(args.file))
        return {"ipfsId": cid}, cid

    return _run(args, work)


def _execute(args: argparse.Namespace) -> int:
    try:
        params = load_params(args.params)
    except (ValueError, OSError) as exc:
        return fail(args, str(exc), 2)

    try:
        auth_sig, session_sigs = load_json_object(args.auth_sig, "--auth-sig"), load_json_object(args.session_sigs, "--session-sigs")
    except (ValueError, OSError) as exc:
        return fail(args, str(exc), 2)

    async def work(client: LitClient) -> tuple[dict[str, Any], str]:
        from runtime.client import create_auth_sig

        code = Path(args.file).read_text() if args.file else None
        auth = auth_sig
        if auth is None and session_sigs is None:
            auth = create_auth_sig(_key(args), chain_id=client.network.chain_id)
        result = await client.execute_js(code=code, ipfs_id=args.ipfs_id, js_params=params, auth_sig=auth, session_sigs=session_sigs)
        return result.to_json(), _result_text(result)

    return _run(args, work)


def _mint(args: argparse.Namespace) -> int:
    async def work(client: LitClient) -> tuple[dict[str, Any], str]:
        pkp = await client.mint_pkp(_key(args), key_type=args.key_type)
        data = {
            "tokenId": str(pkp.token_id), "publicKey": "0x" + pkp.pubkey.hex(), "owner": pkp.owner,
            "keyId": "0x" + pkp.key_id.hex(), "keyType": pkp.key_type,
        }
        return data, f"minted {pkp.key_type} PKP {pkp.token_id}\n  public key 0x{pkp.pubkey.hex()}\n  owner {pkp.owner}"

    return _run(args, work)


def _permit(args: argparse.Namespace) -> int:
    async def work(client: LitClient) -> tuple[dict[str, Any], str]:
        tx = await client.permit_action(_key(args), args.token, args.cid, [args.scope])
        return {"tokenId": str(args.token), "ipfsId": args.cid, "scopes": [args.scope], "tx": tx}, f"permitted {args.cid} on PKP {args.token} (scope {args.scope})"

    return _run(args, work)


def _list(args: argparse.Namespace) -> int:
    from eth_account import Account

    owner = args.owner or Account.from_key(_key(args)).address

    async def work(client: LitClient) -> tuple[dict[str, Any], str]:
        pkps = await client.list_pkps(owner)
        return {"owner": owner, "pkps": pkps}, "\n".join(f"{p['tokenId']}  {p['publicKey']}" for p in pkps) or "no PKPs"

    return _run(args, work)


def _sign(args: argparse.Namespace) -> int:
    try:
        to_sign = bytes.fromhex(args.hex32.removeprefix("0x"))
    except ValueError:
        return fail(args, "HEX (the bytes to sign) is not hex", 2)

    try:
        auth_sig, session_sigs = load_json_object(args.auth_sig, "--auth-sig"), load_json_object(args.session_sigs, "--session-sigs")
    except (ValueError, OSError) as exc:
        return fail(args, str(exc), 2)

    async def work(client: LitClient) -> tuple[dict[str, Any], str]:
        async with client.registry() as registry:
            pubkey = "0x" + (await registry.get_pubkey(args.token)).hex()
        from runtime.client import create_auth_sig

        auth = auth_sig
        if auth is None and session_sigs is None:
            auth = create_auth_sig(_key(args), chain_id=client.network.chain_id)
        sig = await client.pkp_sign(pubkey, to_sign, auth, session_sigs=session_sigs, signing_scheme=args.scheme)
        sig.setdefault("signingScheme", args.scheme)
        if args.scheme == "EcdsaK256Sha256":
            return sig, _signatures_text({"sig": sig})
        return sig, (f"  {args.scheme} signature: {sig['signature']}\n    public key {sig['publicKey']}\n"
                     f"    signed {sig['dataSigned']}")

    return _run(args, work)


async def demo(state_dir: Path | None = None, nodes: int = 4, say: Callable[[str], None] = print) -> dict[str, Any]:
    """Start a network, upload the example, mint and permit a PKP, execute, verify the signature."""
    from eth_account import Account

    from runtime.client import LitClient, create_auth_sig, dev_key
    from runtime.crypto.hd import eth_address
    from runtime.network.launcher import start_network, stop_network

    owned = state_dir is None
    root = Path(tempfile.mkdtemp(prefix="litrt-demo-")) if state_dir is None else state_dir
    key = dev_key()
    try:
        await start_network(root, nodes, progress=lambda m: say(f"  {m}"))
        async with await LitClient.connect(root) as client:
            code = (_EXAMPLES / "sign_message.js").read_text()
            cid = await client.upload_action(code)
            say(f"uploaded actions_examples/sign_message.js as {cid}")
            pkp = await client.mint_pkp(key)
            say(f"minted PKP {pkp.token_id}\n  public key 0x{pkp.pubkey.hex()}")
            await client.permit_action(key, pkp.token_id, cid)
            say(f"permitted {cid} to sign with it")
            result = await client.execute_js(
                ipfs_id=cid,
                js_params={"publicKey": "0x" + pkp.pubkey.hex(), "message": "hello from litrt"},
                auth_sig=create_auth_sig(key, chain_id=client.network.chain_id),  # the dev key signs in
            )
            sig = result.signatures["sig1"]
            recovered = Account._recover_hash(bytes.fromhex(sig["dataSigned"][2:]), signature=bytes.fromhex(sig["signature"][2:]))
            expected = eth_address(pkp.pubkey)
            say(f"response: {json.dumps(result.response)}\nlogs: {result.logs.strip()}")
            say(f"signature: {sig['signature']}\nrecovered by eth_account: {recovered}\nPKP address:              {expected}")
            return {"ok": recovered == expected, "ipfsId": cid, "recovered": recovered, "pkpAddress": expected, "signature": sig}
    finally:
        if owned:
            stop_network(root)


def _demo(args: argparse.Namespace) -> int:
    from runtime.client import LitError

    say: Callable[[str], None] = (lambda m: print(m, file=sys.stderr)) if args.json else print
    try:
        import asyncio
        result = asyncio.run(demo(args.state_dir, args.nodes, say))
    except (LitError, RuntimeError, TimeoutError, FileExistsError) as exc:
        return fail(args, str(exc))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("OK: the threshold signature recovers to the PKP's address" if result["ok"] else "FAILED: address mismatch")
    return 0 if result["ok"] else 1


def _add_auth_options(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--auth-sig", metavar="JSON", help="an authSig (inline or @file.json, e.g. from `litrt auth-sig`) instead of --key's")
    who.add_argument("--session-sigs", metavar="JSON", help="session signatures (inline or @file.json, from `litrt session-sigs`)")


def register(subparsers: Subparsers) -> None:
    def client_parser(name: str, help: str, handler: Handler, into: Subparsers = subparsers) -> argparse.ArgumentParser:
        p = into.add_parser(name, help=help)
        add_state_dir(p)
        add_json(p)
        p.add_argument("--key", help="owner's private key (default: dev account 1 of the dev mnemonic, runtime.client.dev_key())")
        p.set_defaults(handler=handler)
        return p

    up = client_parser("upload", "upload an action to the network's IPFS; prints its CID", _upload)
    up.add_argument("file")
    ex = client_parser("execute", "execute an action on every node and combine the signatures", _execute)
    src = ex.add_mutually_exclusive_group(required=True)
    src.add_argument("--ipfs-id")
    src.add_argument("--file")
    ex.add_argument("--params", help="jsParams as JSON or @file.json")
    _add_auth_options(ex)

    pkp = subparsers.add_parser("pkp", help="mint, permit, list and sign with PKPs")
    pkp_sub = pkp.add_subparsers(dest="pkp_command", metavar="COMMAND", required=True)
    mint = client_parser("mint", "mint a PKP owned by --key", _mint, pkp_sub)
    mint.add_argument("--key-type", choices=("k256", "ed25519", "p256"), default="k256",
                      help="k256 (ECDSA, K256 Schnorr; the default), ed25519 (SchnorrEd25519Sha512, e.g. Solana) "
                      "or p256 (EcdsaP256Sha256)")
    pa = client_parser("permit-action", "permit an action CID to sign with a PKP", _permit, pkp_sub)
    pa.add_argument("token", type=_token_id)
    pa.add_argument("cid")
    pa.add_argument("--scope", type=int, choices=(1, 2), default=1, help="1 sign anything, 2 personal sign")
    ls = client_parser("list", "list PKPs owned by --owner (default: --key's address)", _list, pkp_sub)
    ls.add_argument("--owner")
    sg = client_parser("sign", "sign with a PKP (32 bytes for ECDSA, any bytes for Schnorr), authorised by --key's authSig", _sign, pkp_sub)
    sg.add_argument("token", type=_token_id)
    sg.add_argument("hex32", metavar="HEX", help="the bytes to sign, hex (a 32-byte digest for EcdsaK256Sha256)")
    from runtime.crypto.scheme_names import PKP_SCHEMES  # plain data: --help stays fast

    sg.add_argument("--scheme", default="EcdsaK256Sha256", choices=PKP_SCHEMES,
                    help="Lit's signing scheme name (default EcdsaK256Sha256)")
    _add_auth_options(sg)

    demo_p = subparsers.add_parser("demo", help="start a 4-node network, sign with a PKP from an action, verify")
    demo_p.add_argument("--state-dir", type=Path, default=None, help="keep the network here (default: a temporary one, stopped afterwards)")
    demo_p.add_argument("--nodes", type=int, default=4)
    add_json(demo_p)
    demo_p.set_defaults(handler=_demo)
