"""The key format: made for secret scanners, checked offline, stored only as an HMAC."""

import re

import pytest

from apikeys import keys


def test_a_key_has_prefix_lookup_id_secret_and_checksum():
    raw, lookup_id = keys.generate("live")
    assert re.fullmatch(r"gvk_live_[0-9A-Za-z]{12}_[0-9A-Za-z]{28}", raw)
    assert raw[9:21] == lookup_id
    parsed = keys.parse(raw)
    assert parsed.environment == "live" and parsed.lookup_id == lookup_id
    assert keys.parse(keys.generate("test")[0]).environment == "test"


def test_the_secret_carries_at_least_128_bits():
    assert 62**keys.SECRET_LENGTH >= 2**128
    assert len({keys.generate()[0] for _ in range(200)}) == 200


@pytest.mark.parametrize(
    "mutate",
    [
        lambda k: k[:-1] + ("A" if k[-1] != "A" else "B"),  # checksum changed
        lambda k: k[:30] + ("x" if k[30] != "x" else "y") + k[31:],  # secret changed, checksum kept
        lambda k: k.replace("gvk_live_", "gvk_prod_"),  # unknown environment
        lambda k: k[:-2],  # truncated
        lambda k: k + "0",  # too long
    ],
)
def test_a_false_match_is_rejected_without_a_lookup(mutate):
    raw, _ = keys.generate()
    assert keys.parse(raw) is not None
    assert keys.parse(mutate(raw)) is None


def test_scanner_finds_keys_in_text_and_ignores_look_alikes():
    good, _ = keys.generate()
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    text = f"config = {{'key': '{good}', 'old': '{bad}'}}\nexport OTHER=gvk_live_short"
    assert [p.raw for p in keys.find_candidates(text)] == [good]


def test_digest_is_an_hmac_under_the_pepper(settings):
    raw, _ = keys.generate()
    settings.APIKEY_PEPPERS, settings.APIKEY_PEPPER_CURRENT = {1: "pepper-one"}, 1
    first = keys.digest(raw)
    assert len(first) == 64 and raw not in first
    assert keys.digest_matches(raw, first)
    settings.APIKEY_PEPPERS = {1: "pepper-two"}
    assert not keys.digest_matches(raw, first)  # a database dump without the pepper tests nothing
    assert not keys.digest_matches(raw, "")
