"""FROST signing among the nodes running one request (RFC 9591 with a coordinator, §5).

Every node runs the same action and reaches the same signature (its slot: request id and sigName,
node/agreement.py `SignatureSlot`). Per attempt, through the request exchange (node/exchange.py,
whose sender is authenticated by the peer envelope):

1. each node takes one unused nonce pair from its pool (node/frost_nonces.py) and publishes the
   commitment (D_i, E_i);
2. the slot's coordinator waits for every node's commitment (a short grace once 2t+1 are in) and
   publishes the package: scheme, key id, message and the commitments it chose;
3. each member checks that package against what it computed itself (scheme, key, message: an
   action that is not deterministic gets no share) and that its own commitment is in it unaltered;
   it records the nonce's use for exactly this package, durably, and only then publishes
   z_i = d_i + e_i·ρ_i + λ_i·s_i·c;
4. every node checks each z_i against the signer's public key share and commitments (RFC 9591
   §5.4) and adds them up. A signer whose share does not verify, or that sent none, is named; the
   next attempt leaves it out and runs on fresh nonces (a FROST package binds every signer's
   commitment, so a bad share cannot just be dropped). Up to t liars are outvoted this way.

A coordinator is trusted only for liveness: a nonce signs one package at most whatever it sends
(node/frost_nonces.py), and members refuse a package for another message or key. Failures are
NodeErrors (SigningRefused, NotReady): an action sees them as errors, a plain request as 409/503.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from runtime.crypto.errors import CryptoError
from runtime.crypto.frost import Commitment, SigningPackage, sign_share
from runtime.crypto.hd import DerivedKey
from runtime.crypto.schemes import Scheme
from runtime.crypto.share_payloads import FrostPackage, frost_signature, valid_share

from .agreement import SignatureSlot, SigningRefused
from .errors import NotReady
from .exchange import RequestExchange
from .frost_nonces import FrostNoncePool, package_record
from .testfaults import Fault

__all__ = ["FrostSigning", "FrostKey", "MAX_ATTEMPTS"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # each attempt leaves out the signers the last one named
_FIRST_COMMITMENTS_S = 15.0  # for 2t+1 commitments to reach the coordinator
_GRACE_S = 1.0  # then for the rest: a node that is down costs this much per signature
_PACKAGE_S = 20.0
_SHARES_S = 10.0
_RELAY_S = 1.0  # for the others' copies of shares this node got bad or not at all
_POOL_WAIT_S = 10.0


@dataclass(frozen=True)
class FrostKey:
    """A key to sign with: a PKP of a FROST scheme's curve or an action's own key."""

    key_id: bytes
    key: DerivedKey
    share: int

    @property
    def public_key(self) -> Any:
        return self.key.public_key


class FrostSigning:
    def __init__(
        self, index: int, n: int, t: int, pool: FrostNoncePool, exchange: RequestExchange, fault: Fault | None = None
    ) -> None:
        self._index, self._n, self._t = index, n, t
        self._pool = pool
        self._exchange = exchange
        self._fault = fault

    async def _nonce(self, group: str) -> tuple[str, Commitment]:
        deadline = asyncio.get_running_loop().time() + _POOL_WAIT_S
        while (taken := self._pool.take(group)) is None:
            if asyncio.get_running_loop().time() > deadline:
                raise NotReady(f"node {self._index} has no FROST nonces ready for {group}; try again shortly")
            await asyncio.sleep(0.05)  # refilled in the background
        return taken

    async def sign(self, slot: SignatureSlot, scheme: Scheme, key: FrostKey, message: bytes) -> dict[str, Any]:
        """This node's part of one FROST signature; the payload (package, verified shares, signature)."""
        excluded: set[int] = set()
        named: set[int] = set()
        for attempt in range(MAX_ATTEMPTS):
            outcome = await self._attempt(slot, scheme, key, message, attempt, excluded)
            package, shares, signature, bad, accused = outcome
            named |= set(accused)
            if signature is not None:
                suite = package.scheme.frost
                assert suite is not None
                return {
                    "sigType": scheme.name,
                    "signingScheme": scheme.name,
                    "shareIndex": self._index,
                    "frost": {"attempt": attempt, "package": package.to_dict(), "shares": shares},
                    "publicKey": "0x" + suite.encode_point(key.public_key).hex(),
                    "keyId": "0x" + key.key_id.hex(),
                    "dataSigned": "0x" + message.hex(),
                    "signature": "0x" + signature.hex(),
                    "badNodes": sorted(named),
                }
            excluded |= set(bad)
            log.warning("FROST %s/%s attempt %d: no valid share from nodes %s", slot.request_id, slot.name, attempt, bad)
            if self._n - len(excluded) < 2 * self._t + 1:
                break
        raise SigningRefused(
            f"{scheme.name} signature {slot.name!r}: no valid signature after {attempt + 1} attempts; "
            f"nodes {sorted(named)} sent no valid share"
        )

    async def _attempt(
        self, slot: SignatureSlot, scheme: Scheme, key: FrostKey, message: bytes, attempt: int, excluded: set[int]
    ) -> tuple[FrostPackage, dict[str, str], bytes | None, tuple[int, ...], tuple[int, ...]]:
        """(package, verified shares, signature or None, signers with no valid share anywhere,
        signers that sent this node an invalid share or none)."""
        suite = scheme.frost
        assert suite is not None
        rid, base = slot.request_id, f"frost:{slot.name}:{attempt}"
        group = suite.group.name
        nonce_id, mine = await self._nonce(group)
        await self._exchange.publish(rid, base + ":commit", {"commitment": mine.to_dict(suite)})
        if slot.coordinator == self._index:
            chosen = await self._gather_commitments(rid, base, scheme, excluded)
            await self._exchange.publish(rid, base + ":package", FrostPackage(scheme, key.key_id, message, chosen).to_dict())
        got = await self._exchange.wait(rid, base + ":package", lambda v: slot.coordinator in v, _PACKAGE_S)
        if slot.coordinator not in got:
            raise NotReady(f"{scheme.name} signature {slot.name!r}: coordinator node {slot.coordinator} sent no signing package")
        try:
            package = FrostPackage.from_dict(got[slot.coordinator])
        except CryptoError as exc:
            raise SigningRefused(f"coordinator node {slot.coordinator} sent a malformed FROST package: {exc}") from None
        if (package.scheme.name, package.key_id, package.message) != (scheme.name, key.key_id, message):
            raise SigningRefused(
                f"{scheme.name} signature {slot.name!r}: the coordinator's package is for another scheme, key or "
                "message than this node computed; this node releases no share (is the action deterministic?)"
            )
        try:
            signing = package.signing_package(key.key)
        except CryptoError as exc:
            raise SigningRefused(f"coordinator node {slot.coordinator}'s FROST package is unusable: {exc}") from None
        if self._index in package.signers:
            if package.commitments[package.signers.index(self._index)] != mine:
                raise SigningRefused(f"coordinator node {slot.coordinator} altered node {self._index}'s commitment")
            record = package_record(suite, signing.group_public_key, message, package.commitments)
            try:
                nonces = await asyncio.to_thread(self._pool.use, nonce_id, record)
                z = sign_share(signing, self._index, key.share, nonces)
            except CryptoError as exc:
                raise SigningRefused(f"{scheme.name} signing refused: {exc}") from None
            if self._fault == Fault.WRONG_SIGNATURE_SHARES:
                z = (z + 1) % suite.order  # the test liar (node/testfaults.py), as its ECDSA shares
            await self._exchange.publish(rid, base + ":share", suite.encode_scalar(z).hex())
        else:
            self._pool.release(nonce_id)  # left out: it signed nothing, so another package may use it
        values = await self._exchange.wait(
            rid, base + ":share", lambda v: all(i in v for i in package.signers), _SHARES_S
        )
        candidates = {i: [v] for i, v in values.items() if i in package.signers and isinstance(v, str)}
        signature, bad = frost_signature(signing, key.key, candidates)
        # Every node passes on the shares it verified, so a signer that sent this node a bad share and
        # the others a good one (equivocation) cannot split the nodes: the good one reaches everybody.
        verified = {str(i): c[0] for i, c in candidates.items() if i not in bad}
        await self._exchange.publish(rid, base + ":verified", verified)
        if bad:
            def merged(relays: dict[int, Any]) -> dict[int, list[Any]]:
                out = {i: list(c) for i, c in candidates.items()}
                for relay in relays.values():
                    for who, raw in relay.items() if isinstance(relay, dict) else ():
                        if str(who).isdigit() and int(who) in bad:
                            out.setdefault(int(who), []).append(raw)
                return out

            relays = await self._exchange.wait(
                rid, base + ":verified", lambda v: frost_signature(signing, key.key, merged(v))[0] is not None, _RELAY_S
            )
            signature, missing = frost_signature(signing, key.key, merged(relays))
            if signature is not None:  # the others had valid shares from those signers
                return package, {**verified, **_first_valid(signing, key, merged(relays), bad)}, signature, (), bad
            return package, verified, None, missing, bad
        return package, verified, signature, (), ()

    async def _gather_commitments(
        self, request_id: str, base: str, scheme: Scheme, excluded: set[int]
    ) -> tuple[Commitment, ...]:
        suite = scheme.frost
        assert suite is not None
        need = 2 * self._t + 1
        everyone = self._n - len(excluded)

        def valid(values: dict[int, Any]) -> dict[int, Commitment]:
            out = {}
            for sender, value in values.items():
                if sender in excluded or not isinstance(value, dict) or not isinstance(value.get("commitment"), dict):
                    continue
                try:
                    c = Commitment.from_dict(suite, value["commitment"])
                except CryptoError:
                    continue
                if c.identifier == sender:  # a node commits only for itself
                    out[sender] = c
            return out

        topic = base + ":commit"
        values = await self._exchange.wait(request_id, topic, lambda v: len(valid(v)) >= need, _FIRST_COMMITMENTS_S)
        if len(valid(values)) < need:
            raise SigningRefused(
                f"{scheme.name}: only nodes {sorted(valid(values))} committed nonces within {_FIRST_COMMITMENTS_S:.0f} s; "
                f"{need} are needed"
            )
        values = await self._exchange.wait(request_id, topic, lambda v: len(valid(v)) >= everyone, _GRACE_S)
        return tuple(valid(values).values())


def _first_valid(
    signing: SigningPackage, key: FrostKey, candidates: dict[int, list[Any]], signers: tuple[int, ...]
) -> dict[str, str]:
    """For each of `signers`, the first of its candidate shares that verifies (hex)."""
    out = {}
    for i in signers:
        valid = [raw for raw in candidates.get(i, []) if valid_share(signing, key.key, i, raw)]
        if valid:
            out[str(i)] = str(valid[0])
    return out
