"""The launcher's check that every node finished genesis with the same public keys (no network:
the nodes' published `network` objects are given directly)."""

from __future__ import annotations

import pytest

from runtime.network.launcher import _check_same_network_keys


def test_identical_keys_pass() -> None:
    published = {"ecdsaRootKeys": ["02aa"], "ecdsaQualified": [1, 2, 3]}
    _check_same_network_keys([dict(published) for _ in range(4)])


def test_a_difference_names_the_field_and_the_nodes() -> None:
    honest = {"ecdsaRootKeys": ["02aa"], "ecdsaQualified": [1, 2, 3, 4]}
    published = [dict(honest), {**honest, "ecdsaQualified": [1, 2, 4]}, dict(honest), {**honest, "ecdsaQualified": [1, 2, 4]}]
    with pytest.raises(RuntimeError, match=r"field 'ecdsaQualified' of node\(s\) \[2, 4\] differs from node 1's \(\[1, 2, 3, 4\] vs \[1, 2, 4\]\)"):
        _check_same_network_keys(published)


def test_a_field_one_node_lacks_is_a_difference() -> None:
    with pytest.raises(RuntimeError, match=r"field 'p256RootKeys' of node\(s\) \[2\]"):
        _check_same_network_keys([{"p256RootKeys": ["03bb"]}, {}])
