"""Errors raised by runtime.ipfs.

    IpfsError
     ├── CidError              a CID string or byte form that cannot be parsed; says why
     ├── DagError              a block that is not valid dag-pb / UnixFS, or a DAG of an unsupported shape
     ├── BlockNotFound         no source had the block; names the CID and what each source said
     ├── BlockVerificationError a block whose hash does not match its CID; names the CID
     ├── SizeLimitExceeded     the content (or one block) is larger than the caller allowed
     ├── SourceError           a source could not be asked (connection, timeout, HTTP status)
 └── FetchTimeout          a whole fetch took longer than its deadline (also a TimeoutError)

Every error that concerns one block carries that block's CID as `.cid` (a string), so callers
can report which content was bad without parsing the message.
"""

from __future__ import annotations

__all__ = [
    "IpfsError",
    "CidError",
    "DagError",
    "BlockNotFound",
    "BlockVerificationError",
    "SizeLimitExceeded",
    "SourceError",
    "FetchTimeout",
]


class IpfsError(Exception):
    """Base of every error raised by runtime.ipfs."""


class CidError(IpfsError, ValueError):
    def __init__(self, text: object, reason: str) -> None:
        shown = text if isinstance(text, str) else repr(text)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        super().__init__(f"invalid CID {shown!r}: {reason}")
        self.text = text
        self.reason = reason


class DagError(IpfsError):
    def __init__(self, cid: str | None, reason: str) -> None:
        where = f"block {cid}: " if cid else ""
        super().__init__(f"{where}{reason}")
        self.cid = cid
        self.reason = reason


class BlockNotFound(IpfsError):
    def __init__(self, cid: str, details: tuple[str, ...] = ()) -> None:
        detail = "; ".join(details)
        super().__init__(f"block {cid} not found" + (f" ({detail})" if detail else ""))
        self.cid = cid
        self.details = details


class BlockVerificationError(IpfsError):
    def __init__(self, cid: str, source: str | None = None) -> None:
        origin = f" from {source}" if source else ""
        super().__init__(f"block {cid}{origin} does not match its CID: hash mismatch, refused")
        self.cid = cid
        self.source = source


class SizeLimitExceeded(IpfsError):
    def __init__(self, cid: str, limit: int, what: str = "content", unit: str = "bytes") -> None:
        super().__init__(f"{what} of {cid} exceeds the limit of {limit} {unit}")
        self.cid = cid
        self.limit = limit


class SourceError(IpfsError):
    def __init__(self, source: str, cid: str, reason: str) -> None:
        super().__init__(f"block {cid} unavailable from {source}: {reason}")
        self.source = source
        self.cid = cid
        self.reason = reason


class FetchTimeout(IpfsError, TimeoutError):
    def __init__(self, cid: str, seconds: float) -> None:
        super().__init__(f"fetching {cid} did not finish within {seconds:g} s")
        self.cid = cid
        self.seconds = seconds
