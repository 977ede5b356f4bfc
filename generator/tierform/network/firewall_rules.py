"""Network Firewall rules as the readers find them -> the model's rule groups (R15).

One reading for plan, state and live: Terraform's ``stateful_rule`` blocks and the API's
``StatefulRules`` are the same 5-tuple; a Suricata rule string is read by its header
(``action proto src sport -> dst dport (options)``) only. Options that only label a rule
(msg, sid, rev...) leave it whole; any other option (content, tls.sni, flow states other
than to_server...) makes it a *partial* rule: whether it matches a connection is unknown.
What does not parse is kept, in words, as ``unparsed`` (the analyzer makes what it could
match unknown): never dropped, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tierform.network.model import FirewallRuleGroup, StatefulRule

__all__ = ["NOT_READ", "parse_rule_string", "parse_rules_string", "policy_variables",
           "rule_from_header", "rule_group"]

_ACTIONS = {"pass": "pass", "drop": "drop", "reject": "reject", "rejectsrc": "reject",
            "rejectdst": "reject", "rejectboth": "reject", "alert": "alert"}
NOT_READ = "(not read)"
"""An ip set definition not in the input: no address is known to be in it or out."""
_LABELS = frozenset({"msg", "sid", "rev", "classtype", "metadata", "priority", "gid",
                     "reference"})
_HEADER = re.compile(r"^\s*(?P<action>\w+)\s+(?P<proto>[\w-]+)\s+(?P<src>\S+)\s+(?P<sport>\S+)"
                     r"\s+(?P<dir>->|<>)\s+(?P<dst>\S+)\s+(?P<dport>\S+)\s*(?:\((?P<opts>.*)\))?"
                     r"\s*$")


def _ports(text: str) -> tuple[tuple[int, int], ...] | None:
    """``any``, ``443``, ``1024:65535``, ``[80,443]``: ranges (() for any); None: not read."""
    text = text.strip()
    if text.lower() == "any":
        return ()
    items = text[1:-1].split(",") if text.startswith("[") and text.endswith("]") else [text]
    out: list[tuple[int, int]] = []
    for item in items:
        item = item.strip()
        match = re.fullmatch(r"(\d+)(?::(\d*))?", item)
        if match is None:
            return None  # negation, variables ($HTTP_PORTS): not read
        low = int(match.group(1))
        high = low if match.group(2) is None else int(match.group(2) or 65535)
        if low > high or high > 65535:
            return None
        out.append((low, high))
    return tuple(out)


def _addresses(text: str) -> tuple[str, ...] | None:
    """``any``, ``$HOME_NET``, a CIDR, ``[a,b]`` (no negation inside a list): None: not read."""
    text = text.strip()
    items = text[1:-1].split(",") if text.startswith("[") and text.endswith("]") else [text]
    items = [i.strip() for i in items if i.strip()]
    if not items or (len(items) > 1 and any(i.startswith("!") for i in items)):
        return None
    for item in items:
        bare = item.lstrip("!")
        if bare.lower() == "any" or re.fullmatch(r"\$[A-Za-z_][A-Za-z0-9_]*", bare):
            continue
        if not re.fullmatch(r"\d+\.\d+\.\d+\.\d+(/\d+)?", bare):
            return None
    return tuple(i if "/" in i or not re.match(r"!?\d", i) else f"{i}/32" for i in items)


def _partial(options: Iterable[tuple[str, str]], action: str | None) -> bool:
    """Whether the options match part of a connection only. ``established`` leaves a drop
    whole (the connection carries nothing) but not a pass: the handshake is not the
    rule's, so a later rule or ``aws:drop_strict`` may drop it."""
    for keyword, value in options:
        keyword = keyword.strip().lower()
        if keyword in _LABELS:
            continue
        states = {v.strip().lower() for v in value.split(",")}
        if keyword == "flow" and states <= {"to_server", "from_client", "established"} \
                and (action != "pass" or "established" not in states):
            continue  # the connection's own direction: what the analyzer models
        return True
    return False


def rule_from_header(action: str, protocol: str, source: str, source_port: str,
                     direction: str, destination: str, destination_port: str,
                     options: Iterable[tuple[str, str]] = (), text: str = ""
                     ) -> StatefulRule | str:
    """One 5-tuple rule (the words of why not, when it cannot be read)."""
    shown = text or f"{action} {protocol} {source} {source_port} {direction} {destination} " \
                    f"{destination_port}"
    kind = _ACTIONS.get(action.strip().lower())
    sources, destinations = _addresses(source), _addresses(destination)
    sports, dports = _ports(source_port), _ports(destination_port)
    if kind is None or sources is None or destinations is None or sports is None \
            or dports is None:
        return f"`{shown}`"
    return StatefulRule(kind, protocol.strip().lower(), sources, sports, destinations,  # type: ignore[arg-type]
                        dports, "any" if direction.strip().upper() in ("ANY", "<>") else
                        "forward", shown, _partial(options, kind))


def parse_rule_string(line: str) -> StatefulRule | str | None:
    """One Suricata rule line (None: blank or a comment)."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    match = _HEADER.match(line)
    if match is None:
        return f"`{line[:80]}`"
    options = []
    for part in (match.group("opts") or "").split(";"):
        if part.strip():
            keyword, _, value = part.partition(":")
            options.append((keyword, value))
    return rule_from_header(match["action"], match["proto"], match["src"], match["sport"],
                            match["dir"], match["dst"], match["dport"], options,
                            line if len(line) <= 120 else line[:117] + "...")


def parse_rules_string(text: str) -> tuple[list[StatefulRule], list[str]]:
    """Rules and the words of the lines that could not be read."""
    rules: list[StatefulRule] = []
    unparsed: list[str] = []
    for line in text.splitlines():
        got = parse_rule_string(line)
        if isinstance(got, StatefulRule):
            rules.append(got)
        elif got is not None:
            unparsed.append(got)
    return rules, unparsed


def _first(value: Any) -> Mapping[str, Any]:
    """A nested block as Terraform JSON holds it (a one-element list) or a dict."""
    if isinstance(value, Sequence) and not isinstance(value, str):
        return value[0] if value and isinstance(value[0], Mapping) else {}
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return [value]


def _option(option: Mapping[str, Any]) -> tuple[str, str]:
    """A ``rule_option`` as (keyword, value): ``keyword = "sid:1"`` (no settings) is the
    same option as ``keyword = "sid", settings = ["1"]``."""
    keyword = str(option.get("keyword", ""))
    settings = [str(s) for s in _list(option.get("settings"))]
    if not settings and ":" in keyword:
        keyword, _, value = keyword.partition(":")
        return keyword, value
    return keyword, ",".join(settings)


def rule_group(key: str, values: Mapping[str, Any], source: str) -> FirewallRuleGroup:
    """An ``aws_networkfirewall_rule_group``'s values (Terraform's names) as the model's."""
    stateless = str(values.get("type") or "").upper() == "STATELESS"
    body = _first(values.get("rule_group"))
    rules_source = _first(body.get("rules_source"))
    rules: list[StatefulRule] = []
    unparsed: list[str] = []
    for raw in _list(rules_source.get("stateful_rule")):
        header = _first(raw.get("header"))
        options = [_option(o) for o in _list(raw.get("rule_option")) if isinstance(o, Mapping)]
        got = rule_from_header(str(raw.get("action", "")), str(header.get("protocol", "")),
                               str(header.get("source", "")), str(header.get("source_port", "")),
                               str(header.get("direction", "")),
                               str(header.get("destination", "")),
                               str(header.get("destination_port", "")), options)
        (rules.append(got) if isinstance(got, StatefulRule) else unparsed.append(got))
    text = str(rules_source.get("rules_string") or values.get("rules") or "")
    if text:
        more, bad = parse_rules_string(text)
        rules += more
        unparsed += bad
    domains: tuple[str, ...] = ()
    action = None
    listing = _first(rules_source.get("rules_source_list"))
    if listing:
        domains = tuple(str(t) for t in _list(listing.get("targets")))
        kind = str(listing.get("generated_rules_type") or "").upper()
        action = "allow" if kind == "ALLOWLIST" else "deny" if kind == "DENYLIST" else None
        if action is None:
            unparsed.append(f"a {kind or 'untyped'} domain list")
    variables = _ip_sets(_list(_first(body.get("rule_variables")).get("ip_sets")))
    order = str(_first(body.get("stateful_rule_options")).get("rule_order") or "")
    if stateless and _first(rules_source.get("stateless_rules_and_custom_actions")):
        unparsed.append("stateless rules (not modelled)")
    if not stateless and not (text or listing or _list(rules_source.get("stateful_rule"))):
        # AWS requires a rules source: none read is one unknown at plan time (a rules
        # string built from values known after apply), not an empty group.
        unparsed.append("its rules (not in the input: unknown at plan time?)")
    return FirewallRuleGroup(key, stateless, tuple(rules), domains, action,  # type: ignore[arg-type]
                             tuple(unparsed), variables,
                             None if not order else order == "STRICT_ORDER", source)


def _ip_sets(blocks: Iterable[Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``{key, ip_set {definition}}`` blocks -> (name, CIDRs)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for block in blocks:
        if not isinstance(block, Mapping):
            continue
        definition = _list(_first(block.get("ip_set")).get("definition"))
        cidrs = tuple(str(d) for d in definition if isinstance(d, str) and d)
        if not definition or len(cidrs) < len(definition):
            # Unknown at plan time (AWS requires one CIDR at least): not read, so a rule
            # naming the variable is unknown, never "matches nothing".
            cidrs += (NOT_READ,)
        found.append((str(block.get("key") or ""), cidrs))
    return tuple(found)


def policy_variables(values: Mapping[str, Any]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A policy's ``policy_variables`` block (Terraform's names): its ``rule_variables``
    ip sets (AWS allows ``HOME_NET``)."""
    return _ip_sets(_list(values.get("rule_variables")))
