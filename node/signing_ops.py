"""Signing inside Lit Actions: signEcdsa, sign, ethPersonalSignMessageEcdsa, the action's own key
(signAsAction, getActionPublicKey, verifyActionSignature) and claimKey.

A share leaves the node only through the signing agreement (node/agreement.py); it is sealed for
the client, which combines the shares of every node (runtime/client). signAsAction's share also
goes to the other nodes running the request, so that each can combine the signature and hand it
to the action, as Lit's node does (lit-node `functions/action_client.rs::sign_with_action`).
"""

from __future__ import annotations

import json
from typing import Any

from eth_account.messages import encode_defunct
from eth_utils.crypto import keccak

from runtime.crypto.action_key import action_public_key, public_key_hex, signed_data_output, verify_signed_data_output
from runtime.crypto.ecdsa import EcdsaSignature
from runtime.crypto.errors import CryptoError, VerificationFailed
from runtime.crypto.hd import HD_P256, HdCurve, action_key_id
from runtime.crypto.schemes import scheme as scheme_named
from runtime.crypto.share_payloads import combine_share_payloads
from sandbox import HostError, OpContext

from . import frost_ops
from .op_args import K256_ECDSA, blank_arg, bytes32_arg, bytes_arg, scheme_arg, scheme_refusal
from .signer import SCOPE_PERSONAL_SIGN, SCOPE_SIGN_ANYTHING, Pkp
from .context import NodeContext
from .request import RequestContext

__all__ = ["SigningOps", "CLAIM_WALLET_PURPOSE"]

CLAIM_WALLET_PURPOSE = "lit-claim-wallet"  # the sealed store's derived key that signs claims
_SHARES_WAIT_S = 15.0


class SigningOps:
    """Mixed into NodeHost, which provides `_service`, `_request` and `action_cid`."""

    _service: NodeContext
    _request: RequestContext
    action_cid: str

    def _take_sig_name(self, args: dict[str, Any]) -> str:
        sig_name = blank_arg(args, "sigName")
        if sig_name in self._request.signed or sig_name in self._request.combined:
            raise HostError(f"sigName {sig_name!r} is already used in this execution")
        return sig_name

    async def _share(self, key: Pkp, to_sign: bytes, sig_name: str, scheme: str) -> dict[str, Any]:
        """This node's share for `key` under the agreement, recorded for the client."""
        slot = self._request.slot(sig_name)
        self._request.signed[sig_name] = {}  # taken while the nodes agree: a second sign with it is refused
        try:
            share = await self._service.signer.sign(key, to_sign, slot)
        except BaseException:
            del self._request.signed[sig_name]
            raise
        # sigType stays Lit v7's "K256" (its SDK combines only those); the scheme travels beside it.
        self._request.signed[sig_name] = {**share, "sigName": sig_name, "signingScheme": scheme}
        return share

    async def _sign_pkp(self, to_sign: bytes, args: dict[str, Any], scope: int, scheme: str = K256_ECDSA) -> str:
        sig_name = self._take_sig_name(args)
        signer = self._service.signer
        pkp = await signer.resolve(args.get("publicKey"))
        refusal = scheme_refusal(scheme, pkp.key_type)
        if refusal is not None:
            raise HostError(f"Lit.Actions.sign: {refusal}")
        await signer.authorize(pkp, scope, self.action_cid, self._request.auth_sig, self._request.auth_methods)
        frost = frost_ops.frost_scheme(scheme)
        if frost is not None:  # the PKP's key id derives its key on the scheme's curve, as its mint did
            await frost_ops.frost_sign(self._service, self._request, sig_name, frost, pkp.key_id, to_sign)
        else:
            await self._share(pkp, to_sign, sig_name, scheme)
        return "success"

    async def op_signEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        return await self._sign_pkp(bytes32_arg(args.get("toSign"), "toSign"), args, SCOPE_SIGN_ANYTHING)

    async def op_sign(self, args: dict[str, Any], ctx: OpContext) -> str:
        """Lit.Actions.sign: for EcdsaK256Sha256 (a K256 PKP) and EcdsaP256Sha256 (a P256 PKP) the 32
        bytes are signed as given (Lit's node hashes nothing for ECDSA; the scheme's SHA-256 is the
        caller's to apply), from a presignature of the PKP's curve. With
        SchnorrK256Sha256 / SchnorrK256Taproot a K256 PKP, with SchnorrEd25519Sha512 an Ed25519 PKP,
        signs by FROST (node/frost_signing.py) and the client combines the shares; a scheme of
        another curve than the PKP's is refused by name."""
        to_sign = bytes_arg(args.get("toSign"), "toSign")
        blank_arg(args, "publicKey")
        blank_arg(args, "sigName")
        scheme = scheme_arg(args, "sign")
        if frost_ops.frost_scheme(scheme) is None:
            to_sign = bytes32_arg(to_sign, "toSign")  # Schnorr schemes sign the bytes as given, any length
        return await self._sign_pkp(to_sign, args, SCOPE_SIGN_ANYTHING, scheme)

    async def op_ethPersonalSignMessageEcdsa(self, args: dict[str, Any], ctx: OpContext) -> str:
        message = args.get("message")
        data = bytes(message) if isinstance(message, list) else str(message).encode()
        prefixed = b"\x19Ethereum Signed Message:\n" + str(len(data)).encode() + data
        return await self._sign_pkp(keccak(prefixed), args, SCOPE_PERSONAL_SIGN)

    # ---- the action's own key ------------------------------------------------------------------

    def _action_public_key(self, cid: str, curve: HdCurve) -> Any:
        """The action's ECDSA key on `curve`, from that curve's root keys."""
        keys = self._service.require_keys()
        try:
            roots = [row[0] for row in keys.root_commitments_for(curve)]
        except CryptoError as exc:  # a network made before it had root keys on this curve
            raise HostError(f"signingScheme: {exc}") from None
        try:
            return action_public_key(cid, roots, curve)
        except CryptoError as exc:
            raise HostError(f"actionIpfsCid: {exc}") from None

    async def op_signAsAction(self, args: dict[str, Any], ctx: OpContext) -> str:
        """Sign with the running action's key (no PKP, so no permission), then combine with the
        other nodes' shares: the action gets Lit's SignedDataOutput JSON, the client the shares."""
        to_sign = bytes_arg(args.get("toSign"), "toSign")  # Lit's order of checks: toSign, sigName, scheme
        sig_name = self._take_sig_name(args)
        scheme = scheme_arg(args, "signAsAction", action_key=True)
        frost = frost_ops.frost_scheme(scheme)
        if frost is not None:  # every node combines the verified shares itself
            key_id = action_key_id(self.action_cid)
            payload = await frost_ops.frost_sign(self._service, self._request, sig_name, frost, key_id, to_sign)
            return json.dumps(frost_ops.signed_data_output(frost, payload))
        to_sign = bytes32_arg(to_sign, "toSign")
        request_id = self._request.slot(sig_name).request_id
        curve = scheme_named(scheme).hd  # EcdsaK256Sha256: k256, EcdsaP256Sha256: p256 (its presignatures too)
        key = self._service.signer.action_key(self.action_cid, curve)  # its own CID: never one the action names
        share = await self._share(key, to_sign, sig_name, scheme)
        combined = await self._combine_with_peers("signAsAction", request_id, f"action-shares:{sig_name}", sig_name, share)
        if combined["publicKey"] != "0x" + key.public_key.hex():
            raise HostError("Lit.Actions.signAsAction: the nodes combined a signature for another key than this action's")
        signature = EcdsaSignature(int(combined["r"], 16), int(combined["s"], 16), int(combined["recid"]))
        return json.dumps(signed_data_output(signature, key.key.public_key, to_sign, curve))

    async def _combine_with_peers(
        self, op: str, request_id: str, topic: str, sig_name: str, share: dict[str, Any]
    ) -> dict[str, Any]:
        """The signature from this node's share and the others' (each checked), through the
        request's exchange (node/exchange.py); a HostError naming `op` and the bad nodes if 2t+1
        good shares do not arrive. For any Lit.Actions call that combines inside the node."""
        exchange, t = self._service.exchange, self._service.t
        keys = self._service.require_keys()
        roots = keys.root_commitments
        other = {HD_P256.name: keys.root_commitments_for(HD_P256)} if keys.p256 is not None else {}
        combined: dict[str, Any] = {}

        def enough(payloads: dict[int, Any]) -> bool:
            try:
                combined.update(combine_share_payloads(sig_name, payloads, roots, t, other))
            except VerificationFailed:
                return False  # too few yet, or a liar among them: wait for more
            return True

        await exchange.publish(request_id, topic, share)
        payloads = await exchange.wait(request_id, topic, enough, _SHARES_WAIT_S)
        if not combined:
            try:
                combined.update(combine_share_payloads(sig_name, payloads, roots, t, other))
            except VerificationFailed as exc:  # names the nodes whose shares were bad
                raise HostError(
                    f"Lit.Actions.{op}: {exc} (from {len(payloads)} nodes within {_SHARES_WAIT_S:.0f} s)"
                ) from None
        return combined

    async def op_getActionPublicKey(self, args: dict[str, Any], ctx: OpContext) -> str:
        """Lit returns the key as a string: uncompressed SEC1 hex for the ECDSA schemes, K256 or P256
        (FROST keys: node/frost_ops.py)."""
        scheme = scheme_arg(args, "getActionPublicKey", action_key=True)
        frost = frost_ops.frost_scheme(scheme)
        if frost is not None:
            return frost_ops.action_public_key_text(self._service, frost, blank_arg(args, "actionIpfsCid"))
        curve = scheme_named(scheme).hd
        return public_key_hex(self._action_public_key(blank_arg(args, "actionIpfsCid"), curve), curve)

    async def op_verifyActionSignature(self, args: dict[str, Any], ctx: OpContext) -> bool:
        """Local: the action key is public, so no other node is asked."""
        to_sign = bytes_arg(args.get("toSign"), "toSign")
        scheme = scheme_arg(args, "verifyActionSignature", action_key=True)
        frost = frost_ops.frost_scheme(scheme)
        if frost is not None:
            cid = blank_arg(args, "actionIpfsCid")
            return frost_ops.verify_signed_data_output(self._service, frost, cid, to_sign, blank_arg(args, "signOutput"))
        curve = scheme_named(scheme).hd
        public_key = self._action_public_key(blank_arg(args, "actionIpfsCid"), curve)
        sign_output = blank_arg(args, "signOutput")
        try:
            return verify_signed_data_output(sign_output, public_key, to_sign, curve)
        except CryptoError as exc:
            raise HostError(str(exc)) from None

    # ---- claims --------------------------------------------------------------------------------

    async def op_claimKey(self, args: dict[str, Any], ctx: OpContext) -> str:
        """Lit's claim: this node's wallet signs (EIP-191) keccak256(cid + "_" + keyId), the key id
        a PKP for the claim is then derived from; returned in the execute response's claimData."""
        key_id = blank_arg(args, "keyId")
        derived_key_id = keccak(f"{self.action_cid}_{key_id}".encode())
        signed = self._service.claim_wallet.sign_message(encode_defunct(primitive=derived_key_id))
        self._request.claims[key_id] = {
            "signature": bytes(signed.signature).hex(),
            "derivedKeyId": derived_key_id.hex(),
        }
        return "success"
