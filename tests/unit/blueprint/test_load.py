"""Loading: the DESIGN example loads; any bad input is one BlueprintError, never a traceback."""

from __future__ import annotations

import concurrent.futures
import os
import time
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierform.blueprint.load import (
    MAX_BLUEPRINT_BYTES,
    MAX_FINDINGS,
    LoadedBlueprint,
    SourceMap,
    load_blueprint,
    load_blueprint_text,
)
from tierform.blueprint.model import Blueprint
from tierform.blueprint.schema import SCHEMA_ID, blueprint_json_schema
from tierform.errors import BlueprintError, Finding

THREE_TIER = Path(__file__).parent / "corpus_valid" / "three-tier.yaml"


@pytest.fixture(scope="module")
def three_tier() -> LoadedBlueprint:
    return load_blueprint(THREE_TIER)


def test_design_example_loads(three_tier: LoadedBlueprint) -> None:
    bp = three_tier.blueprint
    assert isinstance(bp, Blueprint)
    assert list(bp.tiers) == ["web", "app", "db"]
    assert (bp.flows[0].src, bp.flows[0].dst) == ("internet", "web")
    assert three_tier.file == str(THREE_TIER)
    assert three_tier.text == THREE_TIER.read_text(encoding="utf-8")
    assert three_tier.allocation["web"] == {
        "us-east-1a": IPv4Network("10.0.1.0/24"), "us-east-1b": IPv4Network("10.0.2.0/24"),
    }
    # db (netmask 24) takes the first free /22 (4 slots): 10.0.0.0/22 holds web's subnets.
    assert three_tier.allocation["db"] == {
        "us-east-1a": IPv4Network("10.0.4.0/24"), "us-east-1b": IPv4Network("10.0.5.0/24"),
    }


def test_source_map_points_at_values_and_keys(three_tier: LoadedBlueprint) -> None:
    source = three_tier.source_map
    lines = three_tier.text.splitlines()
    line, column = source.locate(("flows", 2, "ports", 0))
    assert lines[line - 1][column - 1:].startswith("3306]")
    line, column = source.locate_key(("tiers", "db"))
    assert lines[line - 1][column - 1:].startswith("db:")
    line, column = source.locate(("tiers", "db"))
    assert lines[line - 1][column - 1:].startswith("{exposure: isolated")
    # A path that does not exist stops at the deepest node that does.
    assert source.locate(("tiers", "db", "nope", 3)) == source.locate(("tiers", "db"))
    assert SourceMap().locate(("anything",)) == (1, 1)


def test_source_map_follows_merge_keys() -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace(
        "tiers:\n", "base: &base {exposure: privat}\ntiers:\n"
    ).replace("app: {exposure: private,  cidrs", "app: {<<: *base, cidrs")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, "merge.yaml")
    by_path = {f.key_path: f for f in caught.value.findings}
    assert set(by_path) == {"base", "tiers.app.exposure"}
    exposure = by_path["tiers.app.exposure"]
    assert text.splitlines()[exposure.line - 1][exposure.column - 1:].startswith("privat}")


def _error(text: str, file: str = "t.yaml") -> BlueprintError:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint_text(text, file)
    return caught.value


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError, match="file not found"):
        load_blueprint(tmp_path / "nope.yaml")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError, match="is a directory"):
        load_blueprint(tmp_path)


def test_unreadable_path(tmp_path: Path) -> None:
    # A path through a regular file fails with ENOTDIR for every user, root included.
    (tmp_path / "plain").write_text("x")
    with pytest.raises(BlueprintError, match="cannot read the file"):
        load_blueprint(tmp_path / "plain" / "blueprint.yaml")


def test_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"tierform: 1\nname: caf\xe9\n")
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    finding = caught.value.findings[0]
    assert (finding.line, finding.column, finding.code) == (2, 10, "encoding")


def test_did_you_mean_for_unknown_tier_key() -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace("netmask: 24", "netmsk: 24")
    error = _error(text)
    assert [f.hint for f in error.findings] == ["did you mean 'netmask'?"]


def test_unknown_key_without_close_match_lists_allowed_keys() -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace("nat: per_az", "zebra: 1\nnat: per_az")
    error = _error(text)
    assert error.findings[0].hint.startswith("allowed keys here: tierform, name, description")


def test_schema_describes_the_yaml_keys() -> None:
    schema = blueprint_json_schema()
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"]
    assert schema["description"]
    assert schema["additionalProperties"] is False
    assert "tierform" in schema["required"]
    flow = schema["$defs"]["FlowSpec"]
    assert set(flow["required"]) == {"from", "to"}
    assert "src" not in flow["properties"]
    tier = schema["$defs"]["TierSpec"]["properties"]
    assert tier["exposure"]["enum"] == ["public", "private", "isolated"]


# A few thousand mutated blueprints: each one loads or raises BlueprintError, nothing else.
_SEED = THREE_TIER.read_text(encoding="utf-8")
_NOISE = st.sampled_from([*":-[]{}&*!|>'\"#,\t\n ?%@`", "0", "a", "- ", "  ", "xx: "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_SEED)), st.integers(0, 3), _NOISE), max_size=4))
def test_mutated_blueprints_never_crash(edits: list[tuple[int, int, str]]) -> None:
    text = _SEED
    for position, cut, noise in edits:
        position = min(position, len(text))
        text = text[:position] + noise + text[position + cut:]
    findings = []
    try:
        load_blueprint_text(text, "fuzz.yaml")
    except BlueprintError as error:
        findings = error.findings
        assert findings, "a BlueprintError always carries findings"
    for finding in findings:
        assert finding.line is not None
        assert finding.column is not None
        assert finding.hint


# --------------------------------------------------------------------------- bounded input


def test_file_over_the_size_cap_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    error = _error_of(big)
    assert [f.code for f in error.findings] == ["file-too-large"]
    assert "52,428,800 bytes" in str(error)
    assert f"the limit is {MAX_BLUEPRINT_BYTES:,} bytes (1 MiB)" in str(error)


def test_text_over_the_size_cap_is_refused() -> None:
    text = "tierform: 1\n" + "# padding\n" * (MAX_BLUEPRINT_BYTES // 10)
    assert [f.code for f in _error(text).findings] == ["file-too-large"]
    # Counted in bytes: 600k three-byte characters are 1.8 MB.
    assert [f.code for f in _error("# " + "€" * 600_000 + "\n").findings] == ["file-too-large"]


def test_fifo_and_devices_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "bp.yaml"
    os.mkfifo(fifo)
    # No writer: reading would block for ever. Run it apart so a hang fails, not stalls.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        error = pool.submit(_error_of, fifo).result(timeout=30)
    assert "is a named pipe (FIFO), not a regular file" in str(error)
    assert "character device" in str(_error_of(Path("/dev/zero")))


def _error_of(path: Path) -> BlueprintError:
    with pytest.raises(BlueprintError) as caught:
        load_blueprint(path)
    return caught.value


def test_findings_beyond_the_cap_are_counted() -> None:
    flows = "".join(f"  - {{from: web, to: app, ports: [x{i}], id: f{i}}}\n"
                    for i in range(1500))
    error = _error(THREE_TIER.read_text(encoding="utf-8").replace("flows:\n", "flows:\n" + flows))
    assert len(error.findings) == MAX_FINDINGS
    assert error.findings[-1].code == "too-many-findings"
    assert error.findings[-1].message.startswith("501 more problems after line")
    assert error.findings[-1].message.endswith("are not listed (1,500 in all)")


def test_blueprint_at_the_size_cap_is_read_in_bounded_time() -> None:
    # About 26,000 flows (far over every quota): parsed and checked, not refused for its size.
    flow = "  - {from: web, to: app, ports: [%d]}\n"
    seed = THREE_TIER.read_text(encoding="utf-8")
    count = (MAX_BLUEPRINT_BYTES - len(seed)) // len(flow % 10000)
    text = seed.replace("flows:\n", "flows:\n" + "".join(flow % (10000 + i)
                                                        for i in range(count)))
    assert MAX_BLUEPRINT_BYTES - 100 < len(text) <= MAX_BLUEPRINT_BYTES
    started = time.process_time()
    codes: set[str] = set()
    try:
        load_blueprint_text(text, "big.yaml")
    except BlueprintError as error:
        codes = {f.code for f in error.findings}
    assert codes <= {"flow-duplicate", "flow-id-required", "too-many-findings"}
    assert time.process_time() - started < 120


@pytest.mark.parametrize(("edit", "message"), [
    (("netmask: 24", "netmask: '24'"), "'netmask' must be a whole number, got text value '24'"),
    (("netmask: 24", "netmask: 24.0"), "'netmask' must be a whole number, got number 24.0"),
    (("tierform: 1", "tierform: true"), "'tierform' must be a whole number, got boolean true"),
    (("tierform: 1", "tierform: 1.0"), "'tierform' must be a whole number, got number 1.0"),
    (("retention_days: 365", "retention_days: '365'"), "got text value '365'"),
    (("vpc: {cidr: 10.0.0.0/16}", "vpc: {cidr: 10.0.0.0/16, enable_dns_support: 'no'}"),
     "'enable_dns_support' must be true or false, got text value 'no'"),
    (("vpc: {cidr: 10.0.0.0/16}", "vpc: {cidr: 10.0.0.0/16, enable_dns_support: 1}"),
     "'enable_dns_support' must be true or false, got number 1"),
    (("nat: per_az", "nat: on"), "on (read by YAML 1.1 as true) is not allowed for 'nat'"),
    (("name: three-tier", "name: off"),
     "'name' must be text, got off, which YAML 1.1 reads as the boolean false"),
])
def test_values_are_not_coerced(edit: tuple[str, str], message: str) -> None:
    error = _error(THREE_TIER.read_text(encoding="utf-8").replace(*edit))
    assert [f.message for f in error.findings if message in f.message], str(error)


# --------------------------------------------------------------------------- one pass


def test_shape_and_semantic_findings_in_one_pass() -> None:
    text = THREE_TIER.read_text(encoding="utf-8")
    for old, new in [("exposure: private", "exposure: privat"),
                     ("us-east-1b]", "us-east-1a]"),
                     ("to: db, ports", "to: dbx, ports"),
                     ("retention_days: 365", "retention_days: 366"),
                     ("nat: per_az", "nats: per_az"),
                     ("corp: 192.168.0.0/16", "corp: 192.168.0.0/33")]:
        text = text.replace(old, new)
    codes = [f.code for f in _error(text).findings]
    assert codes == ["az-duplicate", "bad-cidr", "bad-value", "unknown-key",
                     "flow-unknown-endpoint", "flow-logs-retention"]


# Each mutation breaks the shape of one value; the semantic findings of the rest must not
# change but for those that read the broken value: a placeholder never makes a finding.
_SHAPE_BREAKERS = st.sampled_from([[1], {"x": 1}, "zzz", None, True, -7, "10.0.0.0/33"])


def _scalar_paths(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _scalar_paths(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in _scalar_paths(value, (*path, index))]
    return [path]


def _replaced(data: Any, path: tuple[str | int, ...], value: object) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _replaced(copy[path[0]], path[1:], value)  # type: ignore[index]
    return copy


def _semantic(text: str) -> set[tuple[str, str]]:
    try:
        load_blueprint_text(text, "m.yaml")
    except BlueprintError as error:
        return {(f.code, f.key_path) for f in error.findings}
    return set()


def _seed(path: Path) -> dict[str, Any] | None:
    """A corpus blueprint as data, if plain YAML reads it as a mapping."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (yaml.YAMLError, ValueError):
        return None
    return data if isinstance(data, dict) and _text_keys(data) else None


def _text_keys(data: object) -> bool:
    if isinstance(data, dict):
        return all(isinstance(k, str) and _text_keys(v) for k, v in data.items())
    return all(map(_text_keys, data)) if isinstance(data, list) else True


_SEED_DATA = [data for data in map(_seed, [*sorted((Path(__file__).parent / "corpus").glob(
    "*.yaml")), THREE_TIER]) if data is not None]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(_SEED_DATA), st.data(), _SHAPE_BREAKERS)
def test_a_broken_value_adds_no_finding_elsewhere(seed: dict[str, Any], data: st.DataObject,
                                                  breaker: object) -> None:
    paths = _scalar_paths(seed)
    path = data.draw(st.sampled_from(paths))
    before = _semantic(yaml.safe_dump(seed, sort_keys=False))
    after = _semantic(yaml.safe_dump(_replaced(seed, path, breaker), sort_keys=False))
    where = Finding(path=path, message="").key_path
    unit = Finding(path=path[:2] if path[0] in ("tiers", "flows", "networks", "tags")
                   else path[:1], message="").key_path
    new = {(code, key) for code, key in after - before
           if not (key.startswith((where, unit)) or key == "<root>")}
    assert not new, (path, breaker)


def test_a_tier_with_a_bad_name_is_still_known_to_flows() -> None:
    text = THREE_TIER.read_text(encoding="utf-8").replace("  db:  {", "  Db:  {").replace(
        "to: db,", "to: Db,")
    error = _error(text)
    assert [(f.code, f.key_path) for f in error.findings] == [("bad-name", "tiers.Db")]


def test_numbers_are_never_networks() -> None:
    # pydantic reads an integer as an address: 167772160 would be 10.0.0.0/32.
    text = THREE_TIER.read_text(encoding="utf-8").replace("corp: 192.168.0.0/16",
                                                          "corp: 167772160")
    error = _error(text)
    assert [(f.code, f.key_path) for f in error.findings] == [("bad-cidr", "networks.corp")]


def test_the_allocator_runs_once_per_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """The address checks and the loaded blueprint share one allocation."""
    from pathlib import Path

    import tierform.blueprint.allocate as allocate_module
    from tierform.blueprint import checks, load

    calls: list[object] = []
    real = allocate_module.allocate

    def counting(bp: object) -> allocate_module.Allocation:
        calls.append(bp)
        return real(bp)  # type: ignore[arg-type]

    for module in (allocate_module, load, checks):  # wherever a stage may look it up
        if hasattr(module, "allocate"):
            monkeypatch.setattr(module, "allocate", counting)
    root = Path(__file__).resolve().parents[3]
    loaded = load.load_blueprint(root / "blueprints" / "three-tier.yaml")
    assert len(calls) == 1
    assert set(loaded.allocation) == set(loaded.blueprint.tiers)
