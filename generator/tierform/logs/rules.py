"""The classification rules, stated once as SQL over one flow-log record.

Both engines run the text this module writes: the local check (DuckDB over files) and the
Athena query (``tierform.logs.athena``), so they cannot disagree. The SQL keeps to what
Presto/Trino (Athena engine 3) and DuckDB both accept: ``CASE``, ``BETWEEN``,
``TRY_CAST``, ``split_part`` (wrapped in ``coalesce`` because Trino answers NULL past the
last part where DuckDB answers ''), ``floor``, ``%``, window functions, double-quoted
identifiers. Addresses become integers by their four octets, so a CIDR is a ``BETWEEN``.
The local check asks for ``dialect="duckdb"``, which cuts an address into its octets with
one ``string_split`` instead of four ``split_part`` (the costliest step of a check); the
rules and answers are the same (tests/unit/logs/test_dialects.py compares them).

Per record, the classes (docs: README "Watching the layers"):

- ``intended_accept``: ACCEPT of a request or reply of a blueprint flow;
- ``unintended_accept`` (finding): ACCEPT between endpoints no flow allows;
- ``rejected_intended`` (finding): REJECT of a request or reply of a blueprint flow;
- ``expected_reject``: REJECT of what no flow allows;
- ``unmapped``: what the blueprint cannot place (``reason`` says why): a NODATA/SKIPDATA
  record, an address in the VPC but in no tier subnet, an IPv6 address when the VPC's IPv6
  blocks are not known (they are Amazon's choice: ``logs check --state`` or ``--live``
  reads them), an unreadable address, traffic with neither end in the VPC.

IPv6 placement: an address text is expanded (``::`` filled, every group padded to four
hex digits) into its canonical 39-character form, and a block (nibble-aligned, as AWS's
/56 and /64 are; others are split into nibble-aligned parts) is a prefix of that text. The
same portable string functions (``strpos``, ``substr``, ``lpad``, ``replace``) run in both
engines, so IPv6 has one spelling in both dialects.

Request or reply: with ``tcp-flags`` in the format a SYN (2) without ACK opens a
connection (request) and SYN-ACK (18) answers one (reply); otherwise, and for records
without either flag (long connections cut by the aggregation window), by ports: a
record is a reply of flow A->B when it goes B->A from one of the flow's ports to a port
in the ephemeral range (1024-65535).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Network
from typing import Literal

from tierform.aws import DEFAULT_EPHEMERAL, INTERNET

__all__ = [
    "CLASSES",
    "DIALECTS",
    "FINDINGS",
    "NAT",
    "AddressRange",
    "Block6",
    "Dialect",
    "FlowRule",
    "Rules",
    "aggregate_sql",
    "classify_sql",
]

CLASSES = ("intended_accept", "unintended_accept", "rejected_intended", "expected_reject",
           "unmapped")
FINDINGS = ("unintended_accept", "rejected_intended")
NAT = "nat"
"""The endpoint of a NAT gateway's own address (given with ``--nat-address``)."""
_PROTOCOL = {"tcp": 6, "udp": 17, "icmp": 1}
Dialect = Literal["portable", "duckdb"]
DIALECTS: tuple[Dialect, ...] = ("portable", "duckdb")
"""``portable``: what Athena (Trino) and DuckDB both run; ``duckdb``: the local check's."""


@dataclass(frozen=True)
class AddressRange:
    """Addresses ``low``..``high`` (as integers) belong to ``endpoint``; ``None`` marks the
    VPC's space outside every tier subnet (unmapped)."""

    network: IPv4Network
    endpoint: str | None

    @property
    def low(self) -> int:
        return int(self.network.network_address)

    @property
    def high(self) -> int:
        return int(self.network.broadcast_address)


@dataclass(frozen=True)
class Block6:
    """An IPv6 block of ``endpoint`` (a tier; ``None``: the VPC's block outside every tier
    subnet), as read from a state or the API."""

    network: IPv6Network
    endpoint: str | None

    def prefixes(self) -> tuple[str, ...]:
        """The block as prefixes of canonical address text (``_ip6_text``): split into
        nibble-aligned parts when its length is not a multiple of four."""
        length = -(-self.network.prefixlen // 4) * 4
        parts = self.network.subnets(new_prefix=length) if length != self.network.prefixlen \
            else iter([self.network])
        out = []
        for part in parts:
            text = part.network_address.exploded
            nibbles = length // 4
            out.append(text[:nibbles + (nibbles - 1) // 4] if nibbles else "")
        return tuple(out)


@dataclass(frozen=True)
class FlowRule:
    """One blueprint flow as the records see it: ``protocol`` None for ``all``; ``ports``
    empty when ports do not apply (icmp, all)."""

    flow_id: str
    src: str
    dst: str
    protocol: int | None
    ports: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Rules:
    """Everything classification needs: where addresses belong and which flows exist."""

    ranges: tuple[AddressRange, ...]
    """Most specific first (the first range that holds an address wins)."""
    flows: tuple[FlowRule, ...]
    endpoints: tuple[str, ...]
    ephemeral: tuple[int, int] = DEFAULT_EPHEMERAL
    nat_addresses: tuple[str, ...] = field(default=())
    blocks6: tuple[Block6, ...] = field(default=())
    """IPv6 blocks, most specific first; empty: IPv6 addresses stay unmapped."""

    @classmethod
    def build(cls, *, vpc: IPv4Network, tiers: Mapping[str, Sequence[IPv4Network]],
              networks: Mapping[str, IPv4Network | Sequence[IPv4Network]],
              flows: Sequence[tuple[str, str, str, str, tuple[tuple[int, int], ...]]],
              nat_tiers: Sequence[str] = (), nat_addresses: Sequence[IPv4Address] = (),
              blocks6: Sequence[Block6] = (),
              interfaces: Sequence[tuple[str, IPv4Address]] = ()) -> Rules:
        """``flows``: (id, from, to, protocol name, port ranges). A flow from a tier in
        ``nat_tiers`` (private, routed through NAT) to the internet also allows the legs
        the NAT gateway's own address shows up in (tier -> nat, nat -> internet).
        ``interfaces``: (endpoint, address) of network interfaces that are endpoints of
        their own (a load balancer's, an interface endpoint's), more specific than a tier."""
        ranges = [AddressRange(IPv4Network(f"{a}/32"), NAT) for a in nat_addresses]
        ranges += [AddressRange(IPv4Network(f"{a}/32"), name) for name, a in interfaces]
        ranges += [AddressRange(c, t) for t, cidrs in tiers.items() for c in cidrs]
        ranges += [AddressRange(c, n) for n, cs in networks.items()
                   for c in (cs if isinstance(cs, Sequence) else (cs,))]  # a network's CIDRs
        ranges.append(AddressRange(vpc, None))
        ranges.sort(key=lambda r: (-r.network.prefixlen, r.low))
        rules: list[FlowRule] = []
        for flow_id, src, dst, protocol, ports in flows:
            number = _PROTOCOL.get(protocol)
            kept = ports if number in (6, 17) else ()
            rules.append(FlowRule(flow_id, src, dst, number, kept))
            if nat_addresses and src in nat_tiers and dst == INTERNET:
                rules.append(FlowRule(flow_id, src, NAT, number, kept))
                rules.append(FlowRule(flow_id, NAT, INTERNET, number, kept))
        names = (*tiers, *networks, INTERNET, *((NAT,) if nat_addresses else ()),
                 *dict.fromkeys(name for name, _ in interfaces),
                 *dict.fromkeys(b.endpoint for b in blocks6
                                if b.endpoint is not None and b.endpoint not in tiers))
        ordered6 = sorted(dict.fromkeys(blocks6), key=lambda b: (-b.network.prefixlen,
                                                                   int(b.network.network_address)))
        return cls(tuple(ranges), tuple(rules), names,
                   nat_addresses=tuple(str(a) for a in nat_addresses), blocks6=tuple(ordered6))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _octets(column: str, prefix: str) -> str:
    """The four octets of an address text (``<prefix>1``..``4``) and its count of dots."""
    parts = [f"TRY_CAST(split_part({column}, '.', {i}) AS BIGINT) AS {_q(prefix + str(i))}"
             for i in range(1, 5)]
    dots = f"length({column}) - length(replace({column}, '.', '')) AS {_q(prefix + 'dots')}"
    return ", ".join([*parts, dots])


def _octets_listed(prefix: str) -> str:
    """DuckDB's faster spelling of ``_octets``: the text split once into a list
    (``<prefix>parts``, see ``classify_sql``), the same parts and count of dots (a list of
    n parts has n - 1 dots; NULL stays NULL)."""
    parts_column = _q(prefix + "parts")
    parts = [f"TRY_CAST({parts_column}[{i}] AS BIGINT) AS {_q(prefix + str(i))}"
             for i in range(1, 5)]
    return ", ".join([*parts, f"len({parts_column}) - 1 AS {_q(prefix + 'dots')}"])


def _ip_int(prefix: str) -> str:
    """The address as a BIGINT from its octets, NULL when it is not IPv4 (IPv6, '-')."""
    octets = [_q(f"{prefix}{i}") for i in range(1, 5)]
    ok = " AND ".join(f"{o} BETWEEN 0 AND 255" for o in octets)
    value = " + ".join(f"{o} * {256 ** (3 - i)}" for i, o in enumerate(octets))
    return f"CASE WHEN {_q(prefix + 'dots')} = 3 AND {ok} THEN {value} END"


_HEX = "0123456789abcdef:"


def _ip6_expanded(column: str) -> str:
    """An address text with ``::`` filled by zero groups (and a leading or trailing colon
    that leaves dropped), NULL when it has no colon (not IPv6)."""
    colons = f"(length({column}) - length(replace({column}, ':', '')))"
    # Groups present: as many as colons with '::' inside, one fewer at either end.
    at_end = (f"CASE WHEN substr({column}, 1, 2) = '::' OR "
              f"substr({column}, length({column}) - 1, 2) = '::' THEN 1 ELSE 0 END")
    filled = (f"replace({column}, '::', concat(':', substr('0:0:0:0:0:0:0:0:', 1, "
              f"2 * (8 - {colons} + {at_end}))))")
    lead = f"CASE WHEN substr({column}, 1, 2) = '::' THEN substr({filled}, 2) ELSE {filled} END"
    trail = (f"CASE WHEN strpos({column}, '::') = 0 THEN {column} "
             f"WHEN substr({column}, length({column}) - 1, 2) = '::' "
             f"THEN substr({lead}, 1, length({lead}) - 1) ELSE {lead} END")
    return (f"CASE WHEN {column} = '::' THEN '0:0:0:0:0:0:0:0' "
            f"WHEN strpos({column}, ':') > 0 THEN lower({trail}) END")


def _ip6_text(expanded: str) -> str:
    """The canonical 39-character text of an expanded address (``_ip6_expanded``): eight
    groups of four hex digits; NULL unless it is a well-formed IPv6 address."""
    groups = [f"coalesce(split_part({expanded}, ':', {i}), '')" for i in range(1, 9)]
    stripped = expanded
    for char in _HEX:
        stripped = f"replace({stripped}, '{char}', '')"
    colons = f"length({expanded}) - length(replace({expanded}, ':', ''))"
    ok = " AND ".join([f"{colons} = 7", f"{stripped} = ''",
                       *(f"length({g}) BETWEEN 1 AND 4" for g in groups)])
    text = ", ':', ".join(f"lpad({g}, 4, '0')" for g in groups)
    return f"CASE WHEN {ok} THEN concat({text}) END"


def _endpoint6(rules: Rules, text: str) -> str:
    """The endpoint of a canonical IPv6 text: a block's tier, '-vpc' for the VPC's block
    outside every tier subnet, 'internet' outside; NULL when no block is known."""
    if not rules.blocks6:
        return "CAST(NULL AS VARCHAR)"
    whens = []
    for block in rules.blocks6:
        name = _lit(block.endpoint if block.endpoint is not None else "-vpc")
        whens += [f"WHEN substr({text}, 1, {len(p)}) = {_lit(p)} THEN {name}"
                  for p in block.prefixes()]
    return f"CASE WHEN {text} IS NULL THEN NULL {' '.join(whens)} ELSE {_lit(INTERNET)} END"


def _endpoint(rules: Rules, ip: str) -> str:
    """The endpoint of an address integer: a range's name, '-vpc' for the VPC's space outside
    every subnet, 'internet' outside, NULL when the address is not IPv4."""
    whens = [f"WHEN {ip} BETWEEN {r.low} AND {r.high} THEN "
             f"{_lit(r.endpoint if r.endpoint is not None else '-vpc')}" for r in rules.ranges]
    return f"CASE WHEN {ip} IS NULL THEN NULL {' '.join(whens)} ELSE {_lit(INTERNET)} END"


def _flow_match(rules: Rules, src: str, dst: str, port: str, *, reply: bool) -> str:
    """The id of the first flow this record is a request (or a reply) of, else NULL."""
    whens = []
    eph_low, eph_high = rules.ephemeral
    for flow in rules.flows:
        a, b = (flow.dst, flow.src) if reply else (flow.src, flow.dst)
        parts = [f"{src} = {_lit(a)}", f"{dst} = {_lit(b)}"]
        if flow.protocol is not None:
            parts.append(f'"protocol" = {flow.protocol}')
        if flow.ports:
            parts.append("(" + " OR ".join(f"{port} BETWEEN {lo} AND {hi}"
                                           for lo, hi in flow.ports) + ")")
            if reply:
                parts.append(f'"dstport" BETWEEN {eph_low} AND {eph_high}')
        whens.append(f"WHEN {' AND '.join(parts)} THEN {_lit(flow.flow_id)}")
    if not whens:
        return "CAST(NULL AS VARCHAR)"
    return f"CASE {' '.join(whens)} END"


def classify_sql(rules: Rules, relation: str, columns: Sequence[str], *,
                 dialect: Dialect = "portable") -> str:
    """A SELECT of every record of ``relation`` with its class.

    ``dialect``: ``portable`` (Athena and DuckDB) or ``duckdb`` (the local check), which
    differ only in how an address text is cut into octets (split once into a DuckDB list,
    about twice as fast as four ``split_part``); the rules, and every answer, are the same.

    ``columns``: the relation's column names (underscored field names). Output columns:
    ``srcaddr dstaddr srcport dstport protocol action packets bytes start end`` (as read),
    ``src dst`` (endpoints, after ``pkt-*`` addresses where the format has them),
    ``client server port`` (the connection's direction and service port), ``flow_id``,
    ``class``, ``reason``.
    """
    have = set(columns)

    def col(name: str, default: str = "NULL") -> str:
        return _q(name) if name in have else default

    src_addr = (f"coalesce(nullif({col('pkt_srcaddr')}, '-'), \"srcaddr\")"
                if "pkt_srcaddr" in have else '"srcaddr"')
    dst_addr = (f"coalesce(nullif({col('pkt_dstaddr')}, '-'), \"dstaddr\")"
                if "pkt_dstaddr" in have else '"dstaddr"')
    flags = col("tcp_flags", "CAST(NULL AS BIGINT)")
    status = col("log_status", "'OK'")
    syn = f"(floor({flags} / 2) % 2 = 1)"
    ack = f"(floor({flags} / 16) % 2 = 1)"
    base = (
        f"SELECT \"srcaddr\", \"dstaddr\", \"srcport\", \"dstport\", \"protocol\", "
        "coalesce(\"action\", '-') AS \"action\", "
        f"{col('packets')} AS \"packets\", {col('bytes')} AS \"bytes\", "
        f"{col('start')} AS \"start\", {col('end')} AS \"end\", "
        f"coalesce({status}, '-') AS \"log_status\", "
        f"{src_addr} AS \"src_ip\", {dst_addr} AS \"dst_ip\", "
        f"CASE WHEN {flags} IS NULL OR NOT {syn} THEN 'ports' WHEN {ack} THEN 'reply' "
        f"ELSE 'request' END AS \"by_flags\" FROM {relation}")
    src_ip, dst_ip, src_n, dst_n = (_q(n) for n in ("src_ip", "dst_ip", "src_n", "dst_n"))
    # One layer per step, so that an expression used many times is computed once.
    if dialect == "duckdb":
        listed = (f"SELECT b.*, string_split({src_ip}, '.') AS {_q('soparts')}, "
                  f"string_split({dst_ip}, '.') AS {_q('doparts')} FROM ({base}) b")
        split = (f"SELECT l.* EXCLUDE ({_q('soparts')}, {_q('doparts')}), "
                 f"{_octets_listed('so')}, {_octets_listed('do')} FROM ({listed}) l")
    else:
        split = (f"SELECT b.*, {_octets(src_ip, 'so')}, {_octets(dst_ip, 'do')} "
                 f"FROM ({base}) b")
    src_6, dst_6, src_6e, dst_6e = (_q(n) for n in ("src_6", "dst_6", "src_6e", "dst_6e"))
    numbered = (f"SELECT o.*, {_ip_int('so')} AS {src_n}, {_ip_int('do')} AS {dst_n}, "
                f"{_ip6_expanded(src_ip)} AS {src_6e}, {_ip6_expanded(dst_ip)} AS {dst_6e} "
                f"FROM ({split}) o")
    canonical = (f"SELECT e.*, {_ip6_text(src_6e)} AS {src_6}, "
                 f"{_ip6_text(dst_6e)} AS {dst_6} FROM ({numbered}) e")
    mapped = (
        f"SELECT n.*, CASE WHEN {src_n} IS NOT NULL THEN {_endpoint(rules, src_n)} "
        f"ELSE {_endpoint6(rules, src_6)} END AS \"src\", "
        f"CASE WHEN {dst_n} IS NOT NULL THEN {_endpoint(rules, dst_n)} "
        f"ELSE {_endpoint6(rules, dst_6)} END AS \"dst\" FROM ({canonical}) n")
    request = _flow_match(rules, _q("src"), _q("dst"), _q("dstport"), reply=False)
    reply = _flow_match(rules, _q("src"), _q("dst"), _q("srcport"), reply=True)
    matched = (
        f"SELECT m.*, CASE WHEN \"by_flags\" = 'reply' THEN NULL ELSE "
        f"{request} END AS \"as_request\", "
        f"CASE WHEN \"by_flags\" = 'request' THEN NULL ELSE "
        f"{reply} END AS \"as_reply\" "
        f"FROM ({mapped}) m")
    unmapped_reason = (
        "CASE WHEN \"log_status\" <> 'OK' THEN concat('log-status ', \"log_status\") "
        "WHEN \"action\" NOT IN ('ACCEPT', 'REJECT') THEN 'no action' "
        "WHEN (\"src\" IS NULL AND \"src_6\" IS NOT NULL) OR (\"dst\" IS NULL AND "
        "\"dst_6\" IS NOT NULL) THEN 'IPv6, the VPC''s IPv6 blocks not known (give --state "
        "or --live)' "
        "WHEN \"src\" IS NULL OR \"dst\" IS NULL THEN 'not an IPv4 address' "
        "WHEN \"src\" = '-vpc' OR \"dst\" = '-vpc' THEN 'in the VPC, in no tier subnet' "
        f"WHEN \"src\" = {_lit(INTERNET)} AND \"dst\" = {_lit(INTERNET)} "
        "THEN 'neither end in the VPC' END")
    # Direction for the report: the flow's when one matched, else the flags, else the lower
    # port is the server's (ICMP and equal ports: as written).
    is_reply = ("(\"as_request\" IS NULL AND (\"as_reply\" IS NOT NULL OR \"by_flags\" = 'reply'"
                " OR (\"by_flags\" = 'ports' AND \"srcport\" < \"dstport\")))")
    return (
        f"SELECT c.*, CASE WHEN {is_reply} THEN \"dst\" ELSE \"src\" END AS \"client\", "
        f"CASE WHEN {is_reply} THEN \"src\" ELSE \"dst\" END AS \"server\", "
        f"CASE WHEN \"protocol\" NOT IN (6, 17) THEN 0 WHEN {is_reply} THEN \"srcport\" "
        "ELSE \"dstport\" END AS \"port\", "
        f"CASE WHEN {is_reply} THEN \"dst_ip\" ELSE \"src_ip\" END AS \"client_ip\", "
        f"CASE WHEN {is_reply} THEN \"src_ip\" ELSE \"dst_ip\" END AS \"server_ip\", "
        "coalesce(\"as_request\", \"as_reply\") AS \"flow_id\", "
        "CASE WHEN \"reason\" IS NOT NULL THEN 'unmapped' "
        "WHEN \"action\" = 'ACCEPT' AND coalesce(\"as_request\", \"as_reply\") IS NOT NULL "
        "THEN 'intended_accept' WHEN \"action\" = 'ACCEPT' THEN 'unintended_accept' "
        "WHEN coalesce(\"as_request\", \"as_reply\") IS NOT NULL THEN 'rejected_intended' "
        "ELSE 'expected_reject' END AS \"class\" "
        f"FROM (SELECT x.*, {unmapped_reason} AS \"reason\" FROM ({matched}) x) c")


def aggregate_sql(classified: str) -> str:
    """One pass over the classified records: counts per class, connection (client, server,
    protocol, port), flow and reason, with first and last seen (epoch seconds); findings
    also per address pair (the top talkers), everything else without addresses so the
    result stays small. ``by_ports``: records told request from reply by ports alone."""
    findings = ", ".join(_lit(c) for c in FINDINGS)
    return (
        "SELECT \"class\", \"client\", \"server\", \"protocol\", \"port\", \"flow_id\", "
        f"\"reason\", CASE WHEN \"class\" IN ({findings}) THEN \"client_ip\" END AS \"client_ip\", "
        f"CASE WHEN \"class\" IN ({findings}) THEN \"server_ip\" END AS \"server_ip\", "
        "count(*) AS \"records\", "
        "sum(CASE WHEN \"by_flags\" = 'ports' THEN 1 ELSE 0 END) AS \"by_ports\", "
        "sum(\"packets\") AS \"packets\", sum(\"bytes\") AS \"bytes\", "
        "min(\"start\") AS \"first_seen\", max(\"end\") AS \"last_seen\" "
        f"FROM ({classified}) s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9")
