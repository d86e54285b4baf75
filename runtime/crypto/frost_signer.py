"""One FROST signer's state (RFC 9591 §5.1–5.2): its share of one key and the nonces it has
committed to, each of which signs once. The pure functions it uses are in `frost.py`."""

from __future__ import annotations

from typing import Any

from .errors import InvalidInput, PresignatureReused
from .frost import Commitment, Nonces, SigningPackage, check_identifier, commit, sign_share
from .frost_suites import Ciphersuite

__all__ = ["FrostSigner"]

class FrostSigner:
    """One party's signing state for one key: nonces it has committed to, each used for one signature.

    A nonce pair leaves this object before the share it makes exists, so a second package naming
    the same commitment is refused. A node that keeps nonces across restarts must delete a pair from
    its store before the share leaves, and hand back only the remaining ones (`adopt`)."""

    def __init__(self, suite: Ciphersuite, identifier: int, secret_share: int, group_public_key: Any) -> None:
        check_identifier(suite, identifier, "identifier")
        if not isinstance(secret_share, int) or not 0 < secret_share < suite.order:
            raise InvalidInput("secret_share", "out of range")
        if suite.group.is_identity(group_public_key):
            raise InvalidInput("group_public_key", "identity point not allowed")
        self.suite = suite
        self.identifier = identifier
        self._share = secret_share
        even = group_public_key if suite.key_parity(group_public_key) == 1 else suite.group.neg(group_public_key)
        self._signing_key = suite.encode_point(even)  # as a SigningPackage holds it
        self._nonces: dict[bytes, Nonces] = {}  # keyed by the encoded hiding commitment

    @property
    def pending(self) -> int:
        """How many committed nonce pairs are still unused."""
        return len(self._nonces)

    def commit(self, randomness: bytes) -> Commitment:
        nonces, commitment = commit(self.suite, self.identifier, self._share, randomness)
        return self._keep(nonces, commitment)

    def adopt(self, nonces: Nonces) -> Commitment:
        """Take back an unused nonce pair from the node's store (after a restart)."""
        g = self.suite.group
        return self._keep(nonces, Commitment(self.identifier, g.base_mul(nonces.hiding), g.base_mul(nonces.binding)))

    def _keep(self, nonces: Nonces, commitment: Commitment) -> Commitment:
        self._nonces[self.suite.encode_point(commitment.hiding)] = nonces
        return commitment

    def sign(self, package: SigningPackage) -> int:
        if package.suite is not self.suite:
            raise InvalidInput("package", f"is for {package.suite.scheme}, this signer holds {self.suite.scheme}")
        if self.suite.encode_point(package.group_public_key) != self._signing_key:
            raise InvalidInput("package", f"is for another group key than signer {self.identifier}'s")
        key = self.suite.encode_point(package.commitment_of(self.identifier).hiding)
        nonces = self._nonces.pop(key, None)  # gone before the share exists: it can never sign twice
        if nonces is None:
            raise PresignatureReused(f"signer {self.identifier}: nonce commitment unknown or already used")
        return sign_share(package, self.identifier, self._share, nonces)
