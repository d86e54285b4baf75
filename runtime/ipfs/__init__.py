"""IPFS content addressing for litrt: Kubo-identical CIDs, an embedded block store, a
trustless fetch that hashes every block before use, and a small Kubo-RPC/gateway service.

    build_dag(data) -> Dag                     root CID and blocks, as `ipfs add` makes them
    CID.parse(text) / str(cid)                 CIDv0 "Qm..." and CIDv1 "b..." (dag-pb, raw; sha2-256)
    BlockStore(dir).put/get/has/add_bytes/cat  one file per block, atomic writes
    await fetch_verified(cid, sources, max_bytes)   sources: StoreSource, GatewaySource, KuboRpcSource
    create_app(store) / await serve(store, host, port)
"""

from .cid import CID, DAG_PB, RAW, SHA2_256, block_cid
from .errors import (
    BlockNotFound,
    BlockVerificationError,
    CidError,
    DagError,
    FetchTimeout,
    IpfsError,
    SizeLimitExceeded,
    SourceError,
)
from .fetch import MAX_BLOCK_SIZE, VerifiedFetcher, fetch_verified
from .http_api import VERSION, create_app
from .http_runner import RunningServer, run_forever, serve
from .importer import CHUNK_SIZE, MAX_LINKS, Block, Dag, ImportResult, build_dag, import_chunks, import_file
from .reader import iter_file, read_file
from .sources import BlockSource, GatewaySource, KuboRpcSource, StoreSource
from .store import BlockStore

__all__ = [
    "CID",
    "DAG_PB",
    "RAW",
    "SHA2_256",
    "block_cid",
    "IpfsError",
    "CidError",
    "DagError",
    "BlockNotFound",
    "BlockVerificationError",
    "SizeLimitExceeded",
    "SourceError",
    "FetchTimeout",
    "CHUNK_SIZE",
    "MAX_LINKS",
    "Block",
    "Dag",
    "ImportResult",
    "build_dag",
    "import_chunks",
    "import_file",
    "iter_file",
    "read_file",
    "BlockStore",
    "BlockSource",
    "StoreSource",
    "GatewaySource",
    "KuboRpcSource",
    "VerifiedFetcher",
    "fetch_verified",
    "MAX_BLOCK_SIZE",
    "create_app",
    "VERSION",
    "RunningServer",
    "serve",
    "run_forever",
]
