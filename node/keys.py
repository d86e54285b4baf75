"""The network keys as this node holds them after genesis: its shares and the public commitments.

Root keys are per curve, as Lit's (lit-peer keeps `root_keys` per CurveType): the K secp256k1 root
keys serve every K256 scheme (ECDSA and both FROST ones), the K Ed25519 root keys
SchnorrEd25519Sha512, the K P-256 ones EcdsaP256Sha256. A network made before a curve's root keys
existed has none (that field is None) and refuses its keys by name rather than deriving from nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from runtime.crypto.bls import G1
from runtime.crypto.bls_threshold import ThresholdPublicKey
from runtime.crypto.dkg import DkgResult
from runtime.crypto.errors import InvalidInput
from runtime.crypto.hd import HD_ED25519, HD_K256, HD_P256, DerivedKey, HdCurve, derive_key, derive_secret_share
from runtime.crypto.secp256k1 import Point

__all__ = ["NetworkKeys"]


@dataclass
class NetworkKeys:
    ecdsa: DkgResult  # K root secp256k1 keys, degree t
    bls: DkgResult  # the BLS12-381 network key, degree 2t
    ed25519: DkgResult | None = None  # K root Ed25519 keys, degree t (None on networks made before them)
    p256: DkgResult | None = None  # K root P-256 keys, degree t (likewise)
    _derived: dict[tuple[str, bytes], tuple[DerivedKey, int]] = field(default_factory=dict, repr=False)
    _roots: dict[str, list[list[Any]]] = field(default_factory=dict, repr=False)

    @cached_property
    def root_commitments(self) -> list[list[Point]]:
        return self.root_commitments_for(HD_K256)

    def roots(self, curve: HdCurve) -> DkgResult:
        """The DKG result holding `curve`'s root keys; InvalidInput naming the curve if there is none."""
        if curve is HD_K256:
            return self.ecdsa
        chosen = {HD_ED25519.name: self.ed25519, HD_P256.name: self.p256}.get(curve.name)
        if chosen is not None:
            return chosen
        raise InvalidInput("key_type", f"this network has no {curve.name} root keys (its genesis made none)")

    def root_commitments_for(self, curve: HdCurve) -> list[list[Any]]:
        """Every root key's Feldman commitments on `curve` (row j: root key j)."""
        cached = self._roots.get(curve.name)
        if cached is None:
            cached = self._roots[curve.name] = [k.commitment_points(curve.group) for k in self.roots(curve).keys]
        return cached

    @property
    def t(self) -> int:
        return self.ecdsa.t

    def derive(self, key_id: bytes, curve: HdCurve = HD_K256) -> tuple[DerivedKey, int]:
        """The PKP key for `key_id` on `curve`: its public data and this node's secret share of it."""
        cached = self._derived.get((curve.name, key_id))
        if cached is None:
            key = derive_key(key_id, self.root_commitments_for(curve), curve)
            share = derive_secret_share(key_id, [k.share for k in self.roots(curve).keys], curve)
            cached = self._derived[(curve.name, key_id)] = (key, share)
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
            **self._curve_info("ed25519", self.ed25519),
            **self._curve_info("p256", self.p256),
        }

    @staticmethod
    def _curve_info(prefix: str, roots: DkgResult | None) -> dict[str, Any]:
        if roots is None:
            return {}
        return {
            f"{prefix}RootKeys": list(roots.public_keys),
            f"{prefix}Commitments": [list(k.commitments) for k in roots.keys],
            f"{prefix}Qualified": list(roots.qualified),
        }

    def to_record(self) -> dict[str, Any]:
        record = {"ecdsa": self.ecdsa.to_dict(), "bls": self.bls.to_dict()}
        for name, roots in (("ed25519", self.ed25519), ("p256", self.p256)):
            if roots is not None:
                record[name] = roots.to_dict()
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "NetworkKeys":
        def optional(name: str) -> DkgResult | None:
            return DkgResult.from_dict(record[name]) if record.get(name) is not None else None

        return cls(
            ecdsa=DkgResult.from_dict(record["ecdsa"]),
            bls=DkgResult.from_dict(record["bls"]),
            ed25519=optional("ed25519"),
            p256=optional("p256"),
        )
