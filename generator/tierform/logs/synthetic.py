"""Seeded, realistic VPC flow-log records for a blueprint's network, each with the class it
was made to have: for tests (``logs check`` must find exactly what was injected) and the
benchmark.

What a sample holds, mixed by weight:

- intended connections on every flow's ports: the request (client ephemeral port ->
  server port) and the reply (server port -> client port), ACCEPT; a private tier's flow
  to the internet through NAT also as the NAT gateway's own four legs (instance -> NAT
  address with ``pkt-dstaddr`` the internet host, NAT -> internet, back, NAT -> instance
  with ``pkt-srcaddr`` the internet host);
- scans from the internet and between tiers on ports no flow allows, REJECT;
- a misconfiguration (``misconfigured=True``): ACCEPTs, both ways, between two tiers the
  blueprint does not connect, on a port the server tier serves another flow on;
- a broken flow (``broken=True``): REJECTs of requests of a tier-to-tier flow;
- NODATA records and traffic to a subnet the blueprint does not know: unmapped;
- given a dual-stack apply's IPv6 blocks (``blocks6``), part of the intended traffic as
  IPv6 between hosts of the tiers' /64s and the internet.

Every field AWS defines can be written (``-`` where the sample has no value), in any
order: the blueprint's custom format, AWS's default format, with or without the exact
fields (``tcp-flags``, ``pkt-srcaddr``...). Same seed, same records.
"""

from __future__ import annotations

import gzip
import random
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from pathlib import Path

from tierform.aws import INTERNET
from tierform.layout import Layout
from tierform.logs.formats import DEFAULT_FIELDS
from tierform.logs.intent import nat_tiers
from tierform.logs.rules import Block6

__all__ = ["Connection", "Sample", "generate", "write_parquet", "write_text"]

ACCOUNT = "123456789012"
_INTERNET_POOLS = (IPv4Network("198.51.100.0/24"), IPv4Network("203.0.113.0/24"),
                   IPv4Network("52.94.0.0/20"), IPv4Network("185.199.108.0/22"))
_SCAN_PORTS = (21, 22, 23, 25, 110, 135, 139, 445, 1433, 3306, 3389, 5432, 5900, 6379,
               8080, 8443, 9200, 27017)
_INTERNET6 = (IPv6Network("2001:db8:1::/48"), IPv6Network("2606:4700:10::/48"))
_PROTOCOL = {"tcp": 6, "udp": 17, "icmp": 1}
START = int(datetime(2026, 11, 30, tzinfo=UTC).timestamp())


@dataclass(frozen=True)
class Connection:
    """What a finding is about: class, client and server endpoint, protocol, port."""

    klass: str
    client: str
    server: str
    protocol: int
    port: int


@dataclass
class Sample:
    """Records (field name -> text) and, for each, the class it was made to have."""

    records: list[dict[str, str]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    nat_addresses: tuple[IPv4Address, ...] = ()
    injected: set[Connection] = field(default_factory=set)
    """The findings the sample holds (misconfiguration, broken flow)."""


class _Hosts:
    """A few host addresses per subnet and named network, and internet hosts."""

    def __init__(self, layout: Layout, rng: random.Random) -> None:
        self.rng = rng
        self.by_endpoint: dict[str, list[tuple[str, str]]] = {}
        self.by_endpoint6: dict[str, list[tuple[str, str]]] = {}
        for index, subnet in enumerate(layout.subnets):
            if subnet.cidr is None:
                continue  # IPv6-only: no IPv4 hosts
            usable = subnet.cidr.num_addresses - 5  # AWS reserves 4 first and the last
            # Offset 4 (the first usable address) is left to a NAT gateway.
            hosts = sorted(rng.sample(range(5, 4 + usable), min(6, usable - 1)))
            self.by_endpoint.setdefault(subnet.tier, []).extend(
                (str(subnet.cidr.network_address + h), f"subnet-{index:017x}") for h in hosts)
        for name, cidrs in layout.blueprint.network_cidrs4.items():  # either form (via)
            if not cidrs:
                continue  # an IPv6 network: the replay's records are IPv4
            picks = [cidrs[i % len(cidrs)] for i in range(6)]  # each CIDR of the network
            self.by_endpoint[name] = [(str(c.network_address + rng.randrange(
                1, c.num_addresses - 1)), "-") for c in picks]
        outside = [layout.blueprint.vpc.cidr, *layout.blueprint.vpc.secondary_cidrs,
                   *(c for cs in layout.blueprint.network_cidrs4.values() for c in cs)]
        pool = [p for p in _INTERNET_POOLS if not any(p.overlaps(o) for o in outside)]
        self.by_endpoint[INTERNET] = [
            (str(p.network_address + rng.randrange(1, p.num_addresses - 1)), "-")
            for p in pool for _ in range(8)]

    def add6(self, layout: Layout, blocks6: Sequence[Block6]) -> None:
        """IPv6 hosts in the tier subnets' /64s (as a state or live read gives them), each
        in the subnet of its tier that holds the block, and internet IPv6 hosts."""
        subnet_ids = {s.tier: f"subnet-{i:017x}" for i, s in enumerate(layout.subnets)}
        for block in blocks6:
            if block.endpoint in subnet_ids and block.network.prefixlen >= 64:
                self.by_endpoint6.setdefault(block.endpoint, []).extend(
                    (str(block.network[self.rng.randrange(16, 2 ** 32)]),
                     subnet_ids[block.endpoint]) for _ in range(3))
        if self.by_endpoint6:
            self.by_endpoint6[INTERNET] = [(str(p[self.rng.randrange(1, 2 ** 40)]), "-")
                                           for p in _INTERNET6 for _ in range(4)]

    def pick(self, endpoint: str) -> tuple[str, str]:
        return self.rng.choice(self.by_endpoint[endpoint])


def _id(prefix: str, address: str) -> str:
    """A stable resource id for a host (``hash`` differs between runs)."""
    return f"{prefix}{zlib.crc32(address.encode()):08x}{zlib.adler32(address.encode()):09x}"


def _allowed(layout: Layout, src: str, dst: str, protocol: int, port: int) -> bool:
    for flow in layout.blueprint.flows:
        if flow.src != src or flow.dst != dst:
            continue
        number = _PROTOCOL.get(flow.protocol)
        if number is None or (number == protocol and (
                protocol not in (6, 17) or any(lo <= port <= hi
                                               for lo, hi in flow.port_ranges()))):
            return True
    return False


def _a_reply(layout: Layout, src: str, dst: str, sport: int, dport: int) -> bool:
    """Whether a TCP record src -> dst would read as the reply of a flow dst -> src."""
    return dport >= 1024 and any(
        f.src == dst and f.dst == src and f.protocol in ("tcp", "all")
        and any(lo <= sport <= hi for lo, hi in f.port_ranges()) for f in layout.blueprint.flows)


class _Writer:
    def __init__(self, layout: Layout, rng: random.Random, sample: Sample) -> None:
        self.layout, self.rng, self.sample = layout, rng, sample
        self.clock = START
        self.region = layout.blueprint.region

    def record(self, label: str, src: tuple[str, str], dst: tuple[str, str], sport: int,
               dport: int, protocol: int, action: str, *, flags: int, direction: str,
               pkt_src: str | None = None, pkt_dst: str | None = None) -> None:
        self.clock += self.rng.randrange(0, 3)
        packets = self.rng.randrange(1, 40)
        at = src if direction == "egress" else dst
        eni = _id("eni-", at[0])
        self.sample.records.append({
            "version": "5", "account-id": ACCOUNT, "interface-id": eni,
            "srcaddr": src[0], "dstaddr": dst[0], "srcport": str(sport),
            "dstport": str(dport), "protocol": str(protocol), "packets": str(packets),
            "bytes": str(packets * self.rng.randrange(40, 1500)), "start": str(self.clock),
            "end": str(self.clock + self.rng.randrange(1, 60)), "action": action,
            "log-status": "OK", "vpc-id": "vpc-0a1b2c3d4e5f60718", "subnet-id": at[1],
            "instance-id": _id("i-", at[0]) if at[1] != "-" else "-",
            "tcp-flags": str(flags) if protocol == 6 else "0",
            "type": "IPv6" if ":" in src[0] else "IPv4",
            "pkt-srcaddr": pkt_src or src[0], "pkt-dstaddr": pkt_dst or dst[0],
            "region": self.region, "flow-direction": direction,
            "traffic-path": "-"})
        self.sample.labels.append(label)

    def connection(self, label: str, client: tuple[str, str], server: tuple[str, str],
                   protocol: int, port: int, *, replied: bool, action: str = "ACCEPT",
                   client_pkt: str | None = None, server_pkt: str | None = None) -> None:
        """A request, and its reply when ``replied``; the flags of a short connection."""
        eph = self.rng.randrange(32768, 61000)
        sport, dport = (eph, port) if protocol in (6, 17) else (0, 0)
        direction = "egress" if client[1] != "-" else "ingress"
        self.record(label, client, server, sport, dport, protocol, action,
                    flags=self.rng.choice((2, 3)), direction=direction,
                    pkt_src=client_pkt, pkt_dst=server_pkt)
        if replied:
            back = "ingress" if direction == "egress" else "egress"
            self.record(label, server, client, dport, sport, protocol, action,
                        flags=self.rng.choice((18, 19)), direction=back,
                        pkt_src=server_pkt, pkt_dst=client_pkt)


def generate(layout: Layout, records: int = 1000, seed: int = 0, *,
             misconfigured: bool = True, broken: bool = True,
             nat_addresses: Sequence[IPv4Address] | None = None,
             blocks6: Sequence[Block6] = ()) -> Sample:
    """``records`` flow-log records for the layout's network (see the module's text).
    ``nat_addresses``: the NAT gateways' real addresses (a state's; default: the first
    usable address of each NAT subnet). ``blocks6``: the IPv6 blocks of a dual-stack apply
    (``tierform.logs.addresses``): a share of the intended traffic between tiers with a
    /64 and the internet is then IPv6 (no NAT: IPv6 leaves through the egress-only
    gateway)."""
    rng = random.Random(seed)
    hosts = _Hosts(layout, rng)
    hosts.add6(layout, blocks6)
    sample = Sample()
    out = _Writer(layout, rng, sample)
    bp = layout.blueprint
    tiers = list(layout.tiers or dict.fromkeys(s.tier for s in layout.subnets))
    natted = set(nat_tiers(layout))
    nats = [s for s in layout.subnets if s.name in {n.subnet for n in layout.nats}]
    sample.nat_addresses = (tuple(nat_addresses) if nat_addresses is not None
                            else tuple(s.cidr.network_address + 4 for s in nats
                                       if s.cidr is not None))
    flows = [f for f in bp.flows if f.src in hosts.by_endpoint and f.dst in hosts.by_endpoint]

    misconfig: Connection | None = None
    if misconfigured:
        rank = {"isolated": 0, "private": 1, "public": 2}
        for serving in sorted(tiers, key=lambda t: rank.get(bp.tiers[t].exposure, 3)):
            ports = [lo for f in bp.flows if f.dst == serving and f.protocol == "tcp"
                     for lo, _ in f.port_ranges()]
            clients = [c for c in tiers if c != serving
                       and not any(f.src == c and f.dst == serving for f in bp.flows)]
            if ports and clients:
                misconfig = Connection("unintended_accept", clients[0], serving, 6, ports[0])
                break
    broken_flow: Connection | None = None
    if broken:
        for f in bp.flows:
            if f.src in tiers and f.dst in tiers and f.protocol == "tcp" and f.port_ranges():
                broken_flow = Connection("rejected_intended", f.src, f.dst, 6,
                                         f.port_ranges()[0][0])
                break
    vpc = bp.vpc.cidr
    # A host of a subnet the blueprint does not know (made by hand in the VPC): unmapped.
    # (Traffic to the VPC's DNS stray_host would be an example too, but flow logs omit it.)
    stray = next((c for c in vpc.subnets(new_prefix=min(28, vpc.prefixlen + 8))
                  if not any(s.cidr is not None and c.overlaps(s.cidr)
                             for s in layout.subnets)), None)
    stray_host = (str(stray.network_address + 9), "-") if stray is not None else None

    while len(sample.records) < records:
        roll = rng.random()
        if roll < 0.70 and flows:
            f = rng.choice(flows)
            protocol = _PROTOCOL.get(f.protocol, 6)
            ranges = f.port_ranges()
            lo, hi = rng.choice(ranges) if protocol in (6, 17) else (0, 0)
            port = rng.randint(lo, min(hi, lo + 10))
            six = hosts.by_endpoint6
            if f.src in six and f.dst in six and rng.random() < 0.3:
                out.connection("intended_accept", rng.choice(six[f.src]),
                               rng.choice(six[f.dst]), protocol, port, replied=True)
                continue
            client, server = hosts.pick(f.src), hosts.pick(f.dst)
            if f.src in natted and f.dst == INTERNET and sample.nat_addresses:
                nat = (str(rng.choice(sample.nat_addresses)), "-")
                out.connection("intended_accept", client, server, protocol, port, replied=True)
                # At the NAT gateway's interface: in from the instance, out translated.
                out.connection("intended_accept", client, nat, protocol, port,
                               replied=True, server_pkt=server[0])
                out.connection("intended_accept", nat, server, protocol, port, replied=True)
            else:
                out.connection("intended_accept", client, server, protocol, port, replied=True)
        elif roll < 0.85:
            target = rng.choice(tiers)
            source = INTERNET if rng.random() < 0.6 else rng.choice(tiers)
            port = rng.choice(_SCAN_PORTS)
            if _allowed(layout, source, target, 6, port):
                continue
            if misconfig and (source, target, port) == (misconfig.client, misconfig.server,
                                                        misconfig.port):
                continue
            client = hosts.pick(source)
            sport = rng.randrange(32768, 61000)
            if _a_reply(layout, source, target, sport, port):
                continue  # not a scan by the ports alone: pick another
            out.record("expected_reject", client, hosts.pick(target), sport, port, 6,
                       "REJECT", flags=2, direction="ingress")
        elif roll < 0.90 and misconfig is not None:
            sample.injected.add(misconfig)
            out.connection("unintended_accept", hosts.pick(misconfig.client),
                           hosts.pick(misconfig.server), 6, misconfig.port, replied=True)
        elif roll < 0.94 and broken_flow is not None:
            sample.injected.add(broken_flow)
            out.connection("rejected_intended", hosts.pick(broken_flow.client),
                           hosts.pick(broken_flow.server), 6, broken_flow.port,
                           replied=False, action="REJECT")
        elif roll < 0.97 and stray_host is not None:
            out.record("unmapped", hosts.pick(rng.choice(tiers)), stray_host,
                       rng.randrange(32768, 61000), 443, 6, "ACCEPT", flags=2,
                       direction="egress")
        else:
            host = hosts.pick(rng.choice(tiers))
            out.clock += 60
            sample.records.append({
                "version": "5", "account-id": ACCOUNT,
                "interface-id": _id("eni-", host[0]),
                "start": str(out.clock), "end": str(out.clock + 60), "log-status": "NODATA",
                "subnet-id": host[1], "region": out.region})
            sample.labels.append("unmapped")
    del sample.records[records:]
    del sample.labels[records:]
    return sample


def _lines(sample: Sample, fields: Sequence[str]) -> Iterable[str]:
    for record in sample.records:
        yield " ".join(record.get(f, "-") for f in fields)


def write_text(sample: Sample, path: Path, fields: Sequence[str] = DEFAULT_FIELDS, *,
               header: bool = True, zipped: bool | None = None,
               cloudwatch: bool = False) -> Path:
    """Write the records: as S3 delivers them (a header line; gzip when ``path`` ends in
    ``.gz`` or ``zipped``) or, with ``cloudwatch``, as a CloudWatch Logs export
    (``<ISO time> <record>`` per line, no header)."""
    lines = list(_lines(sample, fields))
    if cloudwatch:
        header = False
        lines = [f"{_iso(record)} {line}" for record, line in zip(sample.records, lines,
                                                                    strict=True)]
    text = ("\n".join(([" ".join(fields)] if header else []) + lines) + "\n").encode()
    if zipped if zipped is not None else path.suffix == ".gz":
        with gzip.open(path, "wb", compresslevel=1) as handle:
            handle.write(text)
    else:
        path.write_bytes(text)
    return path


def _iso(record: dict[str, str]) -> str:
    stamp = datetime.fromtimestamp(int(record.get("start", START)), UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_parquet(sample: Sample, path: Path, fields: Sequence[str] = DEFAULT_FIELDS) -> Path:
    """Write the records as Parquet, typed as AWS's Parquet delivery types them."""
    import duckdb  # optional (the `logs` extra): only Parquet output needs it

    from tierform.logs.formats import FIELD_TYPES, column

    text = path.with_suffix(".txt.tmp")
    write_text(sample, text, fields, header=True, zipped=False)
    try:
        columns = ", ".join(f"'{column(f)}': '{FIELD_TYPES[f]}'" for f in fields)
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_csv('{text}', delim=' ', header=true, "
                    f"auto_detect=false, nullstr='-', columns={{{columns}}})) "
                    f"TO '{path}' (FORMAT parquet)")
        con.close()
    finally:
        text.unlink()
    return path


