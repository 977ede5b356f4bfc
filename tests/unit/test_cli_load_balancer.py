"""`tierform reach` with a load balancer: the matrix lists what reaches a tier through it
apart, and a query keeps the direct answer (and its exit code) with the proxied one
beside it (issue 15)."""

from __future__ import annotations

import json

from cli_support import ROOT, tierform

BLUEPRINT = str(ROOT / "tests" / "plan" / "fixtures" / "load-balanced.yaml")


def test_matrix_lists_the_proxied_connection_apart() -> None:
    done = tierform("reach", BLUEPRINT, "--format", "json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert not [f for f in result["flows"] if (f["from"], f["to"]) == ("internet", "app")]
    (through,) = result["proxied"]
    assert (through["from"], through["to"], through["verdict"]) == ("internet", "app",
                                                                     "reachable")
    assert (through["listener_ports"], through["target_ports"]) == ([[443, 443]],
                                                                    [[8443, 8443]])


def test_query_is_blocked_directly_and_reachable_through_the_lb() -> None:
    done = tierform("reach", BLUEPRINT, "--from", "internet", "--to", "app", "--port", "8443")
    assert done.returncode == 1
    first, *rest = done.stdout.splitlines()
    assert first == "internet -> app tcp 8443: blocked"
    assert rest[-1].startswith("  through lb:aws_lb.lb_web: reachable: ")
    assert "not a direct path" in rest[-1]
    other = tierform("reach", BLUEPRINT, "--from", "internet", "--to", "app", "--port", "22")
    assert "through" not in other.stdout
