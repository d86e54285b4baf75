"""The network keys as this node holds them after genesis: its shares and the public commitments."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from runtime.crypto.bls import G1
from runtime.crypto.bls_threshold import ThresholdPublicKey
from runtime.crypto.dkg import DkgResult
from runtime.crypto.hd import DerivedKey, derive_key, derive_secret_share
from runtime.crypto.secp256k1 import SECP256K1, Point

__all__ = ["NetworkKeys"]


@dataclass
class NetworkKeys:
    ecdsa: DkgResult  # K root secp256k1 keys, degree t
    bls: DkgResult  # the BLS12-381 network key, degree 2t
    _derived: dict[bytes, tuple[DerivedKey, int]] = field(default_factory=dict, repr=False)

    @cached_property
    def root_commitments(self) -> list[list[Point]]:
        return [k.commitment_points(SECP256K1) for k in self.ecdsa.keys]

    @property
    def t(self) -> int:
        return self.ecdsa.t

    def derive(self, key_id: bytes) -> tuple[DerivedKey, int]:
        """The PKP key for `key_id`: its public data and this node's secret share of it."""
        cached = self._derived.get(key_id)
        if cached is None:
            key = derive_key(key_id, self.root_commitments)
            share = derive_secret_share(key_id, [k.share for k in self.ecdsa.keys])
            cached = self._derived[key_id] = (key, share)
        return cached

    @property
    def bls_share(self) -> int:
        return self.bls.keys[0].share

    @cached_property
    def bls_commitments(self) -> list[Any]:
        return self.bls.keys[0].commitment_points(G1)

    @cached_property
    def bls_threshold_key(self) -> ThresholdPublicKey:
        """The BLS key as verifiers of shares need it: every node's public key share."""
        return ThresholdPublicKey.from_commitments(self.bls_commitments, self.bls.n)

    def public_info(self) -> dict[str, Any]:
        """What every honest node publishes identically; clients compare it across nodes."""
        return {
            "n": self.ecdsa.n,
            "t": self.ecdsa.t,
            "threshold": 2 * self.ecdsa.t + 1,
            "ecdsaRootKeys": list(self.ecdsa.public_keys),
            "ecdsaCommitments": [list(k.commitments) for k in self.ecdsa.keys],
            "ecdsaQualified": list(self.ecdsa.qualified),
            "blsPublicKey": self.bls.keys[0].public_key,
            "blsCommitments": list(self.bls.keys[0].commitments),
            "blsQualified": list(self.bls.qualified),
        }

    def to_record(self) -> dict[str, Any]:
        return {"ecdsa": self.ecdsa.to_dict(), "bls": self.bls.to_dict()}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "NetworkKeys":
        return cls(ecdsa=DkgResult.from_dict(record["ecdsa"]), bls=DkgResult.from_dict(record["bls"]))
