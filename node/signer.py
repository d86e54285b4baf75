"""ECDSA signing with PKPs on this node: which key, whether it may, and the share itself.

The order of steps is the security argument: resolve the PKP from the chain and check its public
key against its key id; check the permission; learn which presignature the request's coordinator
assigned; record its use durably; send the signed accept and get back a certificate of 2t+1
committee members that recorded the same use (node/agreement.py); only then compute the share.

Resolved PKPs are cached (bounded, least recently used first out): a token's key id is fixed when
it is minted and PKPRegistry.sol has no burn, so a PKP that exists and whose public key is the
derivation of its key id stays so. Only such positive answers are cached: a PKP not (yet) minted,
or one whose registered key does not match, is asked of the chain again every time. Permissions
change (revocation must bite at once), so `authorize` always reads the chain.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from runtime.auth.recap import SIGNING, pkp_resource
from runtime.chain.pkp import (
    PkpRegistry,
    SCOPE_PERSONAL_SIGN,
    SCOPE_SIGN_ANYTHING,
    key_type_of,
    normalize_pubkey,
    pubkey_to_token_id,
    registry_form,
)
from runtime.crypto.ecdsa import check_presignature_use, sign_share
from runtime.crypto.errors import CryptoError
from runtime.crypto.hd import HD_K256, DerivedKey, HdCurve, action_key_id, hd_curve
from runtime.crypto.schemes import ECDSA_CURVES
from runtime.crypto.secp256k1 import SECP256K1

from .agreement import SignatureSlot, SigningAgreement
from .auth import AuthMethodContext, AuthSig
from .ecdsa_curves import curve_slot
from .errors import BadRequest, NotPermitted, NotReady
from .keys import NetworkKeys
from . import testfaults
from .presign_pool import PresignPool
from .testfaults import Fault
from .usage_log import UsageLog

__all__ = ["Pkp", "Signer", "SCOPE_SIGN_ANYTHING", "SCOPE_PERSONAL_SIGN"]

# Resolved PKPs kept per node; each holds its t+1 derived commitment points and the share.
RESOLVED_CACHE_ENTRIES = 4096
# A batch is kept at its initiator once c − t members confirm it, so up to t members may still be
# storing it when the initiator assigns one of it (likeliest for a new pool's first batch, when
# nothing better-held is on offer): a member waits this long for it before saying it holds none.
BATCH_SETTLE_S = 5.0
_SCOPE_NAMES = {SCOPE_SIGN_ANYTHING: "SignAnything", SCOPE_PERSONAL_SIGN: "PersonalSign"}
# Key types that sign ECDSA from presignatures, and the sigType their shares carry: the scheme's name,
# but K256 keeps Lit v7's "K256", which its SDK combines.
_ECDSA_SIG_TYPES = {curve.name: "K256" if curve is HD_K256 else name for name, curve in ECDSA_CURVES.items()}


@dataclass(frozen=True)
class Pkp:
    token_id: int
    key_id: bytes
    public_key: bytes  # k256, p256: 65 bytes uncompressed; ed25519: 32 bytes
    key: DerivedKey
    share: int = field(repr=False)
    key_type: str = "k256"  # runtime.crypto.hd's curve name, as PKPRegistry records it


class Signer:
    def __init__(
        self,
        index: int,
        keys: NetworkKeys,
        pool: PresignPool,
        usage: UsageLog,
        registry: PkpRegistry,
        agreement: SigningAgreement,
        fault: Fault | None = None,
    ) -> None:
        self._index = index
        self._fault = fault
        self._keys = keys
        self._pool = pool
        self._usage = usage
        self._registry = registry
        self._agreement = agreement
        self._resolved: OrderedDict[int, Pkp] = OrderedDict()  # token id -> verified PKP

    async def resolve(self, public_key: Any) -> Pkp:
        """The PKP with this public key, its key checked against the network's derivation of its key
        id on its curve. The key type comes from the registry, except for a key on secp256k1, which
        can only be K256 (no point is on both ECDSA curves), so K256 PKPs cost no extra read."""
        try:
            said = key_type_of(public_key)  # once: each parse of a P-256 key is python-ecdsa's
            pubkey = normalize_pubkey(public_key, said)
        except Exception as exc:
            raise BadRequest(f"publicKey: {exc}") from None
        tid = pubkey_to_token_id(pubkey, said)
        cached = self._resolved.get(tid)
        if cached is not None and cached.public_key == pubkey:
            self._resolved.move_to_end(tid)
            return cached
        if not await self._registry.exists(tid):
            raise NotPermitted(f"publicKey 0x{pubkey.hex()} is not a PKP minted on this network")
        key_id = await self._registry.get_key_id(tid)
        key_type = HD_K256.name if said == HD_K256.name else await self._registry.get_key_type(tid)
        curve = hd_curve(key_type)
        try:
            key, share = self._keys.derive(key_id, curve)
        except CryptoError as exc:  # e.g. a network made before it had root keys on this curve
            raise NotPermitted(f"PKP {tid}: this network cannot derive {key_type} keys: {exc}") from None
        if registry_form(curve, key.public_key) != pubkey:
            # The minter registered a key that is not the derivation of its key id: never sign for it.
            raise NotPermitted(f"PKP {tid}: registered public key does not match the network's derivation of its key id")
        pkp = Pkp(token_id=tid, key_id=key_id, public_key=pubkey, key=key, share=share, key_type=key_type)
        self._resolved[tid] = pkp
        if len(self._resolved) > RESOLVED_CACHE_ENTRIES:
            self._resolved.popitem(last=False)
        return pkp

    def action_key(self, action_cid: str, curve: HdCurve = HD_K256) -> Pkp:
        """The running action's own key on `curve` (Lit's signAsAction: k256 for EcdsaK256Sha256,
        p256 for EcdsaP256Sha256, from that curve's root keys): derived from its CID, minted nowhere,
        so no permission applies; `sign` treats it like a PKP of that key type. Only the CID the node
        itself ran may be passed here, which is what makes the key that action's alone."""
        if curve.name not in _ECDSA_SIG_TYPES:
            raise BadRequest(f"an action's ECDSA key is on {' or '.join(_ECDSA_SIG_TYPES)}, not {curve.name}")
        key_id = action_key_id(action_cid)
        try:
            key, share = self._keys.derive(key_id, curve)
        except CryptoError as exc:  # a network made before it had root keys on this curve
            raise NotReady(f"this network cannot derive {curve.name} action keys: {exc}") from None
        public_key = registry_form(curve, key.public_key)
        tid = pubkey_to_token_id(public_key, curve.name)  # minted nowhere, but its token id is Lit's rule's
        return Pkp(token_id=tid, key_id=key_id, public_key=public_key, key=key, share=share, key_type=curve.name)

    async def authorize(
        self, pkp: Pkp, scope: int, action_cid: str | None, auth_sig: AuthSig | None,
        auth_methods: Sequence[AuthMethodContext] = (),
    ) -> None:
        """Allowed if the running action is permitted with `scope`, or the authSig (or an EthWallet
        auth method's) is the owner's or a permitted address's with `scope` and its ReCap grants
        Threshold/Signing on this PKP; otherwise NotPermitted naming each rule that failed."""
        reasons = []
        if action_cid is not None:
            if await self._registry.is_permitted_action_scope(pkp.token_id, action_cid, scope):
                return
            reasons.append(f"action {action_cid} is not permitted with scope {scope} ({_SCOPE_NAMES[scope]})")
        signers = [auth_sig] if auth_sig is not None else []
        signers += [m.auth_sig for m in auth_methods if m.auth_sig is not None]
        for signer in signers:
            reason = await self._address_refusal(pkp, scope, signer)
            if reason is None:
                return
            reasons.append(reason)
        if not reasons:
            reasons.append("no permitted action is running and no authSig was given")
        raise NotPermitted(f"PKP {pkp.token_id}: " + "; ".join(reasons))

    async def _address_refusal(self, pkp: Pkp, scope: int, auth_sig: AuthSig) -> str | None:
        """Why `auth_sig` may not sign with `pkp`, or None if it may."""
        owner = await self._registry.owner_of(pkp.token_id)
        if owner.lower() != auth_sig.address.lower() and scope not in await self._registry.get_permitted_address_scopes(
            pkp.token_id, auth_sig.address
        ):
            return f"authSig address {auth_sig.address} is neither the owner nor permitted with scope {scope}"
        # The address may sign, but only if its SIWE said so for this PKP (review H1): a sign-in
        # for one PKP, or for decryption only, must not lend out all its keys.
        resource = pkp_resource(pkp.token_id)
        if auth_sig.allows(SIGNING, resource):
            return None
        return (
            f"authSig of {auth_sig.address} does not grant {SIGNING} on {resource} "
            f"(its ReCap grants {auth_sig.capabilities.describe()})"
        )

    async def sign(self, pkp: Pkp, to_sign: bytes, slot: SignatureSlot) -> dict[str, Any]:
        """This node's ECDSA share: EcdsaK256Sha256 with a K256 PKP, EcdsaP256Sha256 with a P256 one,
        each from a presignature of its curve (Ed25519 PKPs sign by FROST, node/frost_ops.py)."""
        sig_type = _ECDSA_SIG_TYPES.get(pkp.key_type)
        if sig_type is None:
            raise BadRequest(
                f"PKP {pkp.token_id} is an {pkp.key_type} key: ECDSA (EcdsaK256Sha256, EcdsaP256Sha256) "
                "signs only with k256 and p256 PKPs"
            )
        group = pkp.key.curve.group
        presignature_id = await self._agreement.assigned(curve_slot(slot, group))
        presig = self._pool.get(presignature_id)
        deadline = asyncio.get_running_loop().time() + BATCH_SETTLE_S
        while presig is None and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
            presig = self._pool.get(presignature_id)
        if presig is None:
            raise NotReady(f"node {self._index} holds no presignature {presignature_id} (waited {BATCH_SETTLE_S:.0f} s)")
        if self._pool.initiator(presignature_id) != slot.coordinator:
            # Only a batch's initiator hands its presignatures out, so no node drains another's pool.
            raise BadRequest(f"presignature {presignature_id} was not made by coordinator node {slot.coordinator}")
        if presig.public.group is not group:
            raise BadRequest(
                f"presignature {presignature_id} is on {presig.public.group.name}, not on the PKP's curve {group.name}"
            )
        try:
            record = check_presignature_use(self._usage.message_for(presignature_id), to_sign, pkp.key.public_key, group)
            # Durable before the accept is signed; in a thread, so the fsyncs do not hold up this
            # node's loop (as coordinator it is collecting the other members' accepts meanwhile).
            await asyncio.to_thread(self._usage.claim, presignature_id, record)
        except CryptoError as exc:
            raise BadRequest(f"signing refused: {exc}") from None
        try:
            certificate = await self._agreement.certify(slot, presig.public, record)
            share = sign_share(presig, pkp.key, pkp.share, to_sign, recorded_use=record, certificate=certificate)
        except CryptoError as exc:
            raise BadRequest(f"signing refused: {exc}") from None
        finally:
            self._pool.retire(presignature_id)  # used (or burned) either way: its secrets go
        if self._fault == Fault.WRONG_SIGNATURE_SHARES:
            share = testfaults.wrong_signature_share(share)
        scheme = {} if group is SECP256K1 else {"signingScheme": sig_type}  # K256 payloads keep their shape
        return {
            **scheme,
            "sigType": sig_type,
            "shareIndex": self._index,
            "signatureShare": share.to_dict(),
            "bigR": group.encode(presig.public.big_r).hex(),
            "publicKey": "0x" + pkp.public_key.hex(),
            "dataSigned": "0x" + bytes(to_sign).hex(),
            "keyId": "0x" + pkp.key_id.hex(),
            "presignature": presig.public.to_dict(),
            "certificate": certificate.to_dict(),
            "signingSet": list(certificate.signers),
        }
