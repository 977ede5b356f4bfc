"""The hand-written three-tier reference network of the analyzer tests, and rule builders.

internet -> web 443, web -> app 8080, app -> db 3306, app -> internet 443 through a NAT in
web; ``net(**overrides)`` replaces routes, NATs, NACLs or groups of one tier or more.
Imported as ``unit.analyze.networks`` (tests/ is on sys.path, see tests/conftest.py).
"""

from __future__ import annotations

from tierform.analyze import analyze
from tierform.network.model import NaclEntry, Route, SgRule
from tierform.network.synthetic import layered_network

WEB, APP, DB = ["10.0.1.0/24", "10.0.2.0/24"], ["10.0.11.0/24"], ["10.0.21.0/24"]
EPH = (1024, 65535)


def allow(number: int, cidr: str, ports: tuple[int, int] = (0, 65535), *, egress: bool = False,
          protocol: str = "6", action: str = "allow") -> NaclEntry:
    return NaclEntry(number, egress, protocol, action, cidr, ports[0], ports[1])  # type: ignore[arg-type]


def deny(number: int, cidr: str, ports: tuple[int, int] = (0, 65535), *,
         egress: bool = False, protocol: str = "6") -> NaclEntry:
    return allow(number, cidr, ports, egress=egress, protocol=protocol, action="deny")


def sg_in(ports: tuple[int, int], *, cidr: str | None = None, group: str | None = None,
          protocol: str = "6") -> SgRule:
    return SgRule(False, protocol, ports[0], ports[1], cidr=cidr, group=group)


def sg_out(ports: tuple[int, int], *, cidr: str | None = None, group: str | None = None,
           protocol: str = "6") -> SgRule:
    return SgRule(True, protocol, ports[0], ports[1], cidr=cidr, group=group)


IGW = Route("0.0.0.0/0", "igw", "igw", source="aws_route.web_default")
TO_NAT = Route("0.0.0.0/0", "nat", "nat-a", source="aws_route.app_default")
OPEN_SG = [sg_in((0, 65535), cidr="0.0.0.0/0", protocol="-1"),
           sg_out((0, 65535), cidr="0.0.0.0/0", protocol="-1")]


def reference(**overrides: object) -> dict[str, object]:
    """The three-tier reference network: internet->web 443, web->app 8080, app->db 3306,
    app->internet 443 through a NAT in web."""
    spec: dict[str, object] = {
        "routes": {"web": [IGW], "app": [TO_NAT]},
        "nats": {"nat-a": "web"},
        "nacls": {
            "web": [allow(100, "0.0.0.0/0", (443, 443)), allow(110, "10.0.11.0/24", EPH),
                    allow(120, "10.0.11.0/24", (443, 443)), allow(130, "0.0.0.0/0", EPH),
                    allow(100, "0.0.0.0/0", EPH, egress=True),
                    allow(110, "10.0.11.0/24", (8080, 8080), egress=True),
                    allow(120, "0.0.0.0/0", (443, 443), egress=True)],
            "app": [allow(100, "10.0.1.0/24", (8080, 8080)),
                    allow(105, "10.0.2.0/24", (8080, 8080)),
                    allow(110, "10.0.21.0/24", EPH), allow(120, "0.0.0.0/0", EPH),
                    allow(100, "10.0.1.0/24", EPH, egress=True),
                    allow(105, "10.0.2.0/24", EPH, egress=True),
                    allow(110, "10.0.21.0/24", (3306, 3306), egress=True),
                    allow(120, "0.0.0.0/0", (443, 443), egress=True)],
            "db": [allow(100, "10.0.11.0/24", (3306, 3306)),
                   allow(100, "10.0.11.0/24", EPH, egress=True)],
        },
        "groups": {
            "web": [sg_in((443, 443), cidr="0.0.0.0/0"), sg_out((8080, 8080), group="sg-app")],
            "app": [sg_in((8080, 8080), group="sg-web"), sg_out((3306, 3306), group="sg-db"),
                    sg_out((443, 443), cidr="0.0.0.0/0")],
            "db": [sg_in((3306, 3306), group="sg-app")],
        },
    }
    spec.update(overrides)
    return spec


def net(**overrides: object):  # type: ignore[no-untyped-def]
    return layered_network({"web": WEB, "app": APP, "db": DB}, **reference(**overrides))  # type: ignore[arg-type]


def flows(network) -> dict[tuple[str, str, str], str]:  # type: ignore[no-untyped-def]
    return {(f.src, f.dst, f.protocol): str(f.ports) for f in analyze(network).flows}
