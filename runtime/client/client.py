"""LitClient: connect to a network, upload actions, mint and permit PKPs, execute, sign.

Async first; `runtime.client.sync.SyncLitClient` wraps it for scripts that are not async.
Requests go to every node at once; the client returns as soon as a quorum of good answers settles
the outcome, and tolerates up to t nodes that are down, slow or lying (those it heard from are named
in `errors`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from runtime.crypto.bls import G1
from runtime.crypto.bls_threshold import ThresholdPublicKey
from runtime.crypto.channel import ResponseKey
from runtime.crypto.errors import CryptoError
from runtime.crypto.scheme_names import PKP_SCHEMES
from runtime.crypto.secp256k1 import SECP256K1, Point
from runtime.network.launcher import NetworkInfo

from ._errors_map import chain_call, check_private_key, node_answer, open_network
from .auth import create_auth_sig
from .claims import collect_claims
from .errors import ActionError, InvalidArgument, LitError, NetworkError, NotEnoughShares, NotPermitted, TooBusy
from .quorum import Decide, gather_until_decided
from .transport import HttpClient, multipart_file

# web3 and eth-abi cost most of a CLI call's start-up, and the combiners, HD derivation and session keys
# (runtime.crypto's ECDSA/FROST, the P-256/Ed25519 libraries) tens of milliseconds more: only the methods
# that use them load them, so that `litrt execute` of an action that signs nothing pays for none.
if TYPE_CHECKING:
    from runtime.chain.pkp import MintedPkp, PkpRegistry
    from runtime.crypto.hd import HdCurve

    from .access import DecryptResult, EncryptedData

__all__ = ["LitClient", "ExecuteResult"]


T = TypeVar("T")

ResponseStrategy = str | Callable[[list[Any]], Any]

DEFAULT_SCHEME = "EcdsaK256Sha256"
_ANONYMOUS_LIFETIME = timedelta(hours=1)  # create_auth_sig's default
_REFRESH_BEFORE_EXPIRY_S = 300.0


@dataclass
class ExecuteResult:
    success: bool
    response: Any
    logs: str
    signatures: dict[str, dict[str, Any]]
    errors: dict[int, str] = field(default_factory=dict)  # node index -> what went wrong there
    ipfs_id: str | None = None
    node_logs: dict[int, str] = field(default_factory=dict)
    # Lit.Actions.claimKey results as Lit's SDK returns them: keyId -> {signatures: [{r, s, v}], derivedKeyId}
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Nodes with fetch mocks (development): node index -> the mocked requests of this execution there.
    node_mocked_fetches: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "response": self.response,
            "logs": self.logs,
            "signatures": self.signatures,
            "claims": self.claims,
            "errors": {str(k): v for k, v in self.errors.items()},
            "ipfsId": self.ipfs_id,
        }


def _parse_response(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _check_strategy(strategy: ResponseStrategy) -> None:
    if not callable(strategy) and strategy not in ("mostCommon", "leastCommon"):
        raise InvalidArgument(f"response strategy must be mostCommon, leastCommon or a function, not {strategy!r}")


def _pick(values: list[Any], strategy: ResponseStrategy) -> Any:
    """One value out of the nodes' answers. The named strategies leave out empty answers (None,
    ""), as Lit's SDK does when it settles a field across nodes (`findMostCommonResponse`), so a
    runOnce result given by its leader alone is not outvoted by the others' silence. A function
    sees every answer, as Lit's customFilter does."""
    _check_strategy(strategy)
    if not values:
        return None
    if callable(strategy):
        return strategy(values)
    values = [v for v in values if v is not None and v != ""] or values
    ranked = Counter(json.dumps(v, sort_keys=True) for v in values).most_common()
    return json.loads(ranked[0][0] if strategy == "mostCommon" else ranked[-1][0])


def _mintable_curve(key_type: str) -> HdCurve:
    """The curve of a key type mint_pkp takes."""
    from runtime.crypto.hd import hd_curve

    try:
        return hd_curve(key_type)
    except CryptoError:
        raise InvalidArgument(f"key_type must be k256, ed25519 or p256, got {key_type!r:.40}") from None


def _pkp_key_type(public_key: str) -> str | None:
    """A PKP's key type as its public key's length says (the registry takes 65-byte keys as K256
    alone); None for a key of no PKP length, which the nodes refuse naming it."""
    from runtime.chain.errors import InvalidArgument as BadKey
    from runtime.chain.pkp import key_type_of

    try:
        return key_type_of(public_key)
    except BadKey:
        return None


def _session_sigs(
    auth_sig: dict[str, Any] | None, session_sigs: Mapping[str, Any] | None, required: bool = False
) -> Mapping[str, Any] | None:
    if auth_sig is not None and session_sigs is not None:
        raise InvalidArgument("give auth_sig or session_sigs, not both")
    if required and auth_sig is None and session_sigs is None:
        raise InvalidArgument("this request needs auth_sig or session_sigs (see get_session_sigs)")
    return session_sigs


def _failures(answers: dict[int, Any]) -> dict[int, str]:
    """What went wrong at each node that did not answer successfully, by node index."""
    errors = {i: str(a) for i, a in answers.items() if isinstance(a, Exception)}
    for i, a in answers.items():
        if isinstance(a, dict) and isinstance(a.get("error"), dict):
            errors[i] = f"{a['error'].get('kind')}: {a['error'].get('message')}"
    return errors


def _mocked_fetches(answers: dict[int, Any]) -> dict[int, list[dict[str, Any]]]:
    return {i: a["mockedFetches"] for i, a in answers.items() if isinstance(a, dict) and isinstance(a.get("mockedFetches"), list)}


class LitClient:
    def __init__(
        self, network: NetworkInfo, timeout_s: float = 60.0, straggler_grace_s: float = 0.0, busy_retries: int = 5
    ) -> None:
        """`timeout_s` bounds each node's answer; once a quorum has answered, the others get
        `straggler_grace_s` more (raise it to have late liars named in `errors`). A node too busy
        to take a request (HTTP 429) is asked again up to `busy_retries` times, after 0.1 s, 0.2 s,
        0.4 s, ... (3.1 s in all for the default 5); then its answer is the TooBusy it gave."""
        if busy_retries < 0:
            raise InvalidArgument(f"busy_retries must be 0 or more, got {busy_retries}")
        self.network = network
        self.timeout_s = timeout_s
        self.straggler_grace_s = straggler_grace_s
        self.busy_retries = busy_retries
        self._session: HttpClient | None = None
        self.root_commitments: list[list[Point]] = []
        self.claim_addresses: dict[int, str] = {}  # node -> its claimKey wallet, from /status
        self._ready: set[int] = set()  # nodes that said they were ready at the last refresh
        self._anonymous: tuple[dict[str, str], float] | None = None  # (authSig, expiry), see _anonymous_auth_sig
        self.bls_key: ThresholdPublicKey  # the network's BLS key and every node's share of it, set by refresh

    # ---- connection ----------------------------------------------------------------------------

    @classmethod
    async def connect(
        cls, network: str | Path | NetworkInfo, timeout_s: float = 60.0, straggler_grace_s: float = 0.0,
        busy_retries: int = 5,
    ) -> "LitClient":
        """`network` is a local network's state directory (or its NetworkInfo); see __init__ for the rest."""
        info = network if isinstance(network, NetworkInfo) else open_network(network)
        client = cls(info, timeout_s, straggler_grace_s, busy_retries)
        try:
            await client.refresh()
        except BaseException:
            await client.close()  # the caller never gets the client, so nobody else could close its session
            raise
        return client

    async def refresh(self) -> None:
        """Learn the nodes' view of the network and check that enough of them agree on it."""
        need = self.network.t + 1

        def decide(statuses: dict[int, Any], final: bool) -> Any:
            views = [s["network"] for s in statuses.values() if isinstance(s, dict) and s.get("network")]
            self._ready = {i for i, s in statuses.items() if isinstance(s, dict) and s.get("ready")}
            self.claim_addresses = {
                i: s["claimAddress"] for i, s in statuses.items() if isinstance(s, dict) and isinstance(s.get("claimAddress"), str)
            }
            counts = Counter(json.dumps(v, sort_keys=True) for v in views).most_common(1)
            if counts and counts[0][1] >= need:
                return json.loads(counts[0][0])
            if final:
                failures = "; ".join(f"node {i}: {e}" for i, e in sorted(_failures(statuses).items()))
                raise NetworkError(
                    f"fewer than t+1={need} nodes agree on the network keys ({len(views)} answered)"
                    + (f": {failures}" if failures else "")
                )
            return None

        public = await self._fan_out("GET", "/status", None, decide)
        with node_answer(f"the network view t+1={need} nodes agree on (/status)"):
            self.root_commitments = [
                [SECP256K1.decode_hex(c, "ecdsaCommitments", allow_identity=True) for c in row] for row in public["ecdsaCommitments"]
            ]
            bls_commitments = [G1.decode_hex(c, "blsCommitments", allow_identity=True) for c in public["blsCommitments"]]
            self.bls_key = ThresholdPublicKey.from_commitments(bls_commitments, len(self.network.nodes))
        self.network.public = public

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> "LitClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _http(self) -> HttpClient:
        if self._session is None:
            self._session = HttpClient(self.timeout_s)
        return self._session

    async def _request(self, method: str, url: str, body: Any) -> Any:
        """A node's JSON answer; HttpError (an OSError) or TimeoutError when it cannot be had."""
        payload = None if body is None else json.dumps(body).encode()
        for attempt in range(self.busy_retries + 1):
            resp = await self._http().request(method, url, payload, "application/json")
            status = resp.status
            with node_answer(f"{url}'s answer (HTTP {status})"):
                data = resp.json()
            if status == 429 and attempt < self.busy_retries:
                # Refused at admission, before any work: the same request is safe to send again.
                await asyncio.sleep(0.1 * 2**attempt)
                continue
            if status >= 400:
                kind = data.get("errorKind") if isinstance(data, dict) else None
                message = data.get("message") if isinstance(data, dict) else str(data)
                error = NotPermitted if kind == "not_permitted" else TooBusy if status == 429 else LitError
                raise error(message)
            return data
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _fan_out(
        self, method: str, path: str, body: Any, decide: Decide[T], session_sigs: Mapping[str, Any] | None = None
    ) -> T:
        """The same request to every node at once; the outcome `decide` settles on (see quorum.py).
        With `session_sigs` (node URL -> session signature), each node gets its own as `authSig`,
        as Lit's SDK sends them. Each node's answer is its JSON body, or the LitError/NetworkError it gave."""
        if session_sigs is not None:
            missing = [url for url in self.network.nodes if url not in session_sigs]
            if missing:
                raise InvalidArgument(f"session_sigs has no signature for nodes {missing}: make them with get_session_sigs")

        async def one(url: str) -> Any:
            payload = body if session_sigs is None else {**body, "authSig": session_sigs[url]}
            try:
                return await self._request(method, url + path, payload)
            except (OSError, TimeoutError) as exc:  # the transport's failures: runtime/client/transport.py
                unreachable = NetworkError(f"unreachable: {type(exc).__name__} {exc}".strip())
                unreachable.__cause__ = exc  # returned as this node's answer, not raised: keep the cause by hand
                return unreachable
            except LitError as exc:
                return exc

        calls = {i + 1: one(url) for i, url in enumerate(self.network.nodes)}
        return await gather_until_decided(calls, decide, self.straggler_grace_s)

    # ---- IPFS and chain ------------------------------------------------------------------------

    async def upload_action(self, code: str | bytes | Path) -> str:
        """Store the action on the network's IPFS service; its CID (CIDv0, as Kubo)."""
        if isinstance(code, Path):
            try:
                data = code.read_bytes()
            except OSError as exc:
                raise InvalidArgument(f"code: cannot read the action file {code}: {exc.strerror}") from exc
        else:
            data = code.encode() if isinstance(code, str) else code
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidArgument(f"code: expected JS source (str, bytes or a Path), got {type(code).__name__}")
        form, content_type = multipart_file("file", "action.js", bytes(data), secrets.token_hex(16))
        url = self.network.ipfs_url + "/api/v0/add"
        try:
            resp = await self._http().request("POST", url, form, content_type)
        except (OSError, TimeoutError) as exc:
            raise NetworkError(f"IPFS at {self.network.ipfs_url} unreachable: {type(exc).__name__} {exc}".strip()) from exc
        if resp.status != 200:
            raise NetworkError(f"IPFS add failed: HTTP {resp.status} {resp.text()[:500]}")
        with node_answer(f"IPFS's answer to {url}"):
            return str(resp.json()["Hash"])

    def registry(self, private_key: str | None = None) -> PkpRegistry:
        from runtime.chain.pkp import PkpRegistry

        return PkpRegistry(self.network.chain_url, self.network.pkp_contract, private_key)

    def derive_pkp_public_key(self, key_id: bytes, key_type: str = "k256") -> bytes:
        """The PKP key for `key_id` from the root keys of `key_type`'s curve the nodes published, in
        the registry's form: 65 bytes uncompressed for k256 and p256, the 32-byte encoding for ed25519."""
        from runtime.chain.pkp import registry_form
        from runtime.crypto.hd import derive_public_key

        from .combine import curve_roots

        curve = _mintable_curve(key_type)
        rows = curve_roots(self.network.public or {}, self.root_commitments).get(curve.name)
        if not rows:
            raise NetworkError(f"the network published no {curve.name} root keys (/status {curve.name}Commitments)")
        return registry_form(curve, derive_public_key(key_id, [row[0] for row in rows], curve))

    async def mint_pkp(self, private_key: str, key_type: str = "k256") -> MintedPkp:
        """Mint a PKP of `key_type`: "k256" (EcdsaK256Sha256 and the K256 Schnorr schemes), "p256"
        (EcdsaP256Sha256) or "ed25519" (SchnorrEd25519Sha512, e.g. Solana)."""
        check_private_key(private_key)
        _mintable_curve(key_type)
        with chain_call(f"mint_pkp on {self.network.chain_url}"):
            async with self.registry(private_key) as registry:
                return await registry.mint(self.derive_pkp_public_key, key_type=key_type)

    async def permit_action(self, private_key: str, token_id: int, cid: str, scopes: Sequence[int] = (1,)) -> str:
        """Scopes: 1 sign anything (runtime.chain.pkp.SCOPE_SIGN_ANYTHING), 2 personal sign."""
        check_private_key(private_key)
        with chain_call(f"permit_action {cid} on PKP {token_id}"):
            async with self.registry(private_key) as registry:
                return await registry.add_permitted_action(token_id, cid, list(scopes))

    async def permit_address(self, private_key: str, token_id: int, address: str, scopes: Sequence[int] = (1,)) -> str:
        """Scopes as permit_action's."""
        check_private_key(private_key)
        with chain_call(f"permit_address {address} on PKP {token_id}"):
            async with self.registry(private_key) as registry:
                return await registry.add_permitted_address(token_id, address, list(scopes))

    async def list_pkps(self, owner: str) -> list[dict[str, Any]]:
        with chain_call(f"list_pkps of {owner}"):
            async with self.registry() as registry:
                tokens = await registry.tokens_of_owner(owner)
                return [{"tokenId": str(t), "publicKey": "0x" + (await registry.get_pubkey(t)).hex()} for t in tokens]

    # ---- signing -------------------------------------------------------------------------------

    def _anonymous_auth_sig(self) -> dict[str, str]:
        """Nodes take no request without a signer, as Lit's do; an action run without one is signed
        for by a key this client made for itself: an address that owns and is permitted nothing, so
        the action signs only with PKPs that permit the action itself. Made once per lifetime, not
        once per request."""
        now = time.time()
        if self._anonymous is None or self._anonymous[1] < now + _REFRESH_BEFORE_EXPIRY_S:
            key = "0x" + secrets.token_bytes(32).hex()
            self._anonymous = (create_auth_sig(key, chain_id=self.network.chain_id), now + _ANONYMOUS_LIFETIME.total_seconds())
        return self._anonymous[0]

    def _coordinator(self, chosen: int | None) -> int:
        """The node that assigns the presignatures of one request and collects the nodes' agreement
        on each signature: `chosen`, else one that answered the last refresh (any node can; a dead
        one fails the request)."""
        if chosen is not None:
            if not 1 <= chosen <= len(self.network.nodes):
                raise InvalidArgument(f"coordinator must be a node index in 1..{len(self.network.nodes)}")
            return chosen
        return secrets.choice(sorted(self._ready) or list(range(1, len(self.network.nodes) + 1)))

    def _open_shares(self, answers: dict[int, Any], key: ResponseKey, request_id: str, errors: dict[int, str]) -> dict[int, dict[str, Any]]:
        opened = {}
        for index, answer in answers.items():
            sealed = answer.get("signedData") if isinstance(answer, dict) else None
            if not sealed:
                continue
            try:
                payload = json.loads(key.open(sealed, request_id.encode()))
            except (CryptoError, ValueError, TypeError) as exc:
                errors[index] = f"sealed shares did not open: {exc}"
                continue
            if isinstance(payload, dict):
                opened[index] = payload
            else:
                errors[index] = "sealed shares are not a JSON object"
        return opened

    def _combine_all(self, opened: dict[int, dict[str, Any]], errors: dict[int, str]) -> dict[str, dict[str, Any]]:
        names = sorted({name for payload in opened.values() for name in payload})
        if not names:
            return {}
        from .combine import combine_signature

        signatures = {}
        for name in names:
            payloads = {i: p[name] for i, p in opened.items() if isinstance(p.get(name), dict)}
            # ECDSA or FROST (Schnorr/EdDSA), as the payloads say.
            combined = combine_signature(name, payloads, self.network.public or {}, self.root_commitments, self.network.t)
            for bad in combined["badNodes"]:
                errors.setdefault(bad, f"sent an invalid signature share for {name!r}")
            # Which Lit scheme the action asked for (sign/signAsAction say; signEcdsa is K256 ECDSA).
            schemes = Counter(str(p.get("signingScheme", DEFAULT_SCHEME)) for p in payloads.values())
            signatures[name] = {**combined, "signingScheme": schemes.most_common(1)[0][0]}
        return signatures

    async def execute_js(
        self,
        code: str | None = None,
        ipfs_id: str | None = None,
        js_params: dict[str, Any] | None = None,
        auth_sig: dict[str, Any] | None = None,
        response_strategy: ResponseStrategy = "mostCommon",
        coordinator: int | None = None,
        session_sigs: Mapping[str, Any] | None = None,
        auth_methods: Sequence[Mapping[str, Any]] | None = None,
    ) -> ExecuteResult:
        """Run an action on every node. Authorise with `auth_sig` or, as Lit's SDK does, with
        `session_sigs` (from `get_session_sigs`), or neither for an action that needs no signer.
        `auth_methods` ([{authMethodType, accessToken}]; EthWallet (1) only) are verified by each
        node and reach the action as Lit.Auth.authMethodContexts."""
        if (code is None) == (ipfs_id is None):
            raise InvalidArgument("give exactly one of code and ipfs_id")
        _check_strategy(response_strategy)  # before any node does work
        key, request_id = ResponseKey.generate(), secrets.token_hex(16)
        if auth_sig is None and session_sigs is None:
            auth_sig = self._anonymous_auth_sig()
        body: dict[str, Any] = {
            "jsParams": js_params or {},
            "authSig": auth_sig,
            "clientPublicKey": key.public_hex,
            "requestId": request_id,
            "coordinator": self._coordinator(coordinator),
        }
        if auth_methods:
            body["authMethods"] = [dict(m) for m in auth_methods]
        if code is not None:
            body["code"] = base64.b64encode(code.encode()).decode()
        else:
            body["ipfsId"] = ipfs_id

        def decide(answers: dict[int, Any], final: bool) -> ExecuteResult | None:
            errors = _failures(answers)
            succeeded = {i: a for i, a in answers.items() if isinstance(a, dict) and not a.get("error")}
            if len(succeeded) >= self.network.threshold:
                try:
                    signatures = self._combine_all(self._open_shares(succeeded, key, request_id, errors), errors)
                except NotEnoughShares:
                    if final:
                        raise
                    return None  # a liar among the first answers: the others may still make a quorum
                logs = _pick([a.get("logs", "") for a in succeeded.values()], "mostCommon")
                ipfs_id = _pick([a.get("ipfsId") for a in succeeded.values()], "mostCommon")
                return ExecuteResult(
                    success=True,
                    response=_parse_response(_pick([a.get("response") for a in succeeded.values()], response_strategy)),
                    logs=logs or "",
                    signatures=signatures,
                    errors=errors,
                    ipfs_id=ipfs_id,
                    node_logs={i: a.get("logs", "") for i, a in answers.items() if isinstance(a, dict)},
                    node_mocked_fetches=_mocked_fetches(answers),
                    claims=collect_claims(succeeded, ipfs_id, errors, self.claim_addresses) if isinstance(ipfs_id, str) else {},
                )
            if not final and len(answers) - len(succeeded) <= len(self.network.nodes) - self.network.threshold:
                return None
            raise self._failure(answers, errors)

        return await self._fan_out("POST", "/web/execute", body, decide, _session_sigs(auth_sig, session_sigs))

    def _failure(self, answers: dict[int, Any], errors: dict[int, str]) -> LitError:
        """The typed error for answers that can no longer make a quorum: the most common reason."""
        need, n = self.network.threshold, len(self.network.nodes)
        refusals = [str(a) for a in answers.values() if isinstance(a, NotPermitted)]
        refusals += [a["notPermitted"][0] for a in answers.values() if isinstance(a, dict) and a.get("notPermitted")]
        summary = "; ".join(f"node {i}: {e}" for i, e in sorted(errors.items()))
        if len(refusals) > n - need:
            return NotPermitted(Counter(refusals).most_common(1)[0][0])
        busy = [str(a) for a in answers.values() if isinstance(a, TooBusy)]
        if len(busy) > n - need:
            return TooBusy(
                f"{len(busy)} of {n} nodes were too busy to take the request, also after {self.busy_retries} "
                f"retries: {Counter(busy).most_common(1)[0][0]}"
            )
        js_errors = [a["error"] for a in answers.values() if isinstance(a, dict) and a.get("error")]
        if len(js_errors) > n - need:
            detail = json.loads(Counter(json.dumps(e, sort_keys=True) for e in js_errors).most_common(1)[0][0])
            detail = detail if isinstance(detail, dict) else {"message": detail}  # a node may send a bare string
            return ActionError(str(detail.get("message")), detail.get("line"), errors, _mocked_fetches(answers))
        return NetworkError(f"fewer than {need} of {n} nodes answered successfully: {summary}")

    # ---- access control ------------------------------------------------------------------------

    def encrypt(self, data: bytes | str, conditions: Any) -> EncryptedData:
        """Encrypt to the network's BLS key under `conditions` (offline: no node is asked)."""
        from . import access  # the access-control packages (eth-abi, web3) load only when used

        payload = data.encode() if isinstance(data, str) else data
        return access.encrypt(self.network.public["blsPublicKey"], payload, conditions)

    async def decrypt(
        self,
        encrypted: EncryptedData,
        conditions: Any,
        auth_sig: dict[str, Any] | None = None,
        session_sigs: Mapping[str, Any] | None = None,
    ) -> DecryptResult:
        """Nodes release decryption shares only if the signer's address meets `conditions`."""
        from . import access

        return await access.decrypt(self, encrypted, conditions, auth_sig, _session_sigs(auth_sig, session_sigs, required=True))

    async def sign_jwt(
        self,
        conditions: Any,
        auth_sig: dict[str, Any] | None = None,
        chain: str | None = None,
        lifetime_s: int | None = None,
        session_sigs: Mapping[str, Any] | None = None,
    ) -> str:
        """A JWT signed by the network that the signer's address meets `conditions`; it expires
        after `lifetime_s` (default 12 h, as Lit's SDK)."""
        from . import access

        sigs = _session_sigs(auth_sig, session_sigs, required=True)
        lifetime = access.DEFAULT_JWT_LIFETIME_S if lifetime_s is None else lifetime_s
        return await access.sign_jwt(self, conditions, auth_sig, chain, lifetime, sigs)

    def get_session_sigs(
        self, account: Any, resources: Iterable[Any], expiration: datetime | timedelta | None = None, **siwe: Any
    ) -> dict[str, dict[str, str]]:
        """Lit's session signatures for `account` (a key or an eth_account), one per node: a fresh
        ed25519 session key, delegated to by the wallet's SIWE with ReCap `resources` (pairs such as
        ("lit-pkp://*", "pkp-signing")), signs each node's request; default lifetime 24 h."""
        from . import session

        return session.get_session_sigs(self, account, resources, expiration, **siwe)

    def verify_jwt(self, token: str) -> dict[str, Any]:
        """The payload if the network signed `token` and it is unexpired; JwtError otherwise."""
        from .access import verify_jwt

        return verify_jwt(token, self.network.public["blsPublicKey"])

    async def pkp_sign(
        self,
        public_key: str,
        to_sign: bytes,
        auth_sig: dict[str, Any] | None = None,
        coordinator: int | None = None,
        session_sigs: Mapping[str, Any] | None = None,
        signing_scheme: str = "EcdsaK256Sha256",
    ) -> dict[str, Any]:
        """Sign with a PKP, no action: authorised by the owner's (or a permitted) authSig.
        `signing_scheme` EcdsaK256Sha256 signs 32 bytes (a digest) with a K256 PKP, EcdsaP256Sha256
        32 bytes (e.g. a SHA-256 digest) with a P256 PKP; SchnorrK256Sha256 (FROST) and
        SchnorrK256Taproot (BIP-340) sign the bytes as given with a K256 PKP key, and
        SchnorrEd25519Sha512 with an Ed25519 PKP; another curve's scheme is refused. The result
        carries `signature`, `publicKey`, `dataSigned` and, for Schnorr, `signingScheme`."""
        if signing_scheme not in PKP_SCHEMES:
            raise InvalidArgument(f"signing_scheme must be one of {', '.join(PKP_SCHEMES)}, got {signing_scheme!r:.80}")
        if not isinstance(to_sign, (bytes, bytearray)) or not to_sign:
            raise InvalidArgument(f"to_sign must be bytes, got {to_sign!r:.80}")
        if signing_scheme in ("EcdsaK256Sha256", "EcdsaP256Sha256") and len(to_sign) != 32:
            raise InvalidArgument(f"to_sign must be exactly 32 bytes for {signing_scheme}, got {to_sign!r:.80}")
        key_type = _pkp_key_type(public_key)
        from runtime.crypto.schemes import pkp_scheme_refusal

        refusal = None if key_type is None else pkp_scheme_refusal(signing_scheme, key_type)
        if refusal is not None:
            raise InvalidArgument(refusal.replace("signingScheme", "signing_scheme", 1))
        key, request_id = ResponseKey.generate(), secrets.token_hex(16)
        body = {
            "signingScheme": signing_scheme,
            "toSign": to_sign.hex(),
            "publicKey": public_key,
            "authSig": auth_sig,
            "clientPublicKey": key.public_hex,
            "requestId": request_id,
            "coordinator": self._coordinator(coordinator),
        }

        def decide(answers: dict[int, Any], final: bool) -> dict[str, Any] | None:
            errors = _failures(answers)
            good = {i: a for i, a in answers.items() if isinstance(a, dict)}
            if len(good) >= self.network.threshold:
                try:
                    signatures = self._combine_all(self._open_shares(good, key, request_id, errors), errors)
                    if "sig" not in signatures:
                        raise NotEnoughShares(f"no node sent a share of the signature 'sig' (got {sorted(signatures)})", errors)
                    signature = signatures["sig"]
                    if signature["dataSigned"] != "0x" + to_sign.hex():
                        # t+1 nodes agreed on another message than this client asked for.
                        raise NotEnoughShares(f"the nodes signed {signature['dataSigned']}, not 0x{to_sign.hex()}")
                    return {**signature, "errors": errors}
                except NotEnoughShares:
                    if final:
                        raise
                    return None
            if not final and len(answers) - len(good) <= len(self.network.nodes) - self.network.threshold:
                return None
            refused = any(isinstance(a, NotPermitted) for a in answers.values())
            raise (NotPermitted if refused else NotEnoughShares)(
                "; ".join(f"node {i}: {e}" for i, e in sorted(errors.items())) or "not enough nodes answered"
            )

        sigs = _session_sigs(auth_sig, session_sigs, required=True)
        return await self._fan_out("POST", "/web/pkp/sign", body, decide, sigs)
