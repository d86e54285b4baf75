"""FROST threshold Schnorr signing (RFC 9591) over any `frost_suites.Ciphersuite`, with no I/O.

Two rounds, after a DKG has given party i a share s_i of the group key PK (and everyone the public
shares X_i = s_i·G):

    round 1   each signer draws two nonces (d_i, e_i) from randomness handed in (`commit`, RFC 9591
              §5.1), keeps them secret and publishes D_i = d_i·G, E_i = e_i·G.
    round 2   for a message and the commitments of the signers taking part (their identifiers are
              the set S), everybody computes the same `SigningPackage`: binding factors
              ρ_i = H1(PK ‖ H4(m) ‖ H5(commitments) ‖ i), R = Σ D_i + ρ_i·E_i and the challenge c.
              Signer i returns z_i = d_i + e_i·ρ_i + λ_i·s_i·c (§5.2), λ_i its Lagrange coefficient
              over S.
    combine   the aggregator checks each z_i against X_i and (D_i, E_i) (§5.4), so a lying signer
              is named, and returns (R, Σ z_i) encoded by the suite (§5.3).

A signer's nonces sign once: `frost_signer.FrostSigner` forgets them as it uses them and refuses a commitment it
does not hold. A share cannot be left out after the fact, because R includes every signer's
commitment: after a liar is named, signing restarts without it on fresh nonces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput, NotEnoughShares, VerificationFailed
from .frost_suites import Ciphersuite
from .shamir import lagrange_coefficients

__all__ = [
    "Commitment",
    "Nonces",
    "SigningPackage",
    "check_identifier",
    "nonce_generate",
    "commit",
    "encode_commitment_list",
    "binding_factors",
    "signing_package",
    "sign_share",
    "verify_share",
    "aggregate",
]


@dataclass(frozen=True)
class Commitment:
    """A signer's public round-1 output (D_i, E_i)."""

    identifier: int
    hiding: Any
    binding: Any

    def to_dict(self, suite: Ciphersuite) -> dict[str, Any]:
        return {
            "identifier": self.identifier,
            "hiding": suite.encode_point(self.hiding).hex(),
            "binding": suite.encode_point(self.binding).hex(),
        }

    @classmethod
    def from_dict(cls, suite: Ciphersuite, data: Mapping[str, Any]) -> "Commitment":
        try:
            identifier, hiding, binding = data["identifier"], data["hiding"], data["binding"]
            raw = bytes.fromhex(str(hiding)), bytes.fromhex(str(binding))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("commitment", "expected identifier and hex hiding/binding points") from None
        where = f"commitment[{identifier}]"
        check_identifier(suite, identifier, where)
        return cls(identifier, suite.decode_point(raw[0], f"{where}.hiding"), suite.decode_point(raw[1], f"{where}.binding"))


@dataclass(frozen=True)
class Nonces:
    """A signer's secret round-1 output (d_i, e_i): never sent, used for one signature only."""

    hiding: int = field(repr=False)  # secret: never in logs or tracebacks
    binding: int = field(repr=False)

    def to_dict(self, suite: Ciphersuite) -> dict[str, str]:
        """For the signer's own durable store only."""
        return {"hiding": suite.encode_scalar(self.hiding).hex(), "binding": suite.encode_scalar(self.binding).hex()}

    @classmethod
    def from_dict(cls, suite: Ciphersuite, data: Mapping[str, Any]) -> "Nonces":
        try:
            raw = bytes.fromhex(str(data["hiding"])), bytes.fromhex(str(data["binding"]))
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("nonces", "expected hex hiding and binding scalars") from None
        hiding, binding = suite.decode_scalar(raw[0], "nonces.hiding"), suite.decode_scalar(raw[1], "nonces.binding")
        if not hiding or not binding:
            raise InvalidInput("nonces", "zero nonce")
        return cls(hiding, binding)


def check_identifier(suite: Ciphersuite, identifier: Any, field: str) -> None:
    """RFC 9591 identifiers are non-zero scalars; ours are party indices 1..n."""
    if not isinstance(identifier, int) or isinstance(identifier, bool) or not 0 < identifier < suite.order:
        raise InvalidInput(field, f"identifier {identifier!r} is not a non-zero scalar")


def nonce_generate(suite: Ciphersuite, secret: int, randomness: bytes) -> int:
    """RFC 9591 §4.1: H3(random_bytes(32) ‖ SerializeScalar(secret)); the randomness is handed in."""
    if not isinstance(randomness, (bytes, bytearray)) or len(randomness) != 32:
        raise InvalidInput("randomness", "expected 32 random bytes per nonce")
    return suite.h3(bytes(randomness) + suite.encode_scalar(secret))


def commit(suite: Ciphersuite, identifier: int, secret_share: int, randomness: bytes) -> tuple[Nonces, Commitment]:
    """RFC 9591 §5.1 from 64 bytes of fresh randomness (32 for each nonce)."""
    check_identifier(suite, identifier, "identifier")
    if not isinstance(randomness, (bytes, bytearray)) or len(randomness) != 64:
        raise InvalidInput("randomness", "expected 64 random bytes (32 per nonce)")
    nonces = Nonces(
        nonce_generate(suite, secret_share, randomness[:32]), nonce_generate(suite, secret_share, randomness[32:])
    )
    g = suite.group
    return nonces, Commitment(identifier, g.base_mul(nonces.hiding), g.base_mul(nonces.binding))


def _sorted_commitments(suite: Ciphersuite, commitments: Sequence[Commitment]) -> tuple[Commitment, ...]:
    if not commitments:
        raise InvalidInput("commitments", "no signers")
    seen: set[int] = set()
    for c in commitments:
        check_identifier(suite, c.identifier, "commitments")
        if c.identifier in seen:
            raise InvalidInput("commitments", f"signer {c.identifier} appears twice")
        seen.add(c.identifier)
        for name, point in (("hiding", c.hiding), ("binding", c.binding)):
            if suite.group.is_identity(point):
                raise InvalidInput(f"commitment[{c.identifier}].{name}", "identity point not allowed")
    return tuple(sorted(commitments, key=lambda c: c.identifier))


def encode_commitment_list(suite: Ciphersuite, commitments: Sequence[Commitment]) -> bytes:
    """RFC 9591 §4.3, over commitments sorted by identifier."""
    return b"".join(
        suite.encode_scalar(c.identifier) + suite.encode_point(c.hiding) + suite.encode_point(c.binding)
        for c in _sorted_commitments(suite, commitments)
    )


def binding_factors(
    suite: Ciphersuite, group_public_key: Any, commitments: Sequence[Commitment], message: bytes
) -> dict[int, int]:
    """RFC 9591 §4.4: ρ_i = H1(PK ‖ H4(msg) ‖ H5(encoded commitments) ‖ SerializeScalar(i))."""
    prefix = suite.encode_point(group_public_key) + suite.h4(message) + suite.h5(encode_commitment_list(suite, commitments))
    return {c.identifier: suite.h1(prefix + suite.encode_scalar(c.identifier)) for c in commitments}


@dataclass(frozen=True)
class SigningPackage:
    """Everything round 2 derives from (PK, message, commitments), the same for every party.

    `key_sign` and `nonce_sign` are ±1: BIP-340 signs for −PK when PK has odd y, and uses −R when R
    has odd y (frost_suites.Secp256k1Taproot); other suites keep both at +1."""

    suite: Ciphersuite
    group_public_key: Any  # the key the signature verifies under (even-y for BIP-340)
    message: bytes
    commitments: tuple[Commitment, ...]
    factors: Mapping[int, int]
    lambdas: Mapping[int, int]
    group_commitment: Any  # R as it appears in the signature
    challenge: int
    key_sign: int
    nonce_sign: int

    @property
    def signers(self) -> tuple[int, ...]:
        return tuple(c.identifier for c in self.commitments)

    def commitment_of(self, identifier: int) -> Commitment:
        for c in self.commitments:
            if c.identifier == identifier:
                return c
        raise InvalidInput("identifier", f"signer {identifier} has no commitment in this signing package")


def signing_package(
    suite: Ciphersuite, group_public_key: Any, message: bytes, commitments: Sequence[Commitment]
) -> SigningPackage:
    if not isinstance(message, (bytes, bytearray)):
        raise InvalidInput("message", f"expected bytes, got {type(message).__name__}")
    g = suite.group
    if g.is_identity(group_public_key):
        raise InvalidInput("group_public_key", "identity point not allowed")
    ordered = _sorted_commitments(suite, commitments)
    key_sign = suite.key_parity(group_public_key)
    pk = group_public_key if key_sign == 1 else g.neg(group_public_key)
    # The binding factors hash the key as derived, odd y and all, as Lit's frost-core does for
    # K256Taproot (its signers only negate their secret shares); the challenge takes BIP-340's even key.
    factors = binding_factors(suite, group_public_key, ordered, bytes(message))
    r = g.msm(
        [p for c in ordered for p in (c.hiding, c.binding)], [k for c in ordered for k in (1, factors[c.identifier])]
    )
    if g.is_identity(r):
        raise VerificationFailed("group commitment is the identity; signers must commit again")
    nonce_sign = suite.commitment_parity(r)
    r = r if nonce_sign == 1 else g.neg(r)
    return SigningPackage(
        suite=suite,
        group_public_key=pk,
        message=bytes(message),
        commitments=ordered,
        factors=factors,
        lambdas=lagrange_coefficients([c.identifier for c in ordered], suite.order),
        group_commitment=r,
        challenge=suite.challenge(r, pk, bytes(message)),
        key_sign=key_sign,
        nonce_sign=nonce_sign,
    )


def sign_share(package: SigningPackage, identifier: int, secret_share: int, nonces: Nonces) -> int:
    """RFC 9591 §5.2: z_i = d_i + e_i·ρ_i + λ_i·s_i·c (each term negated as BIP-340 requires)."""
    mine = package.commitment_of(identifier)
    g = package.suite.group
    if not (g.eq(g.base_mul(nonces.hiding), mine.hiding) and g.eq(g.base_mul(nonces.binding), mine.binding)):
        raise InvalidInput("nonces", f"do not match signer {identifier}'s commitment in the signing package")
    q = package.suite.order
    nonce = package.nonce_sign * (nonces.hiding + nonces.binding * package.factors[identifier])
    return (nonce + package.lambdas[identifier] * package.key_sign * secret_share * package.challenge) % q


def verify_share(package: SigningPackage, identifier: int, public_share: Any, share: int) -> bool:
    """RFC 9591 §5.4: z_i·G == ±(D_i + ρ_i·E_i) + c·λ_i·(±X_i)."""
    g, q = package.suite.group, package.suite.order
    if not isinstance(share, int) or not 0 <= share < q or g.is_identity(public_share):
        return False
    mine = package.commitment_of(identifier)
    weight = package.challenge * package.lambdas[identifier] * package.key_sign % q
    expected = g.msm(
        [mine.hiding, mine.binding, public_share],
        [package.nonce_sign, package.nonce_sign * package.factors[identifier], weight],
    )
    return g.eq(g.base_mul(share), expected)


def aggregate(package: SigningPackage, shares: Mapping[int, int], public_shares: Mapping[int, Any]) -> bytes:
    """RFC 9591 §5.3 after checking every share: the encoded signature, or an error naming the liars."""
    missing = [i for i in package.signers if i not in shares]
    if missing:
        raise NotEnoughShares(len(package.signers) - len(missing), len(package.signers))
    extra = sorted(set(shares) - set(package.signers))
    if extra:
        raise InvalidInput("shares", f"from parties {extra} that committed to nothing in this signing package")
    unknown = [i for i in package.signers if i not in public_shares]
    if unknown:
        raise InvalidInput("public_shares", f"no public share for signers {unknown}")
    liars = tuple(i for i in package.signers if not verify_share(package, i, public_shares[i], shares[i]))
    if liars:
        raise VerificationFailed(f"invalid signature shares from parties {list(liars)}", liars)
    z = sum(shares.values()) % package.suite.order
    signature = package.suite.signature(package.group_commitment, z)
    if not package.suite.verify(package.group_public_key, package.message, signature):
        # Every share checked out against its public share, so those do not add up to this key.
        raise VerificationFailed(
            "aggregate signature does not verify: fewer signers than the key's threshold, "
            "or public shares that do not belong to this group key"
        )
    return signature
