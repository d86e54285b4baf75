"""DevPkp: a PKP minted by the dev owner key for one test, with the calls a test makes on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eth_keys.datatypes import PublicKey

from runtime.chain.pkp import SCOPE_SIGN_ANYTHING, MintedPkp
from runtime.client import LitClient

__all__ = ["DevPkp"]


@dataclass
class DevPkp:
    """A fresh PKP owned by `owner_key`; nothing is permitted on it until the test says so."""

    client: LitClient
    owner_key: str
    minted: MintedPkp

    @property
    def token_id(self) -> int:
        return self.minted.token_id

    @property
    def pubkey(self) -> bytes:
        return self.minted.pubkey

    @property
    def public_key(self) -> str:
        """0x04..., as actions take it in jsParams.publicKey."""
        return "0x" + self.minted.pubkey.hex()

    @property
    def address(self) -> str:
        """The PKP's checksummed Ethereum address, which its ECDSA signatures recover to. Derived by
        eth_keys, not by litrt's own code, so a test comparing a recovered signer with it checks litrt."""
        return str(PublicKey(self.minted.pubkey[1:]).to_checksum_address())

    async def permit_action(self, cid: str, scopes: Sequence[int] = (SCOPE_SIGN_ANYTHING,)) -> str:
        """Let the action with IPFS id `cid` sign with this PKP; returns the transaction hash."""
        return await self.client.permit_action(self.owner_key, self.minted.token_id, cid, list(scopes))

    async def upload_and_permit(self, action: str | Path, scopes: Sequence[int] = (SCOPE_SIGN_ANYTHING,)) -> str:
        """Upload an action (its code, or a Path to its file), permit it, and return its CID."""
        cid = await self.client.upload_action(action)
        await self.permit_action(cid, scopes)
        return cid
