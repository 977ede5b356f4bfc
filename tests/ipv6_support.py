"""The dual-stack fixture (tests/fixtures/ipv6/dualstack) and its matrix, derived by hand
from its HCL and AWS semantics (docs/network-semantics.md N4, R3, R4, R12, A7, S1-S3), not
from Tierform's output: the plan test and the emulator (state) test are held to it."""

from __future__ import annotations

from cli_support import ROOT
from tierform.analyze import Reachability

__all__ = ["DUALSTACK", "EXPECTED_EXPOSURE", "EXPECTED_FLOWS", "flows_of"]

DUALSTACK = ROOT / "tests" / "fixtures" / "ipv6" / "dualstack"

# (from, to, protocol, ports, family); the default NACL allows all in both families (A7).
EXPECTED_FLOWS = {
    # web's group admits 443 from ::/0 only: IPv6 from the internet (IGW ::/0, R12) and
    # from app, whose group sends 443 to 0.0.0.0/0 and ::/0 (local route).
    ("internet", "web", "tcp", "443", "ipv6"),
    ("app", "web", "tcp", "443", "ipv6"),
    # group references match hosts of both families (S3).
    ("web", "app", "tcp", "8080", "ipv4"),
    ("web", "app", "tcp", "8080", "ipv6"),
    # app out: IPv4 through the NAT in web's subnet (R4), IPv6 through the egress-only
    # gateway (R12).
    ("app", "internet", "tcp", "443", "ipv4"),
    ("app", "internet", "tcp", "443", "ipv6"),
    # app -> db 5432: app's egress names db's IPv6 block, db's ingress app's (symbolic
    # cidrsubnet prefixes of the VPC's block at plan time, N4); IPv4: no rule.
    ("app", "db", "tcp", "5432", "ipv6"),
}
EXPECTED_EXPOSURE = {"web": ("public", "public"), "app": ("private", "private"),
                     "db": ("isolated", "isolated")}


def flows_of(reach: Reachability) -> set[tuple[str, str, str, str, str]]:
    return {(f.src, f.dst, f.protocol, str(f.ports), f.family) for f in reach.flows}
