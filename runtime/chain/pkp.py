"""Clients of the PKP contracts (contracts/PKPRegistry.sol, contracts/NetworkKeys.sol).

Used by the nodes (reads) and the client SDK (mint, permit). How minting works and why the
nodes must check the pubkey against its key id is written at the top of PKPRegistry.sol:
in short, the minter derives the PKP public key from the public root keys and the key id the
contract assigns (`key_id_for`), and registers it; a node recomputes it before signing.

IPFS CIDs are stored as their multihash bytes (0x1220 + sha256 digest), as Lit stores the
base58-decoded CIDv0; a CIDv1 with the same multihash names the same action.

Auth methods are Lit's: `AuthMethod(auth_method_type, id, user_pubkey)`, type 1 an address (id = its
20 bytes), type 2 an action (id = the CID's multihash), any other non-zero type an app's own. Permitted
addresses and actions are auth methods of type 1 and 2, so both families of calls see the same entries.

Key types are named as runtime.crypto.hd names curves ("k256", "ed25519", "p256") and stored as
Lit's numbers (lit-peer CurveType: 2 K256, 3 Ed25519, 6 P256). K256 and P256 keys are 65 bytes
uncompressed (which curve, the point itself says: none is on both), an Ed25519 key its 32-byte RFC
8032 encoding; the token id is keccak256 of those bytes either way.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import coincurve
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from ..crypto.ed25519 import ED25519
from ..crypto.errors import CryptoError
from ..crypto.hd import HdCurve
from ..crypto.p256 import P256
from ..crypto.presignature import ECDSA_GROUPS
from ..ipfs.cid import CID, DAG_PB
from ..ipfs.errors import CidError
from .contract import ContractClient, load_artifact
from .errors import ChainError, InvalidArgument
from .web3util import TxSender, connect, mapped_errors

__all__ = [
    "SCOPE_SIGN_ANYTHING",
    "SCOPE_PERSONAL_SIGN",
    "AUTH_METHOD_ADDRESS",
    "AUTH_METHOD_ACTION",
    "AuthMethod",
    "auth_method_id",
    "PkpContracts",
    "MintedPkp",
    "NetworkKeysInfo",
    "deploy",
    "PkpRegistry",
    "NetworkKeysRegistry",
    "pubkey_to_token_id",
    "normalize_pubkey",
    "registry_form",
    "cid_to_bytes",
    "bytes_to_cid",
    "KEY_TYPES",
    "key_type_of",
]

SCOPE_SIGN_ANYTHING = 1
SCOPE_PERSONAL_SIGN = 2
_SCOPES = (SCOPE_SIGN_ANYTHING, SCOPE_PERSONAL_SIGN)
AUTH_METHOD_ADDRESS = 1
AUTH_METHOD_ACTION = 2
_UINT256_MAX = 2**256 - 1
# The contract's scope bitmap is one uint256, so Lit's maxScopeId is at most 256 there.
MAX_SCOPE_ID = 255

# Lit's keyType numbers (lit-peer CurveType) of the key types PKPRegistry.sol accepts.
KEY_TYPES = {"k256": 2, "ed25519": 3, "p256": 6}
_KEY_TYPE_NAMES = {number: name for name, number in KEY_TYPES.items()}

# derive(key_id) or derive(key_id, key_type): the PKP public key for the key id; may be async.
DerivePubkey = Callable[[bytes], bytes | Awaitable[bytes]] | Callable[[bytes, str], bytes | Awaitable[bytes]]


@dataclass(frozen=True)
class PkpContracts:
    """Where the contracts of one network live."""

    chain_id: int
    pkp_registry: str
    network_keys: str


@dataclass(frozen=True)
class MintedPkp:
    token_id: int
    key_id: bytes  # 32 bytes: the HD derivation id
    pubkey: bytes  # k256 and p256: 65 bytes, uncompressed (0x04...); ed25519: 32 bytes
    owner: str
    tx_hash: str
    key_type: str = "k256"


@dataclass(frozen=True)
class NetworkKeysInfo:
    ecdsa_root_keys: list[bytes]
    bls_public_key: bytes
    threshold: int


@dataclass(frozen=True)
class AuthMethod:
    """Lit's AuthMethod: `user_pubkey` is empty except for methods that verify with a key (WebAuthn)."""

    auth_method_type: int
    id: bytes
    user_pubkey: bytes = b""


def auth_method_id(auth_method_type: int, id: bytes) -> int:
    """Lit's authMethodId: uint256(keccak256(abi.encode(authMethodType, id)))."""
    method_type = _method_type(auth_method_type)
    return int.from_bytes(keccak(abi_encode(["uint256", "bytes"], [method_type, _method_id(method_type, id)])), "big")


def key_type_of(pubkey: bytes | str) -> str:
    """The key type a public key says: 32 bytes Ed25519; 33 or 65 bytes K256 when the point is on
    secp256k1, P256 when it is on P-256 (K256 for a point on neither, which normalize_pubkey refuses).
    An uncompressed point is on one curve at most; about half of all x are valid on both, so a
    compressed key on both is taken as K256, as before P256 keys existed: pass the key type."""
    raw = _pubkey_bytes(pubkey)
    if len(raw) == 32:
        return "ed25519"
    if len(raw) not in (33, 65):
        raise InvalidArgument(
            "pubkey", f"{len(raw)} bytes is no PKP key: K256 and P256 keys have 33 or 65 bytes, Ed25519 keys 32"
        )
    try:
        coincurve.PublicKey(raw)
    except ValueError:
        return "p256" if _p256_point(raw) is not None else "k256"
    return "k256"


def _p256_point(raw: bytes) -> Any:
    try:
        return P256.decode(raw, "pubkey")
    except CryptoError:
        return None


def _pubkey_bytes(pubkey: bytes | str) -> bytes:
    try:
        return bytes.fromhex(pubkey.removeprefix("0x")) if isinstance(pubkey, str) else bytes(pubkey)
    except (ValueError, TypeError):
        raise InvalidArgument("pubkey", f"not hex or bytes: {pubkey!r:.80}") from None


def _key_type(key_type: str) -> str:
    if key_type not in KEY_TYPES:
        raise InvalidArgument("key_type", f"unknown key type {key_type!r:.40}; PKPRegistry takes {', '.join(KEY_TYPES)}")
    return key_type


def normalize_pubkey(pubkey: bytes | str, key_type: str | None = None) -> bytes:
    """A PKP public key in the form the registry stores, its curve checked: K256 and P256 (33 or 65
    bytes) as 65 uncompressed bytes, Ed25519 as its 32 bytes. `key_type` None: as the key says."""
    raw = _pubkey_bytes(pubkey)
    key_type = key_type_of(raw) if key_type is None else _key_type(key_type)
    if key_type == "ed25519":
        if len(raw) != 32:
            raise InvalidArgument("pubkey", f"an Ed25519 public key is 32 bytes, not {len(raw)}")
        try:
            ED25519.decode(raw, "pubkey")
        except CryptoError as exc:
            raise InvalidArgument("pubkey", f"not an Ed25519 public key: {exc}") from None
        return raw
    if key_type == "p256":
        point = _p256_point(raw) if len(raw) in (33, 65) else None
        if point is None:
            raise InvalidArgument("pubkey", f"not a P-256 public key ({len(raw)} bytes)")
        return P256.encode_uncompressed(point)
    try:
        return coincurve.PublicKey(raw).format(compressed=False)
    except ValueError as exc:
        raise InvalidArgument("pubkey", f"not a secp256k1 public key ({len(raw)} bytes): {exc}") from None


def registry_form(curve: HdCurve, point: Any) -> bytes:
    """A PKP key, derived on `curve`, as PKPRegistry stores it: K256 and P256 keys 65 bytes
    uncompressed, an Ed25519 key its 32 bytes."""
    ecdsa = ECDSA_GROUPS.get(curve.group.name)
    return curve.group.encode(point) if ecdsa is None else ecdsa.encode_uncompressed(point)


def pubkey_to_token_id(pubkey: bytes | str, key_type: str | None = None) -> int:
    """Lit's rule: uint256(keccak256(pubkey)), K256 and P256 keys uncompressed (65 bytes), Ed25519 32 bytes."""
    return int.from_bytes(keccak(normalize_pubkey(pubkey, key_type)), "big")


def cid_to_bytes(cid: str) -> bytes:
    """The bytes the contract stores for an action CID: its multihash."""
    try:
        return CID.parse(cid).multihash
    except CidError as exc:
        raise InvalidArgument("cid", str(exc)) from None


def bytes_to_cid(raw: bytes) -> str:
    """The CIDv0 string of stored multihash bytes (how Lit shows permitted actions)."""
    try:
        return str(CID(0, DAG_PB, bytes(raw)))
    except CidError as exc:
        raise ChainError(f"stored action id 0x{bytes(raw).hex()} is not a sha2-256 multihash: {exc}") from None


def _scopes(scopes: Sequence[int]) -> list[int]:
    bad = [s for s in scopes if s not in _SCOPES]
    if bad:
        raise InvalidArgument("scopes", f"unknown scope(s) {bad}: use 1 (sign-anything) or 2 (personal-sign)")
    return [int(s) for s in scopes]


def _method_type(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _UINT256_MAX:
        reason = f"must be an integer in [1, 2**256) (0 is Lit's NULLMETHOD), not {value!r}"
        raise InvalidArgument("auth_method_type", reason)
    return value


def _method_id(method_type: int, value: bytes) -> bytes:
    if not isinstance(value, (bytes, bytearray)) or not value:
        raise InvalidArgument("id", f"must be non-empty bytes, not {value!r}")
    if method_type == AUTH_METHOD_ADDRESS and len(value) != 20:
        raise InvalidArgument("id", f"an address auth method's id is the 20 address bytes, not {len(value)} bytes")
    return bytes(value)


def _address(value: str, field: str) -> str:
    try:
        return to_checksum_address(value)
    except (ValueError, TypeError):
        raise InvalidArgument(field, f"not an Ethereum address: {value!r}") from None


async def deploy(rpc_url: str, deployer_key: str | bytes, *, admin: str | None = None) -> PkpContracts:
    """Deploy PKPRegistry and NetworkKeys; `admin` (default: the deployer) may set the network keys once."""
    w3 = connect(rpc_url)
    try:
        sender = TxSender(w3, rpc_url, deployer_key)
        admin = _address(admin, "admin") if admin is not None else sender.address
        addresses = []
        for name, args in (("PKPRegistry", []), ("NetworkKeys", [admin])):
            artifact = load_artifact(name)
            with mapped_errors(rpc_url, f"encoding {name} deployment"):
                data = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode).constructor(*args).data_in_transaction
            receipt = await sender.send({"data": data}, f"deploying {name}")
            addresses.append(receipt["contractAddress"])
        with mapped_errors(rpc_url, "eth_chainId"):
            chain_id = await w3.eth.chain_id
        return PkpContracts(chain_id=chain_id, pkp_registry=addresses[0], network_keys=addresses[1])
    finally:
        await w3.provider.disconnect()


class PkpRegistry(ContractClient):
    """PKP minting, ownership and permissions."""

    artifact_name = "PKPRegistry"

    # ---- minting and ownership ---------------------------------------------------------------

    async def key_id_for(self, minter: str, salt: bytes) -> bytes:
        """The key id the contract will assign to a mint by `minter` with `salt`."""
        return bytes(await self._call("keyIdFor", _address(minter, "minter"), _salt(salt)))

    async def mint(self, derive_pubkey: DerivePubkey, *, salt: bytes | None = None, key_type: str = "k256") -> MintedPkp:
        """Mint a PKP of `key_type` ("k256", "ed25519" or "p256") owned by this client's key.

        `derive_pubkey(key_id)`, or `derive_pubkey(key_id, key_type)` when it takes two arguments,
        returns the PKP public key for the key id (the HD derivation from the network's root public
        keys of that curve; may be async). `salt` defaults to 32 random bytes.
        """
        sender = self._require_sender("PKPRegistry.mint")
        key_type = _key_type(key_type)
        salt = _salt(salt if salt is not None else os.urandom(32))
        key_id = await self.key_id_for(sender.address, salt)
        derived = derive_pubkey(key_id, key_type) if _takes_key_type(derive_pubkey) else derive_pubkey(key_id)  # type: ignore[call-arg]
        pubkey = normalize_pubkey(await derived if inspect.isawaitable(derived) else derived, key_type)
        if key_type == "k256":  # the call minters made before key types, so its gas and events stay
            receipt = await self._transact("mint", salt, pubkey)
        else:
            receipt = await self._transact("mintWithKeyType", KEY_TYPES[key_type], salt, pubkey)
        (event,) = self._events(receipt, "PKPMinted")
        minted = MintedPkp(
            token_id=int(event["tokenId"]),
            key_id=bytes(event["keyId"]),
            pubkey=bytes(event["pubkey"]),
            owner=event["owner"],
            tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
            key_type=key_type,
        )
        if minted.key_id != key_id or minted.token_id != pubkey_to_token_id(pubkey, key_type):
            raise ChainError(f"PKPRegistry at {self.address} minted something other than asked: {minted}")
        return minted

    async def exists(self, token_id: int) -> bool:
        return bool(await self._call("exists", token_id))

    async def owner_of(self, token_id: int) -> str:
        return str(await self._call("ownerOf", token_id))

    async def get_pubkey(self, token_id: int) -> bytes:
        return bytes(await self._call("getPubkey", token_id))

    async def get_key_id(self, token_id: int) -> bytes:
        return bytes(await self._call("getKeyId", token_id))

    async def get_key_type(self, token_id: int) -> str:
        """The PKP's key type by name ("k256", "ed25519", "p256"); Lit's number is KEY_TYPES[name]."""
        number = int(await self._call("getKeyType", token_id))
        try:
            return _KEY_TYPE_NAMES[number]
        except KeyError:
            raise ChainError(f"PKPRegistry at {self.address} records key type {number} for PKP {token_id}, unknown here") from None

    async def token_id_for_key_id(self, key_id: bytes) -> int | None:
        token_id = int(await self._call("getTokenIdByKeyId", _salt(key_id, "key_id")))
        return token_id or None

    async def tokens_of_owner(self, owner: str) -> list[int]:
        return [int(t) for t in await self._call("tokensOfOwner", _address(owner, "owner"))]

    async def transfer(self, token_id: int, to: str) -> str:
        receipt = await self._transact("transferFrom", self.sender_address, _address(to, "to"), token_id)
        return _tx_hash(receipt)

    # ---- permissions -------------------------------------------------------------------------

    async def add_permitted_action(self, token_id: int, cid: str, scopes: Sequence[int]) -> str:
        return _tx_hash(await self._transact("addPermittedAction", token_id, cid_to_bytes(cid), _scopes(scopes)))

    async def remove_permitted_action(self, token_id: int, cid: str) -> str:
        return _tx_hash(await self._transact("removePermittedAction", token_id, cid_to_bytes(cid)))

    async def add_permitted_address(self, token_id: int, address: str, scopes: Sequence[int]) -> str:
        args = (token_id, _address(address, "address"), _scopes(scopes))
        return _tx_hash(await self._transact("addPermittedAddress", *args))

    async def remove_permitted_address(self, token_id: int, address: str) -> str:
        return _tx_hash(await self._transact("removePermittedAddress", token_id, _address(address, "address")))

    async def is_permitted_action(self, token_id: int, cid: str) -> bool:
        return bool(await self._call("isPermittedAction", token_id, cid_to_bytes(cid)))

    async def is_permitted_address(self, token_id: int, address: str) -> bool:
        return bool(await self._call("isPermittedAddress", token_id, _address(address, "address")))

    async def get_permitted_actions(self, token_id: int) -> list[str]:
        return [bytes_to_cid(raw) for raw in await self._call("getPermittedActions", token_id)]

    async def get_permitted_addresses(self, token_id: int) -> list[str]:
        return [str(a) for a in await self._call("getPermittedAddresses", token_id)]

    async def get_permitted_action_scopes(self, token_id: int, cid: str) -> list[int]:
        return [int(s) for s in await self._call("getPermittedActionScopes", token_id, cid_to_bytes(cid))]

    async def get_permitted_address_scopes(self, token_id: int, address: str) -> list[int]:
        args = (token_id, _address(address, "address"))
        return [int(s) for s in await self._call("getPermittedAddressScopes", *args)]

    async def is_permitted_action_scope(self, token_id: int, cid: str, scope: int) -> bool:
        args = (token_id, AUTH_METHOD_ACTION, cid_to_bytes(cid), int(scope))
        return bool(await self._call("isPermittedAuthMethodScopePresent", *args))

    # ---- auth methods ------------------------------------------------------------------------

    async def add_permitted_auth_method(self, token_id: int, auth_method: AuthMethod, scopes: Sequence[int]) -> str:
        """Permit `auth_method` with `scopes` (owner only); adding it again adds the scopes."""
        method_type = _method_type(auth_method.auth_method_type)
        user_pubkey = auth_method.user_pubkey
        if not isinstance(user_pubkey, (bytes, bytearray)):
            raise InvalidArgument("user_pubkey", f"must be bytes (empty when unused), not {user_pubkey!r}")
        method = (method_type, _method_id(method_type, auth_method.id), bytes(user_pubkey))
        return _tx_hash(await self._transact("addPermittedAuthMethod", token_id, method, _scopes(scopes)))

    async def remove_permitted_auth_method(self, token_id: int, auth_method_type: int, id: bytes) -> str:
        """Forget the auth method and its scopes (owner only); reverts when it is not permitted."""
        args = self._method_args(auth_method_type, id)
        return _tx_hash(await self._transact("removePermittedAuthMethod", token_id, *args))

    async def add_permitted_auth_method_scope(self, token_id: int, auth_method_type: int, id: bytes, scope: int) -> str:
        args = (*self._method_args(auth_method_type, id), *_scopes([scope]))
        return _tx_hash(await self._transact("addPermittedAuthMethodScope", token_id, *args))

    async def remove_permitted_auth_method_scope(
        self, token_id: int, auth_method_type: int, id: bytes, scope: int
    ) -> str:
        args = (*self._method_args(auth_method_type, id), *_scopes([scope]))
        return _tx_hash(await self._transact("removePermittedAuthMethodScope", token_id, *args))

    async def get_permitted_auth_methods(self, token_id: int) -> list[AuthMethod]:
        """Every permitted auth method of the token, addresses and actions included, in no set order."""
        found = await self._call("getPermittedAuthMethods", token_id)
        return [AuthMethod(int(t), bytes(i), bytes(p)) for t, i, p in found]

    async def is_permitted_auth_method(self, token_id: int, auth_method_type: int, id: bytes) -> bool:
        return bool(await self._call("isPermittedAuthMethod", token_id, *self._method_args(auth_method_type, id)))

    async def is_permitted_auth_method_scope(self, token_id: int, auth_method_type: int, id: bytes, scope: int) -> bool:
        args = (token_id, *self._method_args(auth_method_type, id), int(scope))
        return bool(await self._call("isPermittedAuthMethodScopePresent", *args))

    async def get_permitted_auth_method_scopes(
        self, token_id: int, auth_method_type: int, user_id: bytes, max_scope_id: int
    ) -> list[bool]:
        """result[s] says whether scope s is granted, for s in 0..max_scope_id *inclusive*.

        That is one entry more than Lit's contract function (and ours) returns for the same
        maxScopeId; the Lit.Actions op (node/auth_methods.py) gives Lit's length.
        """
        if isinstance(max_scope_id, bool) or not isinstance(max_scope_id, int) or not 0 <= max_scope_id <= MAX_SCOPE_ID:
            raise InvalidArgument("max_scope_id", f"must be an integer in [0, {MAX_SCOPE_ID}], not {max_scope_id!r}")
        args = (token_id, *self._method_args(auth_method_type, user_id), max_scope_id + 1)
        return [bool(b) for b in await self._call("getPermittedAuthMethodScopes", *args)]

    async def get_auth_method_id(self, auth_method_type: int, id: bytes) -> int:
        """The contract's authMethodId (equal to `auth_method_id`, which needs no chain)."""
        return int(await self._call("getAuthMethodId", *self._method_args(auth_method_type, id)))

    async def get_token_ids_for_auth_method(self, auth_method_type: int, id: bytes) -> list[int]:
        """The PKPs that permit this auth method."""
        return [int(t) for t in await self._call("getTokenIdsForAuthMethod", *self._method_args(auth_method_type, id))]

    @staticmethod
    def _method_args(auth_method_type: int, id: bytes) -> tuple[int, bytes]:
        method_type = _method_type(auth_method_type)
        return method_type, _method_id(method_type, id)


class NetworkKeysRegistry(ContractClient):
    """The network's root ECDSA public keys and BLS public key, written once by the admin."""

    artifact_name = "NetworkKeys"

    async def admin(self) -> str:
        return str(await self._call("admin"))

    async def set_network_keys(self, ecdsa_root_keys: Sequence[bytes], bls_public_key: bytes, threshold: int) -> str:
        keys = [bytes(k) for k in ecdsa_root_keys]
        receipt = await self._transact("setNetworkKeys", keys, bytes(bls_public_key), int(threshold))
        return _tx_hash(receipt)

    async def get_network_keys(self) -> NetworkKeysInfo | None:
        """None until the admin has set them."""
        if not await self._call("isSet"):
            return None
        return NetworkKeysInfo(
            ecdsa_root_keys=[bytes(k) for k in await self._call("getEcdsaRootKeys")],
            bls_public_key=bytes(await self._call("getBlsPublicKey")),
            threshold=int(await self._call("threshold")),
        )


def _takes_key_type(derive: Callable[..., Any]) -> bool:
    """Whether a derive callback takes the key type as well (two positional parameters)."""
    try:
        params = inspect.signature(derive).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


def _salt(value: bytes, field: str = "salt") -> bytes:
    if not isinstance(value, (bytes, bytearray)) or len(value) != 32:
        raise InvalidArgument(field, "must be exactly 32 bytes")
    return bytes(value)


def _tx_hash(receipt: dict[str, Any]) -> str:
    return "0x" + bytes(receipt["transactionHash"]).hex()
