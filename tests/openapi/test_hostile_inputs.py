"""Hostile inputs through the real CLI (``python -m governance.openapi diff ...`` in a subprocess):
each is refused with exit 2 and ONE line on stderr, never a traceback, and no network is touched
(the subprocess runs with sockets disabled, so an attempt would crash with a traceback)."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Run the CLI with every way of opening a connection disabled.
LAUNCHER = """
import runpy, socket, sys
def _no_network(*args, **kwargs):
    raise RuntimeError("network access attempted")
socket.socket.connect = socket.socket.connect_ex = _no_network
socket.create_connection = socket.getaddrinfo = _no_network
sys.argv = ["governance.openapi"] + sys.argv[1:]
runpy.run_module("governance.openapi", run_name="__main__", alter_sys=True)
"""
GOOD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n"


def cli(*argv, timeout=60):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", LAUNCHER, *map(str, argv)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def refused(result, fragment=""):
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert fragment in lines[0]
    return lines[0]


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD)
    return path


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def billion_laughs() -> str:
    lines = [
        "openapi: 3.0.3",
        'info: {title: t, version: "1"}',
        "paths: {}",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def deep_block_yaml(depth: int) -> str:
    return "openapi: 3.0.3\nx:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, depth)) + "  " * depth + "v: 1\n"


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        # Refused without expanding (cli() bounds a hang with its timeout; how fast: benchmarks/hostile_inputs.py)
        ("bomb.yaml", billion_laughs(), "not valid YAML"),
        ("deep-flow.yaml", "[" * 5000 + "]" * 5000, ""),
        ("deep-block.yaml", deep_block_yaml(5000), "nested too deeply"),
        # 40 KB of compact nested sequences: yaml_rs itself would overflow its stack (SIGSEGV)
        ("compact.yaml", "openapi: 3.0.3\nx:\n" + "- " * 20000 + "x\n", "nested too deeply"),
        ("complex-keys.yaml", "? " * 50000 + "x\n", "nested too deeply"),
        ("deep.json", '{"a":' * 5000 + "1" + "}" * 5000, "nested too deeply"),
        ("text.yaml", "This is not YAML: [unclosed\n  - and: {neither\n", "not valid YAML"),
        ("binary.yaml", b"\xff\xfe\x00\x01garbage\x00", "not UTF-8"),
        ("notopenapi.yaml", "title: hello\nitems: [1, 2]\n", "not an OpenAPI document"),
        ("list.yaml", "- 1\n- 2\n", "not an OpenAPI document"),
        ("swagger.yaml", "swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n", "Swagger version"),
    ],
)
def test_unusable_documents(tmp_path, good, name, content, fragment):
    bad = write(tmp_path, name, content)
    refused(cli("diff", bad, good), fragment)
    refused(cli("diff", good, bad), fragment)


def test_file_over_the_default_size_limit(tmp_path, good):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:  # sparse: 26 MB on paper, nothing to write
        handle.truncate(26 * 1024 * 1024)
    line = refused(cli("diff", big, good), "over the limit")
    assert str(25 * 1024 * 1024) in line


def test_configurable_size_limit(tmp_path, good):
    refused(cli("diff", good, good, "--max-bytes", "50"), "over the limit of 50")
    ok = cli("diff", good, good, "--max-bytes", "100000")
    assert ok.returncode == 0 and ok.stderr == ""


def _ref_spec(ref: str, where: str = "schema") -> str:
    if where == "schema":
        content = f"schema: {{$ref: '{ref}'}}"
    else:  # inside an example value: data, never resolved
        content = f"schema: {{type: object}}\n              example: {{$ref: '{ref}', other: 1}}"
    return (
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
        f"        '200':\n          description: ok\n          content:\n            application/json:\n"
        f"              {content}\n"
    )


_PET = "components:\n  schemas:\n    Pet: {type: object, properties: {name: {type: string}}}\n"


@pytest.mark.parametrize(
    "ref", ["https://example.com/schemas.yaml#/Pet", "http://127.0.0.1:9/x.yaml", "//example.com/x.yaml#/A"]
)
def test_remote_ref_is_refused_without_network(tmp_path, ref):
    # $refs are resolved when the diff reaches them (lazily): compare against an inline schema there
    base = write(tmp_path, "base.yaml", _ref_spec("#/components/schemas/Pet") + _PET)
    spec = write(tmp_path, "remote.yaml", _ref_spec(ref))
    refused(cli("diff", base, spec), "remote $ref refused")
    refused(cli("diff", spec, base), "remote $ref refused")


@pytest.mark.parametrize("ref", ["../outside.yaml#/Pet", "../../../../../../etc/passwd", "/etc/passwd"])
def test_ref_leaving_the_folder_is_refused(tmp_path, ref):
    (tmp_path / "outside.yaml").write_text("Pet: {type: string}\n")
    folder = tmp_path / "specs"
    folder.mkdir()
    base = write(folder, "base.yaml", _ref_spec("#/components/schemas/Pet") + _PET)
    spec = write(folder, "escape.yaml", _ref_spec(ref))
    refused(cli("diff", base, spec), "leaves the spec's folder")


@pytest.mark.parametrize("ref", ["https://example.com/evil.yaml", "../../../../etc/passwd", "#/nowhere"])
def test_ref_inside_an_example_is_data(tmp_path, ref):
    base = write(tmp_path, "base.yaml", _ref_spec(ref, where="example"))
    revision = write(tmp_path, "revision.yaml", _ref_spec(ref, where="example").replace("other: 1", "other: 2"))
    for pair in ((base, base), (base, revision)):
        result = cli("diff", *pair, "--format", "json")
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert '"changes": []' in result.stdout


def test_missing_file_and_bad_arguments(tmp_path, good):
    refused(cli("diff", good, tmp_path / "missing.yaml"), "cannot read")
    refused(cli("diff", good), "")
    refused(cli("diff", good, good, "--max-bytes", "-1"), "")
