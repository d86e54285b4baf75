"""The chain names a Lit node knows, for conditions that name a chain but read none.

lit-peer evaluates an evmBasic condition only after `get_web3(condition.chain)` found the chain in
the node's RPC config (`access_control/mod.rs::check_condition`), even when the condition reads
nothing: a `:userAddress` or `:currentActionIpfsId` comparison (standardContractType "" and method
""). Lit's nodes are configured with every chain Lit supports, so such a condition naming
"ethereum" passes there, and one naming a made-up chain fails with "Chain not found". This runtime
configures only the chains its operator runs, so a condition that reads no chain may name any of
the chains below (the keys of lit-peer `lit-node/rpc-config.example.yaml`) or a configured one.
"""

from __future__ import annotations

__all__ = ["LIT_CHAINS"]

LIT_CHAINS: frozenset[str] = frozenset(
    """
    alfajores amoy anvil arbitrum arbitrumSepolia aurora avalanche base baseGoerli baseSepolia blast
    blastSepolia bsc celo cheqdMainnet cheqdTestnet chronicleTestnet cosmos cronos eluvio ethereum etna
    evmos evmosTestnet fantom filecoin filecoinCalibrationTestnet fuji goerli hyperspace hardhat harmony
    juno kyve lineaGoerli lineaSepolia lit litTestnet litMainnet localchain localchainArbitrum lukso
    luksoTestnet moonbaseAlpha moonbeam moonriver mumbai optimism optimismGoerli polygon sepolia
    scrollSepolia scroll solanaTestnet xdai chiado xdc zkSync zksyncTestnet zkEvm zora zoraGoerli
    mantleTestnet mantle klaytn publicGoodsNetwork waevEclipseTestnet waevEclipseDevnet verifyTestnet
    vesuvius yellowstone skaleTestnet skale skaleCalypso skaleCalypsoTestnet skaleEuropa
    skaleEuropaTestnet skaleTitan skaleTitanTestnet fhenixHelium fhenixNitrogen hederaTestnet
    bitTorrentTestnet storyOdyssey campTestnet hushedNorthstar matchain coreDao zkCandySepoliaTestnet
    vana moksha rootstock rootstockTestnet merlin merlinTestnet bsquared bsquaredTestnet monadTestnet
    bitlayer bitlayerTestnet bob hederaMainnet load peaqTestnet peaqMainnet sonicMainnet
    sonicBlazeTestnet holeskyTestnet flowEvmTestnet flowEvmMainnet confluxEspaceMainnet
    statusNetworkSepolia
    """.split()
)
