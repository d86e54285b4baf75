"""Testing Lit Actions with pytest: the `litrt` pytest plugin and the helpers its fixtures hand out.

The plugin (`runtime.testing.plugin`, registered as the `pytest11` entry point `litrt`) is loaded in
every pytest run once litrt is installed, so this package imports nothing heavy: the network launcher,
the client and the sandbox are imported by the fixtures that need them, when a test asks for one.

Fixtures: `lit_network`, `lit_networks`, `lit_client`, `dev_key`, `dev_pkp`, `lit_run`.
Options: `--lit-nodes N`, `--lit-mock-fetch HOST=FILE.json|URL`, `--lit-state-dir DIR`
(ini: `lit_nodes`, `lit_fetch_mocks`). Marker: `@pytest.mark.lit_network(nodes=N, fetch_mocks={...})`.
"""

__all__: list[str] = []
