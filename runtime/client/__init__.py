"""The Python SDK: LitClient and authSigs."""

from runtime.access import ConditionError
from runtime.access.jwt import JwtError, verify_jwt

from .access import DecryptResult, EncryptedData, encrypt
from .auth import create_auth_sig, eth_wallet_auth_method
from .client import ExecuteResult, LitClient
from .sync import SyncLitClient
from .errors import ActionError, LitError, NetworkError, NotEnoughShares, NotPermitted

__all__ = [
    "LitClient", "SyncLitClient", "ExecuteResult", "create_auth_sig", "eth_wallet_auth_method", "encrypt", "verify_jwt", "EncryptedData",
    "DecryptResult", "LitError", "NetworkError", "NotPermitted", "NotEnoughShares", "ActionError",
    "ConditionError", "JwtError",
]
