"""`litrt encrypt|decrypt|jwt`: access-controlled encryption and network-signed JWTs.

Encrypting and checking a token need only the network's BLS public key, read from the state
directory (no node is asked); decrypting and issuing a token ask every node. Input is checked
before any node is asked: malformed conditions, an unreadable key file or a bad envelope exit 2,
naming what was wrong; so does a condition on a chain the network's nodes are not configured with
(checked at encrypt time too, as the nodes check it, so that nothing is encrypted that no one could
open). A refusal (a condition not met), a node or network failure or an invalid token exit 1.
With --json every failure prints `{"success": false, "error": ..., "kind": ...}`, `kind` being
the error's class (NotPermitted, NotEnoughShares, NetworkError, LitError, JwtError,
ConditionError, UsageError, NoNetwork).
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .common import Handler, add_json, add_state_dir, node_problems, require_network

if TYPE_CHECKING:
    from runtime.client import LitClient
    from runtime.client.access import EncryptedData

    from .common import Subparsers

T = TypeVar("T")

__all__ = ["register", "UsageError"]

_HEX_KEY = re.compile(r"(?:0x)?([0-9a-fA-F]{64})")
_DATA_HASH = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")


class UsageError(ValueError):
    """A command-line input that cannot be used (file, key, envelope); exit 2."""


def _fail(args: argparse.Namespace, exc: Exception) -> int:
    """Exit 2 for what the caller gave (UsageError, ConditionError); 1 for the rest: a refusal, a
    network failure, an invalid token (JwtError), no network in the state directory."""
    from runtime.access import ConditionError

    usage = isinstance(exc, (UsageError, ConditionError))
    if args.json:
        print(json.dumps({"success": False, "error": str(exc), "kind": type(exc).__name__}))
    else:
        print(f"error: {exc}", file=sys.stderr)
    return 2 if usage else 1


def _read_input(name: str, what: str) -> bytes:
    """FILE's bytes, or stdin's for `-`."""
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise UsageError(f"{what} {name}: cannot read ({exc.strerror or exc})") from None


def _load_conditions(text: str) -> Any:
    """--conditions as inline JSON or @file.json: a bare list (accessControlConditions) or an
    object with one conditions field; checked here so that a fault is named before any node is asked."""
    source = text[1:] if text.startswith("@") else None
    raw = _read_input(source, "--conditions file").decode("utf-8", "replace") if source else text
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--conditions is not valid JSON: {exc}") from None
    if not isinstance(value, (list, dict)):
        raise UsageError("--conditions must be a JSON array of conditions or an object with one conditions field")
    from runtime.client.access import conditions_field

    conditions_field(value)  # ConditionError names the bad part, e.g. accessControlConditions[0].chain
    return value


def _load_key(path: str) -> str:
    """KEYFILE's hex private key (optionally 0x; white space anywhere is ignored) as 0x-hex."""
    text = "".join(_read_input(path, "--key file").decode("utf-8", "replace").split())
    match = _HEX_KEY.fullmatch(text)
    if not match:
        raise UsageError(f"--key file {path}: expected a 32-byte hex private key (64 hex digits, optionally 0x)")
    return "0x" + match.group(1)


def _auth_sig(path: str, state_dir: Path) -> dict[str, str]:
    """--key file's authSig for the network in `state_dir` (its chain id is in the SIWE)."""
    from runtime.client import create_auth_sig

    from .auth_cmd import network_chain_id

    key = _load_key(path)
    try:
        return create_auth_sig(key, chain_id=network_chain_id(state_dir))
    except ValueError as exc:  # eth_account: zero or beyond the curve order
        raise UsageError(f"--key file {path}: not a valid secp256k1 private key ({exc})") from None


def _load_envelope(path: str) -> EncryptedData:
    """ENVELOPE.json as `litrt encrypt` writes it; UsageError naming the file and the fault."""
    from runtime.client.access import parse_envelope
    from runtime.crypto import ibe
    from runtime.crypto.errors import CryptoError

    try:
        envelope = parse_envelope(_read_input(path, "envelope").decode("utf-8", "replace"))
    except ValueError as exc:
        raise UsageError(f"envelope {path}: {exc}") from None
    if not _DATA_HASH.fullmatch(envelope.data_to_encrypt_hash):
        raise UsageError(f"envelope {path}: dataToEncryptHash is not a hex SHA-256 (64 hex digits)")
    try:
        ibe.Ciphertext.from_bytes(base64.b64decode(envelope.ciphertext, validate=True))
    except (ValueError, CryptoError) as exc:
        raise UsageError(f"envelope {path}: ciphertext is not a base64 BLS ciphertext ({exc})") from None
    return envelope


def _offline_client(args: argparse.Namespace) -> LitClient:
    """A client that knows the network's public keys from the state directory but asks no node."""
    from runtime.client import LitClient
    from runtime.network.launcher import load_network

    require_network(args.state_dir)
    return LitClient(load_network(args.state_dir))


def _network_chains(state_dir: Path) -> list[str] | None:
    """The chain names the network's nodes are configured with (node 1's config.json, as `litrt up`
    writes it); None when there is no such file, and then only the nodes check the chains."""
    try:
        chains = json.loads((Path(state_dir) / "node1" / "config.json").read_text())["chains"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return list(chains) if isinstance(chains, dict) else None


def _online(args: argparse.Namespace, work: Callable[[LitClient], Awaitable[T]]) -> T:
    from runtime.client import LitClient

    require_network(args.state_dir)

    async def go() -> T:
        async with await LitClient.connect(args.state_dir) as client:
            return await work(client)

    import asyncio
    return asyncio.run(go())


def _guard(args: argparse.Namespace, command: Handler) -> int:
    """Run `command(args) -> int`, mapping errors to exit codes and the --json error shape."""
    from runtime.client import LitError

    try:
        return command(args)
    except (LitError, OSError, ValueError) as exc:  # ValueError: UsageError, ConditionError, JwtError
        return _fail(args, exc)


def _encrypt(args: argparse.Namespace) -> int:
    conditions = _load_conditions(args.conditions)
    data = _read_input(args.file, "FILE")
    from runtime.client.access import encrypt

    client = _offline_client(args)
    envelope = encrypt(client.network.public["blsPublicKey"], data, conditions, _network_chains(args.state_dir))
    text = json.dumps(envelope.to_json(), indent=2)
    if not args.out:
        print(text)
        return 0
    try:
        Path(args.out).write_text(text + "\n")
    except OSError as exc:
        raise UsageError(f"--out {args.out}: cannot write ({exc.strerror or exc})") from None
    if args.json:
        print(json.dumps({"out": str(args.out), "dataToEncryptHash": envelope.data_to_encrypt_hash}))
    else:
        print(f"wrote {args.out} ({len(data)} bytes encrypted, dataToEncryptHash {envelope.data_to_encrypt_hash})")
    return 0


def _decrypt(args: argparse.Namespace) -> int:
    conditions = _load_conditions(args.conditions)
    auth_sig = _auth_sig(args.key, args.state_dir)
    envelope = _load_envelope(args.envelope)
    result = _online(args, lambda client: client.decrypt(envelope, conditions, auth_sig))
    for line in node_problems(result.errors):  # decrypted all the same
        print(line, file=sys.stderr)
    if not args.json:
        sys.stdout.buffer.write(result.plaintext)
        sys.stdout.buffer.flush()
        return 0
    try:
        shown = {"plaintext": result.plaintext.decode("utf-8"), "encoding": "utf-8"}
    except UnicodeDecodeError:
        shown = {"plaintext": base64.b64encode(result.plaintext).decode(), "encoding": "base64"}
    print(json.dumps(shown))
    return 0


def _verified(args: argparse.Namespace, token: str, payload: dict[str, Any]) -> int:
    if args.json:
        print(json.dumps({"jwt": token, "payload": payload}, indent=2))
    elif args.verify:
        until = datetime.fromtimestamp(payload["exp"], timezone.utc).isoformat(timespec="seconds")
        print(f"valid: the network says {payload.get('sub')} meets the conditions (chain {payload.get('chain')}), until {until}")
    else:
        print(token)
    return 0


def _jwt(args: argparse.Namespace) -> int:
    if args.verify is not None:
        if args.key or args.chain:
            raise UsageError("--verify checks a token: it takes no --key or --chain")
        token = (sys.stdin.read() if args.verify == "-" else args.verify).strip()
        return _verified(args, token, _offline_client(args).verify_jwt(token))
    if args.key is None:
        raise UsageError("issuing a token needs --key KEYFILE (or give --verify TOKEN to check one)")
    conditions = _load_conditions(args.conditions)
    auth_sig = _auth_sig(args.key, args.state_dir)

    async def work(client: LitClient) -> tuple[str, dict[str, Any]]:
        from runtime.client.access import DEFAULT_JWT_LIFETIME_S

        lifetime = args.lifetime or DEFAULT_JWT_LIFETIME_S
        token = await client.sign_jwt(conditions, auth_sig, chain=args.chain, lifetime_s=lifetime)
        return token, client.verify_jwt(token)

    return _verified(args, *_online(args, work))


def _seconds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of seconds: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1 second")
    return value


def register(subparsers: Subparsers) -> None:
    def access_parser(name: str, help: str, command: Handler) -> argparse.ArgumentParser:
        p = subparsers.add_parser(name, help=help)
        add_state_dir(p)
        add_json(p)
        p.set_defaults(handler=lambda args: _guard(args, command))
        return p

    conditions_help = "access control conditions as JSON or @file.json (a bare list, or an object with one conditions field)"
    enc = access_parser("encrypt", "encrypt FILE to the network under conditions; prints the envelope (no node is asked)", _encrypt)
    enc.add_argument("file", metavar="FILE", help="what to encrypt; - reads stdin")
    enc.add_argument("--conditions", required=True, help=conditions_help)
    enc.add_argument("--out", metavar="ENVELOPE.json", help="write the envelope here instead of printing it")

    dec = access_parser("decrypt", "have the network open an envelope for a key that meets the conditions", _decrypt)
    dec.add_argument("envelope", metavar="ENVELOPE.json", help="as `litrt encrypt` prints it; - reads stdin")
    dec.add_argument("--conditions", required=True, help=conditions_help + "; the ones it was encrypted under")
    dec.add_argument("--key", required=True, metavar="KEYFILE", help="file holding the caller's hex private key (signs the authSig)")

    jwt = access_parser("jwt", "issue a network-signed JWT that --key meets the conditions, or --verify one", _jwt)
    what = jwt.add_mutually_exclusive_group(required=True)
    what.add_argument("--conditions", help=conditions_help + "; issue a token for them")
    what.add_argument("--verify", metavar="TOKEN", help="check TOKEN against the network's key instead (- reads stdin)")
    jwt.add_argument("--key", metavar="KEYFILE", help="file holding the caller's hex private key (signs the authSig)")
    jwt.add_argument("--chain", metavar="NAME", help="the token's chain (default: the first condition's that names one)")
    jwt.add_argument("--lifetime", type=_seconds, metavar="SECONDS",
                     help="how long the token is valid (default 12 hours, as Lit's SDK)")
