"""`litrt init NAME`: scaffold a Lit Action with its params, a fetch mock and a passing pytest test.

The test uses litrt's pytest plugin (runtime/testing/plugin.py): one fast run of the action alone in
the sandbox with its fetch mocked, one run on a local network that checks the PKP's signature with
eth_account. Only the standard library is imported here: `litrt --help` stays fast.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .common import Subparsers

__all__ = ["register", "scaffold"]

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")

# The action follows Lit's conditional-signing guide (LIT-Protocol/developer-guides-code,
# conditional-signing): jsParams as globals, an async IIFE, a Lit.Actions signing call named by sigName.
_ACTION = """\
// __NAME__: signs `message` with your PKP, but only when the price at `priceUrl` is at least `minPrice`.
// jsParams: publicKey (your PKP's, 0x04...), message, priceUrl (answers {"price": <number>}), minPrice.
// Response: {"signed": true|false, "price": <number>}; the signature (an EIP-191 personal_sign of
// `message`) is under the name "sig".
(async () => {
  const answer = await fetch(priceUrl);
  if (!answer.ok) throw new Error(`${priceUrl} answered HTTP ${answer.status}`);
  const { price } = await answer.json();
  if (typeof price !== "number") throw new Error(`${priceUrl} did not answer {"price": <number>}`);
  if (price < minPrice) {
    Lit.Actions.setResponse({ response: JSON.stringify({ signed: false, price }) });
    return;
  }
  await Lit.Actions.ethPersonalSignMessageEcdsa({ message, publicKey, sigName: "sig" });
  Lit.Actions.setResponse({ response: JSON.stringify({ signed: true, price }) });
})();
"""

_PARAMS = """\
{
  "message": "hello from __NAME__",
  "priceUrl": "https://api.example.com/v1/price",
  "minPrice": 100
}
"""

_PRICE = """\
{"price": 42}
"""

_TEST = '''\
"""Tests of the __NAME__ action: its logic alone in the V8 sandbox (fast, no network), and its signature
on a local Lit network (the session's first network test starts one: chain, IPFS, 4 nodes, ~15 s).

Run: python3 -m pytest -q __NAME__
The fixtures (lit_run, lit_client, dev_pkp, ...) come from litrt's pytest plugin, installed with litrt.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from runtime.client import NotPermitted

HERE = Path(__file__).parent
ACTION = HERE / "action.js"
PARAMS = json.loads((HERE / "params.json").read_text())
PRICE_API = "api.example.com"  # params.json's priceUrl is on this host; mocked, so no test leaves this machine


def test_does_not_sign_below_the_minimum_price(lit_run):
    price = PARAMS["minPrice"] - 1
    result = lit_run(ACTION, PARAMS, fetch_mocks={PRICE_API: {"price": price}})
    assert result.error is None, result.error
    assert json.loads(result.response) == {"signed": False, "price": price}


def test_fails_when_the_price_api_is_down(lit_run):
    result = lit_run(ACTION, PARAMS, fetch_mocks={PRICE_API: {"status": 503, "bodyText": "down"}})
    assert result.error is not None and "HTTP 503" in result.error.message


@pytest.mark.asyncio
@pytest.mark.lit_network(fetch_mocks={PRICE_API: {"price": 150}})
async def test_signs_with_the_pkp_once_permitted(lit_client, dev_pkp):
    cid = await lit_client.upload_action(ACTION)
    params = {**PARAMS, "publicKey": dev_pkp.public_key}
    with pytest.raises(NotPermitted):  # a PKP signs only for the actions its owner permitted
        await lit_client.execute_js(ipfs_id=cid, js_params=params)

    await dev_pkp.permit_action(cid, scopes=[2])  # 2: PersonalSign, what ethPersonalSignMessageEcdsa needs
    result = await lit_client.execute_js(ipfs_id=cid, js_params=params)
    assert result.response == {"signed": True, "price": 150}
    signature = result.signatures["sig"]["signature"]
    # eth_account, not litrt, checks the signature: it must recover to the PKP's address.
    assert Account.recover_message(encode_defunct(text=PARAMS["message"]), signature=signature) == dev_pkp.address
'''

_README = """\
# __NAME__

A Lit Action (`action.js`) that signs `message` with a PKP when a fetched price is at least `minPrice`.

- `params.json`: its jsParams (the tests add `publicKey`, the test PKP's).
- `price.json`: a fetch mock, the price API's answer, for trying the action by hand.
- `test___SLUG__.py`: its tests, with litrt's pytest fixtures (`lit_run`, `lit_network`, `lit_client`, `dev_pkp`).

```bash
python3 -m pytest -q __NAME__    # fast sandbox tests, then one on a local 4-node network
litrt run __NAME__/action.js --params @__NAME__/params.json --mock-fetch api.example.com=__NAME__/price.json
```

`litrt run` has no keys, so it shows the branch that does not sign (price 42 < 100); the network test
signs with a real PKP and checks the signature with eth_account.
"""


def scaffold(target: Path) -> list[Path]:
    """Write the scaffold into the new directory `target`; the files written.
    ValueError when the directory's name is not usable or the directory exists and is not empty."""
    name = target.name
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"NAME {name!r}: use a letter, then letters, digits, _ or - (at most 64); it names the directory and its test"
        )
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValueError(f"{target} already exists and is not an empty directory; choose another NAME")
    slug = name.replace("-", "_").lower()
    files = {
        "action.js": _ACTION,
        "params.json": _PARAMS,
        "price.json": _PRICE,
        # Named after the action, not test_action.py: pytest refuses two test modules of one basename
        # in directories without __init__.py, and a project scaffolds more than one action.
        f"test_{slug}.py": _TEST,
        "README.md": _README,
    }
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in files.items():
        path = target / filename
        path.write_text(text.replace("__NAME__", name).replace("__SLUG__", slug), encoding="utf-8")
        written.append(path)
    return written


def _init(args: argparse.Namespace) -> int:
    try:
        written = scaffold(Path(args.name))
    except ValueError as exc:
        print(f"litrt init: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"litrt init: cannot write {args.name}: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"created {path}")
    print(f"next: python3 -m pytest -q {args.name}")
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "init", help="scaffold an action, its params and a passing pytest test",
        description="Create NAME/ with action.js (signs with a PKP), params.json, a fetch mock, "
        "test_NAME.py (litrt's pytest fixtures) and a README.",
    )
    parser.add_argument("name", metavar="NAME", help="the new directory (a path; its last part names the action)")
    parser.set_defaults(handler=_init)
