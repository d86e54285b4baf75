"""The `litrt` pytest plugin: test your Lit Actions on a local network, or alone in the sandbox.

    def test_logic(lit_run):                                  # no network: ~0.1 s
        result = lit_run("action.js", {"x": 1}, fetch_mocks={"api.example.com": {"price": 5}})
        assert result.error is None and result.response == "..."

    @pytest.mark.asyncio
    @pytest.mark.lit_network(fetch_mocks={"api.example.com": "price.json"})
    async def test_signs(lit_client, dev_pkp):               # a real network, started once per session
        cid = await dev_pkp.upload_and_permit(Path(__file__).parent / "action.js")
        result = await lit_client.execute_js(ipfs_id=cid, js_params={"publicKey": dev_pkp.public_key})

Loaded in every pytest run where litrt is installed (entry point `pytest11: litrt`), so this module
stays cheap to import and does nothing until a test asks for one of its fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from runtime.client import LitClient
    from runtime.network.launcher import NetworkInfo

    from .local import LocalRunner
    from .networks import NetworkPool
    from .pkp import DevPkp

try:
    import pytest_asyncio
except ImportError:  # the async fixtures then say what is missing when a test asks for them
    pytest_asyncio = None  # type: ignore[assignment]

MARKER = "lit_network"
_MARKER_KEYS = frozenset({"nodes", "fetch_mocks"})
_DEFAULT_NODES = "4"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("litrt", "litrt: test Lit Actions on a local network")
    group.addoption(
        "--lit-nodes", type=int, default=None, metavar="N",
        help=f"nodes of the lit_network fixture's network (default: ini lit_nodes, else {_DEFAULT_NODES})",
    )
    group.addoption(
        "--lit-mock-fetch", action="append", default=[], metavar="HOST=FILE.json|URL",
        help="answer the network's fetches to HOST from FILE.json or a local URL, as `litrt up --mock-fetch`; repeatable",
    )
    group.addoption(
        "--lit-state-dir", default=None, metavar="DIR",
        help="use the network already running in DIR (`litrt up --detach`) instead of starting one; it is left running",
    )
    parser.addini("lit_nodes", f"nodes of the lit_network fixture's network (default {_DEFAULT_NODES})", default=_DEFAULT_NODES)
    parser.addini(
        "lit_fetch_mocks", "HOST=FILE.json|URL lines: fetch mocks of every lit_network (FILE relative to the ini file)",
        type="linelist", default=[],
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(nodes=N, fetch_mocks={{HOST: FILE|URL|document}}): the lit_network this test gets "
        "(a network per distinct set, started once per session; FILE relative to the test file)",
    )


def _session_nodes(config: pytest.Config) -> int:
    option = config.getoption("lit_nodes")
    if option is not None:
        return int(option)
    text = str(config.getini("lit_nodes")).strip()
    try:
        return int(text)
    except ValueError:
        raise pytest.UsageError(f"ini option lit_nodes must be a whole number, not {text!r}") from None


@pytest.fixture(scope="session")
def lit_networks(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Iterator[NetworkPool]:
    """The session's networks: `lit_networks.get(nodes=None, fetch_mocks=None)` for fixtures of a
    wider scope than a test; each distinct network starts once and stops at the end of the session."""
    from .networks import NetworkPool, mocks_from_flags

    ini_base = pytestconfig.inipath.parent if pytestconfig.inipath else pytestconfig.rootpath
    reuse = pytestconfig.getoption("lit_state_dir")
    try:
        mocks = {
            **mocks_from_flags(pytestconfig.getini("lit_fetch_mocks"), ini_base, "ini lit_fetch_mocks"),
            **mocks_from_flags(pytestconfig.getoption("lit_mock_fetch"), Path.cwd(), "--lit-mock-fetch"),
        }
        pool = NetworkPool(
            lambda name: tmp_path_factory.mktemp(name), _session_nodes(pytestconfig), mocks,
            Path(reuse).resolve() if reuse else None,
        )
    except ValueError as exc:  # MockSpecError is one; each names the option and what is wrong
        pytest.fail(str(exc), pytrace=False)
    try:
        yield pool
    finally:
        pool.close()


def _marked(request: pytest.FixtureRequest) -> tuple[int | None, dict[str, Any] | None]:
    """The node count and fetch mocks a test's lit_network marker asks for (None: the session's)."""
    from .networks import mocks_from_table

    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None, None
    if marker.args or not set(marker.kwargs) <= _MARKER_KEYS:
        pytest.fail(
            f"@pytest.mark.{MARKER} takes only the keywords nodes= and fetch_mocks=, "
            f"not {list(marker.args) + sorted(set(marker.kwargs) - _MARKER_KEYS)}",
            pytrace=False,
        )
    mocks = marker.kwargs.get("fetch_mocks")
    table = None if mocks is None else mocks_from_table(mocks, request.path.parent, f"@pytest.mark.{MARKER} fetch_mocks")
    return marker.kwargs.get("nodes"), table


@pytest.fixture
def lit_network(request: pytest.FixtureRequest, lit_networks: NetworkPool) -> NetworkInfo:
    """A running local network (chain, IPFS, nodes): the session's, or the one the test's
    `@pytest.mark.lit_network(nodes=..., fetch_mocks=...)` asks for."""
    try:
        return lit_networks.get(*_marked(request))
    except ValueError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def dev_key() -> str:
    """The dev owner key, runtime.client.dev_key(): dev account 1, funded on the local chain, the
    owner `litrt pkp mint` uses. A well-known test key: it guards nothing."""
    from runtime.client import dev_key as key

    return key()


@pytest.fixture
def lit_run(request: pytest.FixtureRequest) -> LocalRunner:
    """Run an action alone in the V8 sandbox with fetch mocks, no network: see LocalRunner."""
    from .local import LocalRunner

    return LocalRunner(request.path.parent)


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def lit_client(lit_network: NetworkInfo) -> AsyncIterator[LitClient]:
        """A LitClient connected to lit_network, closed after the test."""
        from runtime.client import LitClient

        async with await LitClient.connect(lit_network.state_dir) as client:
            yield client

    @pytest_asyncio.fixture
    async def dev_pkp(lit_client: LitClient, dev_key: str) -> DevPkp:
        """A PKP freshly minted by dev_key, nothing permitted yet: `await dev_pkp.permit_action(cid)`."""
        from .pkp import DevPkp

        return DevPkp(lit_client, dev_key, await lit_client.mint_pkp(dev_key))

else:

    @pytest.fixture
    def lit_client() -> None:
        pytest.fail("the lit_client fixture needs pytest-asyncio (pip install pytest-asyncio)", pytrace=False)

    @pytest.fixture
    def dev_pkp() -> None:
        pytest.fail("the dev_pkp fixture needs pytest-asyncio (pip install pytest-asyncio)", pytrace=False)
