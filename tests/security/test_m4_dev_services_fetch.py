"""M4: on a dev network (fetch may reach loopback) actions still cannot reach the chain or IPFS.

The dev chain signs eth_sendTransaction for its funded accounts; an action that could POST to it
could permit its own CID on a dev-owned PKP and then sign with it in the same run.
"""

from __future__ import annotations

import json

import pytest

from runtime.client import ActionError, LitClient

pytestmark = pytest.mark.slow

POST_TO = """
const go = async () => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  Lit.Actions.setResponse({ response: await res.text() });
};
go();
"""


@pytest.mark.parametrize("service", ["chain", "ipfs"])
async def test_an_action_cannot_reach_the_dev_chain_or_ipfs(network, service):
    url = network.chain_url if service == "chain" else network.ipfs_url + "/api/v0/id"
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_accounts", "params": []})
    async with await LitClient.connect(network.state_dir) as client:
        with pytest.raises(ActionError, match="own services"):
            await client.execute_js(code=POST_TO, js_params={"url": url, "body": body})
