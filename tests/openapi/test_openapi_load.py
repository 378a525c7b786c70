"""Loading: YAML 1.2 semantics, limits, hostile input and $ref resolution."""

import threading

import pytest

from governance.openapi import Options, SpecError, diff_specs, load_spec, parse_text

HANG_SECONDS = 60  # a bound on a hang, not a speed requirement
MINIMAL = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"


def test_yaml_12_keeps_on_and_dates_as_strings():
    data = parse_text(b"on: yes\nwhen: 2023-01-01\nflag: true\nnumber: 017\n", "x.yaml")
    assert data == {"on": "yes", "when": "2023-01-01", "flag": True, "number": 17}


def test_merge_keys_are_honoured_and_explicit_keys_win():
    data = parse_text(b"base: &b {x: 1, y: 1}\nd:\n  <<: *b\n  y: 2\n", "x.yaml")
    assert data["d"] == {"x": 1, "y": 2}


def test_json_is_parsed_by_json():
    assert parse_text(b'{"openapi": "3.1.0"}', "x.json") == {"openapi": "3.1.0"}


def test_billion_laughs_is_refused() -> None:
    # How fast: benchmarks/hostile_inputs.py. Here only that it is refused, and a hang (an
    # expanding parser) fails the test after a timeout instead of stalling the suite.
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    outcome: list[BaseException | None] = []

    def parse():
        try:
            parse_text("\n".join(lines).encode(), "bomb.yaml")
            outcome.append(None)
        except BaseException as exc:  # reported below, in the test's thread
            outcome.append(exc)

    worker = threading.Thread(target=parse, daemon=True)  # daemon: a hung parser can't block the exit
    worker.start()
    worker.join(timeout=HANG_SECONDS)
    assert not worker.is_alive(), f"parsing the bomb still runs after {HANG_SECONDS}s"
    [error] = outcome
    assert isinstance(error, SpecError) and "not valid YAML" in str(error), error


@pytest.mark.parametrize(
    "text, name",
    [
        (b"[" * 5000 + b"]" * 5000, "deep.yaml"),
        (b'{"a":' * 5000 + b"1" + b"}" * 5000, "deep.json"),
        (b"a: [1, 2\n", "bad.yaml"),
        (b"\xff\xfe\x00garbage", "bin.yaml"),
    ],
)
def test_unusable_text_raises_one_line_spec_error(text, name):
    with pytest.raises(SpecError) as info:
        parse_text(text, name)
    assert "\n" not in str(info.value)


def test_size_limit():
    with pytest.raises(SpecError, match="over the limit"):
        parse_text(b"x" * 101, "big.yaml", max_bytes=100)


@pytest.mark.parametrize(
    "text, message",
    [
        (b"swagger: '1.2'\n", "unsupported Swagger version"),
        (b"- 1\n- 2\n", "not an OpenAPI"),
        (b"title: hello\n", "no 'openapi'"),
        (b"openapi: 4.0.0\n", "unsupported"),
        (b"openapi: 3.0.0\npaths: []\n", "mapping"),
    ],
)
def test_not_openapi_3(text, message):
    with pytest.raises(SpecError, match=message):
        load_spec(text, filename="x.yaml")


def _spec_with_ref(tmp_path, ref, name="spec.yaml"):
    path = tmp_path / name
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        f"            application/json:\n              schema: {{$ref: '{ref}'}}\n"
    )
    return path


def _diff_against_empty_schema_change(tmp_path, ref):
    base = load_spec(_spec_with_ref(tmp_path, "#/paths", "base.yaml"))
    revision = load_spec(_spec_with_ref(tmp_path, ref, "rev.yaml"))
    return diff_specs(base, revision, Options())


@pytest.mark.parametrize(
    "ref, message",
    [
        ("https://example.com/schema.yaml", "remote"),
        ("http://example.com/x#/a", "remote"),
        ("../outside.yaml#/X", "leaves the spec's folder"),
    ],
)
def test_refused_refs(tmp_path, ref, message):
    (tmp_path / "sub").mkdir()
    path = _spec_with_ref(tmp_path / "sub", ref, "spec.yaml")
    spec = load_spec(path)
    with pytest.raises(SpecError, match=message):
        spec.deref({"$ref": ref}, "/x")


@pytest.mark.parametrize("sibling", ["spec-evil", "spec2", "spec.d"])
def test_a_ref_into_a_sibling_folder_sharing_the_spec_folders_name_is_refused(tmp_path, sibling):
    # /tmp/x/spec-evil/a.yaml starts with the string "/tmp/x/spec": a prefix test of the path
    # would let it through; the folder containment test must not.
    folder, evil = tmp_path / "spec", tmp_path / sibling
    folder.mkdir()
    evil.mkdir()
    (evil / "a.yaml").write_text("Secret: {type: string}\n")
    ref = f"../{sibling}/a.yaml#/Secret"
    spec = load_spec(_spec_with_ref(folder, ref))
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        spec.deref({"$ref": ref}, "/x")
    # The same file reached through a link inside the folder is refused too (realpath first).
    (folder / "link").symlink_to(evil, target_is_directory=True)
    with pytest.raises(SpecError, match="leaves the spec's folder"):
        spec.deref({"$ref": "link/a.yaml#/Secret"}, "/x")


def test_relative_file_ref_inside_folder(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "pet.yaml").write_text("Pet:\n  type: object\n")
    spec = load_spec(_spec_with_ref(tmp_path, "schemas/pet.yaml#/Pet"))
    target, location, _ = spec.deref({"$ref": "schemas/pet.yaml#/Pet"}, "/x")
    assert target == {"type": "object"}
    assert location == "schemas/pet.yaml#/Pet"


def test_ref_in_example_is_data(tmp_path):
    text = (
        b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  examples:\n"
        b"    scim:\n      value: {$ref: 'https://api.github.com/scim/v2/x'}\n"
    )
    changed = text.replace(b"v2/x", b"v2/y")
    report = diff_specs(load_spec(text, "a.yaml"), load_spec(changed, "b.yaml"), Options())
    assert report.findings == []


def test_ref_cycles_terminate():
    base = (
        b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      requestBody:\n"
        b"        content:\n          application/json:\n            schema: {$ref: '#/components/schemas/Node'}\n"
        b"      responses: {'200': {description: ok}}\ncomponents:\n  schemas:\n    Node:\n      type: object\n"
        b"      properties:\n        next: {$ref: '#/components/schemas/Node'}\n        name: {type: string}\n"
    )
    revision = base.replace(b"name: {type: string}", b"label: {type: string}")
    report = diff_specs(load_spec(base, "a.yaml"), load_spec(revision, "b.yaml"), Options())
    assert "request-property-removed" in report.ids()


def test_ref_loop_is_an_error():
    text = (
        b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n"
        b"    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
    )
    spec = load_spec(text, "a.yaml")
    with pytest.raises(SpecError, match="loop"):
        spec.deref({"$ref": "#/components/schemas/A"}, "/x")


def test_minimal_spec_against_itself():
    assert diff_specs(load_spec(MINIMAL), load_spec(MINIMAL)).findings == []
