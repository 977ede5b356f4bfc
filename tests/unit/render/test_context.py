"""The numbers in template comments come from the facts the layout uses, through the
render context: change the fact and the comment follows (no literal in a template)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tierform.aws import DEFAULT_EPHEMERAL
from tierform.layout.model import INTERNET_RULES
from tierform.render import module
from tierform.render.environment import environment


def test_context_carries_the_ephemeral_range_and_internet_rule_base(named_case: Any) -> None:
    context = module.render_context(named_case("three-tier").layout)
    assert context["ephemeral_ports"] == f"{DEFAULT_EPHEMERAL[0]}-{DEFAULT_EPHEMERAL[1]}"
    assert context["internet_rules"] == INTERNET_RULES


def test_comments_follow_the_constants(named_case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = named_case("three-tier").layout
    monkeypatch.setattr(module, "INTERNET_RULES", 20000)
    monkeypatch.setattr(module, "DEFAULT_EPHEMERAL", (32768, 60999))
    files = module.render_module(layout)
    # The comment above each tier's ACL (rule descriptions carry the layout's own ports).
    comments = "\n".join(re.findall(r'((?:^#.*\n)+)resource "aws_network_acl" ',
                                    files["nacls.tf"], re.M))
    assert comments.count("# Tier ") == len(layout.tiers)
    assert "ephemeral ports 32768-60999" in comments
    assert "Rules below 20000" in comments
    assert "from 20000 on" in comments
    assert not re.search(r"\b(10000|1024-65535)\b", comments)
    assert "ephemeral ports 32768-60999" in files["README.md"]
    assert "(rules from 20000)" in files["README.md"]


@pytest.mark.parametrize("literal", ["1024-65535", "10000"])
def test_no_template_writes_the_constants(literal: str) -> None:
    env = environment()
    assert env.loader is not None
    for name in env.list_templates():
        source = env.loader.get_source(env, name)[0]
        assert literal not in source, name
