"""The Python SDK: LitClient and authSigs."""

from .auth import create_auth_sig
from .client import ExecuteResult, LitClient
from .sync import SyncLitClient
from .errors import ActionError, LitError, NetworkError, NotEnoughShares, NotPermitted

__all__ = ["LitClient", "SyncLitClient", "ExecuteResult", "create_auth_sig", "LitError", "NetworkError", "NotPermitted", "NotEnoughShares", "ActionError"]
