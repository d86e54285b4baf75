"""The Python SDK: LitClient and authSigs."""

from .auth import create_auth_sig
from .client import ExecuteResult, LitClient
from .errors import ActionError, LitError, NetworkError, NotEnoughShares, NotPermitted

__all__ = ["LitClient", "ExecuteResult", "create_auth_sig", "LitError", "NetworkError", "NotPermitted", "NotEnoughShares", "ActionError"]
