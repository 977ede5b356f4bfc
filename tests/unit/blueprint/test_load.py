"""Loading: the DESIGN example loads; any bad input is one BlueprintError, never a traceback."""

from __future__ import annotations

from ipaddress import IPv4Network
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tierform.blueprint.load import LoadedBlueprint, SourceMap, load_blueprint, load_blueprint_text
from tierform.blueprint.model import Blueprint
from tierform.blueprint.schema import SCHEMA_ID, blueprint_json_schema
from tierform.errors import BlueprintError

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


def test_duplicate_keys_are_all_reported() -> None:
    error = _error("tierform: 1\nname: a\nname: b\nvpc: {cidr: 10.0.0.0/16, cidr: 10.1.0.0/16}\n")
    # The missing keys are reported in the same pass.
    assert {f.code for f in error.findings} == {"duplicate-key", "missing-key"}
    assert [(f.key_path, f.line, f.column) for f in error.findings
            if f.code == "duplicate-key"] == [
        ("name", 3, 1), ("vpc.cidr", 4, 26),
    ]


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, "
              f"*a{i-1}, *a{i-1}, *a{i-1}]" for i in range(1, 9)]
    error = _error("\n".join(lines) + "\n")
    assert error.findings[0].code == "yaml-too-large"


def test_recursive_alias_is_refused() -> None:
    error = _error("tierform: 1\nname: &loop [*loop]\n")
    assert error.findings[0].code == "yaml-recursive"
    assert (error.findings[0].line, error.findings[0].column) == (2, 7)  # the anchored node


def test_deep_nesting_is_refused() -> None:
    error = _error("a: " + "[" * 60 + "]" * 60 + "\n")
    assert error.findings[0].code == "yaml-too-deep"
    # Deeper than Python's recursion limit: PyYAML itself recurses; still one finding.
    error = _error("a: " + "[" * 1100 + "]" * 1100 + "\n")
    assert error.findings[0].code == "yaml-too-deep"


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
