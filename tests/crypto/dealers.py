"""DKG parties that cheat in one chosen way, for the tests that show honest parties leave them out.

Each overrides one step of runtime/crypto/dkg.py's DkgParty and nothing else, so the protocol
class stays free of fault switches and a test names its cheater by class.
"""

from __future__ import annotations

from runtime.crypto.dkg import DkgParty
from runtime.crypto.dkg_messages import SharePair
from runtime.crypto.secp256k1 import ORDER

__all__ = ["BadShareDealer", "LyingDealer", "TwoVictimDealer", "BiasingDealer", "FalseComplainer", "JunkSealer"]


class BadShareDealer(DkgParty):
    """Deals a wrong share to each victim, but answers a complaint with the true share."""

    victims: tuple[int, ...] = (1,)

    def _deal_share_for(self, j: int) -> SharePair:
        pair = super()._deal_share_for(j)
        if j in self.victims:
            return SharePair(((pair.s[0] + 1) % ORDER,) + pair.s[1:], pair.r)
        return pair


class LyingDealer(BadShareDealer):
    """Stands by its wrong share when the victim complains."""

    def _answer_share_for(self, j: int) -> SharePair:
        return self._deal_share_for(j)


class TwoVictimDealer(BadShareDealer):
    victims = (1, 2)


class BiasingDealer(DkgParty):
    """Deals honestly, then in the extraction phase broadcasts a constant term of its choice."""

    def _feldman_commitments(self):
        rows = super()._feldman_commitments()
        rows[0][0] = self._group.base_mul(1234567)
        return rows


class FalseComplainer(DkgParty):
    """Complains about dealer 2, whose deal was fine, to everybody alike."""

    def _complaints_to_send(self, complaints: list[int]) -> list[int]:
        return sorted(set(complaints) | {2})


class JunkSealer(DkgParty):
    """Seals junk instead of party 1's shares, in the one deal it broadcasts to all."""

    def _sealed_deal_for(self, j: int) -> bytes:
        return b"\x00" * 80 if j == 1 else super()._sealed_deal_for(j)
