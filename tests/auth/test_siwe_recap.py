"""The SIWE parser and the ReCap decoder on their own: exact grammar, named refusals, round trips."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.auth.recap import Capabilities, encode_recap, parse_recap, pkp_resource, recap_statement
from runtime.auth.siwe import SiweError, SiweMessage, SiwePolicy, parse_siwe, parse_time

ADDRESS = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A"
NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
POLICY = SiwePolicy(domains=("localhost", "lit.example:8443"), chain_id=31337)


def _message(**kw) -> SiweMessage:
    base = dict(domain="localhost", address=ADDRESS, uri="lit:session:ab", version="1", chain_id=31337,
                nonce="abcdefgh", issued_at=NOW, expiration_time=NOW + timedelta(hours=1), statement="Hi.")
    return SiweMessage(**{**base, **kw})


@given(statement=st.one_of(st.none(), st.text("abc .'", min_size=1, max_size=20)),
       resources=st.lists(st.sampled_from(["https://a.example/x", "ipfs://Qm1", "urn:recap:e30"]), max_size=3),
       scheme=st.sampled_from([None, "https"]))
def test_to_text_then_parse_is_identity(statement, resources, scheme):
    message = _message(statement=statement, resources=tuple(resources), scheme=scheme, request_id="r-1",
                       not_before=NOW)
    assert parse_siwe(message.to_text()) == message


def test_statement_absent_has_the_eip_4361_blank_lines():
    text = _message(statement=None).to_text()
    assert f"{ADDRESS}\n\n\nURI: " in text and parse_siwe(text).statement is None


@pytest.mark.parametrize("value", ["2030-01-01T00:00:00", "2030-01-01 00:00:00Z", "2030-13-01T00:00:00Z", "tomorrow"])
def test_times_need_rfc3339_with_a_zone(value):
    with pytest.raises(SiweError, match="Issued At"):
        parse_time(value, "Issued At")


def test_time_zones_and_fractions_are_read_exactly():
    assert parse_time("2030-01-01T02:00:00.123456789+02:00", "x") == datetime(2030, 1, 1, 0, 0, 0, 123456, timezone.utc)


def test_policy_domains_may_name_a_port_and_uri_may_be_a_page_of_the_domain():
    POLICY.check(_message(domain="lit.example:8443", uri="https://lit.example:8443/login"), NOW)
    POLICY.check(_message(uri="http://localhost:3000/"), NOW)
    with pytest.raises(SiweError, match="domain"):
        POLICY.check(_message(domain="lit.example"), NOW)
    with pytest.raises(SiweError, match="Not Before"):
        POLICY.check(_message(not_before=NOW + timedelta(minutes=5)), NOW)


def test_trailing_or_unknown_lines_are_refused():
    text = _message().to_text()
    with pytest.raises(SiweError, match="unexpected line"):
        parse_siwe(text + "\n")
    with pytest.raises(SiweError, match="unexpected line"):
        parse_siwe(text + "\nFoo: bar")
    with pytest.raises(SiweError, match="LF only"):
        parse_siwe(text.replace("\n", "\r\n"))


def test_recap_round_trip_and_lit_statement():
    urn, statement = encode_recap([("Threshold/Signing", pkp_resource(1)), ("Threshold/Execution", "lit-litaction://*")])
    caps = parse_recap(("https://x.example", urn), "Sign in. " + statement)
    assert caps.allows("Threshold/Signing", pkp_resource(1)) and not caps.allows("Threshold/Signing", pkp_resource(2))
    assert caps.allows("Threshold/Execution", "lit-litaction://QmZ")
    assert statement.endswith("(1) 'Threshold': 'Execution' for 'lit-litaction://*'. (2) 'Threshold': 'Signing' for "
                              f"'{pkp_resource(1)}'.")
    assert recap_statement({"r://1": {"A/x": [], "A/y": [], "B/z": []}}).endswith(
        "(1) 'A': 'x', 'y' for 'r://1'. (2) 'B': 'z' for 'r://1'.")
    # Only the last resource is the ReCap (EIP-5573).
    assert parse_recap((urn, "https://x.example"), statement) == Capabilities()


def test_star_star_grants_every_ability_on_its_resource():
    caps = Capabilities({"lit-pkp://*": frozenset({"*/*"})})
    assert caps.allows("Threshold/Signing", pkp_resource(9)) and not caps.allows("Threshold/Execution", "lit-litaction://Q")
