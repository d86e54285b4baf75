"""Errors raised by the threshold cryptography.

    CryptoError
     ├── InvalidInput          malformed or out-of-range input; names the field that was wrong
     │    └── InvalidPoint     not on the curve, not in the subgroup, or the identity
     ├── ProtocolError         a protocol message that breaks the rules (wrong phase, bad sender, ...)
     ├── VerificationFailed    a share, proof or signature did not check out; names the party if known
     ├── NotEnoughShares       fewer valid shares than the threshold needs; says how many of each
     └── PresignatureReused    a presignature was asked to sign twice, or a second message
"""

from __future__ import annotations

__all__ = [
    "CryptoError",
    "InvalidInput",
    "InvalidPoint",
    "ProtocolError",
    "VerificationFailed",
    "NotEnoughShares",
    "PresignatureReused",
]


class CryptoError(Exception):
    """Base of every error raised by runtime.crypto."""


class InvalidInput(CryptoError, ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidPoint(InvalidInput):
    pass


class ProtocolError(CryptoError):
    pass


class VerificationFailed(CryptoError):
    def __init__(self, message: str, parties: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.parties = parties


class NotEnoughShares(CryptoError):
    def __init__(self, have: int, need: int, bad_parties: tuple[int, ...] = ()) -> None:
        detail = f"; parties with invalid shares: {list(bad_parties)}" if bad_parties else ""
        super().__init__(f"not enough valid shares: have {have}, need {need}{detail}")
        self.have = have
        self.need = need
        self.bad_parties = bad_parties


class PresignatureReused(CryptoError):
    pass
