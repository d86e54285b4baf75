"""Where foreign errors enter the client, they become the client's own (runtime/client/errors.py).

Each helper wraps one kind of entry point: the caller's arguments, a node's answer, the chain, the
network directory. The original error stays as `__cause__`; the message names what failed, then
says why in the foreign error's own words. Errors that are already LitErrors pass through as they
are, so scopes can nest (the innermost, most precise, wins).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.crypto.errors import CryptoError
from runtime.crypto.eth import parse_private_key

from .errors import ChainError, InvalidArgument, LitError, NetworkError, NoNetwork, NotPermitted

if TYPE_CHECKING:
    from runtime.network.launcher import NetworkInfo

__all__ = ["caller_argument", "chain_call", "check_private_key", "node_answer", "open_network", "reason"]


def reason(exc: BaseException) -> str:
    """The foreign error in a few words: its text, or its class name when it has none (KeyError('x')
    would print as just 'x')."""
    text = str(exc)
    if isinstance(exc, KeyError) and not isinstance(exc, LitError):
        return f"missing {text}"
    return text or type(exc).__name__


@contextmanager
def caller_argument(what: str) -> Iterator[None]:
    """Checking what the caller gave as `what`: a ValueError, TypeError, KeyError or crypto error
    inside becomes InvalidArgument("<what>: <why>")."""
    try:
        yield
    except LitError:
        raise
    except (ValueError, TypeError, KeyError, CryptoError) as exc:
        raise InvalidArgument(f"{what}: {reason(exc)}") from exc


@contextmanager
def node_answer(what: str) -> Iterator[None]:
    """Reading `what` out of a node's answer: anything malformed there (not JSON, a field missing or
    of the wrong type, bytes that do not decode) becomes NetworkError("<what> is malformed: <why>")."""
    try:
        yield
    except LitError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, CryptoError) as exc:
        raise NetworkError(f"{what} is malformed: {reason(exc)}") from exc


@contextmanager
def chain_call(what: str) -> Iterator[None]:
    """Calling the PKP contract for `what`: a refusal for not owning the PKP becomes NotPermitted, an
    argument the chain layer rejects InvalidArgument, any other runtime.chain error ChainError."""
    # runtime.chain.errors loads nothing heavy, but only the methods that reach the chain need it.
    from runtime.chain import errors as chain

    try:
        yield
    except LitError:
        raise
    except chain.NotOwner as exc:
        raise NotPermitted(f"{what}: {exc}") from exc
    except chain.InvalidArgument as exc:
        raise InvalidArgument(f"{what}: {exc}") from exc
    except chain.ChainError as exc:
        raise ChainError(f"{what}: {exc}") from exc


def check_private_key(key: object, what: str = "private_key") -> str | bytes:
    """`key` (bytes for a bytearray) if it is a usable secp256k1 private key (32 bytes, or 64 hex
    digits); InvalidArgument otherwise."""
    if not isinstance(key, (str, bytes, bytearray)):
        raise InvalidArgument(f"{what}: expected a hex string or 32 bytes, got {type(key).__name__}")
    usable = bytes(key) if isinstance(key, bytearray) else key
    with caller_argument(what):
        parse_private_key(usable)
    return usable


def open_network(state_dir: str | Path) -> NetworkInfo:
    """The network described in `state_dir` (what `litrt up` wrote); NoNetwork naming the directory
    when there is none or it cannot be read."""
    from runtime.network.launcher import load_network

    try:
        return load_network(state_dir)
    except FileNotFoundError as exc:
        raise NoNetwork(str(exc)) from exc
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise NoNetwork(f"the network description in {state_dir} cannot be read: {reason(exc)}") from exc
