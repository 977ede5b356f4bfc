"""The ``tierform`` command.

Exit codes, decided in one place (``main``): 0 ok, 1 findings or failed checks
(drift, unintended or broken flows, a plan or apply error), 2 bad input, usage
or set-up (invalid blueprint, unreadable file, terraform missing).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tierform import __version__, report, ui, workflow
from tierform.analyze import query
from tierform.aws import AddressFamily
from tierform.errors import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_OK,
    BlueprintError,
    OutputError,
    TierformError,
)
from tierform.localaws.provider import client
from tierform.readers.live import network_from_live
from tierform.render.writer import module_drift, write_generated_file, write_module
from tierform.ui import progress, style, write_result

if TYPE_CHECKING:
    from tierform.blueprint.load import LoadedBlueprint
    from tierform.network.model import Network
    from tierform.terraform.plan import Plan
    from tierform.workflow import Checked

__all__ = ["main"]

_MIRROR_ENV = "TIERFORM_PROVIDER_MIRROR"
"""terraform.cliconfig.PROVIDER_MIRROR_ENV (not imported here: it loads tftest at start-up;
tests/unit/test_cli_mirror_flag.py keeps the two equal)."""

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(func: Command) -> Command:
        COMMANDS[name] = func
        return func

    return register


def out(text: str = "") -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def out_json(document: object) -> None:
    out(json.dumps(document, indent=2, sort_keys=False))


def printable(text: str) -> str:
    """``text`` safe for a terminal: control and format characters (ESC, NUL, bidi
    overrides...) from file names or blueprint values are shown as escapes; newlines kept."""
    if text.isprintable() or all(ch.isprintable() or ch == "\n" for ch in text):
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else ascii(ch)[1:-1] for ch in text)


SHOWN_PER_CODE = 10
"""Findings of one kind printed before the rest are only counted (``--format json``: all)."""
SHOWN_CHARACTERS = 1000
"""A finding's text is cut after this many characters (``--format json``: all)."""


def error_text(error: TierformError) -> str:
    """What the CLI prints for ``error``: a flood of findings summarized, made printable."""
    if not isinstance(error, BlueprintError) or not error.findings:
        return printable(str(error))
    lines = [str(error).split("\n", 1)[0]]
    counted: dict[str, int] = {}
    for finding in error.findings:
        counted[finding.code] = counted.get(finding.code, 0) + 1
        if counted[finding.code] <= SHOWN_PER_CODE:
            text = finding.format()
            if len(text) > SHOWN_CHARACTERS:
                text = f"{text[:SHOWN_CHARACTERS]}… ({len(text):,} characters)"
            lines.append(text)
    for code, count in counted.items():
        if count > SHOWN_PER_CODE:
            more = count - SHOWN_PER_CODE
            lines.append(f"… and {more:,} more {code} problem{'s' if more != 1 else ''} like "
                         "these (`tierform validate --format json` lists them)")
    return printable("\n".join(lines))


def _report_error(command: str, error: TierformError) -> None:
    """One blueprint of several failed: say so as ``main`` would, and go on with the next."""
    sys.stderr.write(f"tierform {command}: {error_text(error)}\n")


def info(text: str) -> None:
    """Progress for humans, on stderr so stdout stays machine-readable."""
    if not os.environ.get("TIERFORM_QUIET"):
        sys.stderr.write(text + "\n")


# --------------------------------------------------------------------------- validate


@command("validate")
def cmd_validate(args: argparse.Namespace) -> int:
    # Several blueprints (pre-commit passes every changed file): each checked, the worst
    # exit code; JSON is then a list of the one-blueprint documents.
    documents: list[dict[str, Any]] = []
    worst = EXIT_OK
    for blueprint in args.blueprint:
        try:
            code, document = _validate_one(blueprint, args.format)
        except TierformError as error:
            if len(args.blueprint) == 1:
                raise
            _report_error("validate", error)
            worst = max(worst, error.exit_code)
            continue
        documents.append(document)
        worst = max(worst, code)
    if args.format == "json":
        out_json(documents[0] if len(args.blueprint) == 1 else documents)
    return worst


def _validate_one(blueprint: str, fmt: str) -> tuple[int, dict[str, Any]]:
    try:
        checked = workflow.check(workflow.load(Path(blueprint)))
    except BlueprintError as error:
        if fmt == "json":
            return EXIT_BAD_INPUT, {"valid": False,
                                    "findings": [_finding_json(f) for f in error.findings]}
        raise
    bp = checked.loaded.blueprint
    from tierform.layout import monitoring_warnings  # start-up: the layout (pydantic)

    warnings = monitoring_warnings(checked.layout)
    if fmt != "json":
        out(printable(f"{blueprint}: ") + style("valid", "ok") + printable(
            f": {bp.name}: {len(bp.tiers)} tiers, {len(checked.network.subnets)} subnets, "
            f"{len(bp.flows)} flows"))
        out(printable(report.subnets_table(checked.layout)))
        for warning in warnings:
            # Not progress: what the alarms cannot say exactly, printed even when quiet.
            sys.stderr.write(printable(f"{blueprint}: warning: {warning}") + "\n")
    return EXIT_OK, {"valid": True, "name": bp.name, "tiers": list(bp.tiers),
                     "subnets": len(checked.network.subnets), "flows": len(bp.flows),
                     "allocation": report.subnets_json(checked.layout), "findings": [],
                     "warnings": warnings}


def _finding_json(finding: Any) -> dict[str, Any]:
    return {"file": finding.file, "line": finding.line, "column": finding.column,
            "path": finding.key_path, "code": finding.code, "message": finding.message,
            "hint": finding.hint}


# --------------------------------------------------------------------------- render


@command("render")
def cmd_render(args: argparse.Namespace) -> int:
    if len(args.blueprint) > 1 and args.output:
        raise TierformError("-o/--output names one module directory: give one blueprint, "
                            "or leave -o out to render each into modules/<name>")
    if len(args.blueprint) == 1:
        return _render_one(args.blueprint[0], args)
    worst = EXIT_OK
    for blueprint in args.blueprint:
        try:
            worst = max(worst, _render_one(blueprint, args))
        except TierformError as error:
            _report_error("render", error)
            worst = max(worst, error.exit_code)
    return worst


def _render_one(blueprint: str, args: argparse.Namespace) -> int:
    checked = workflow.check(workflow.load(Path(blueprint)))
    files = workflow.render(checked)
    target = Path(args.output) if args.output else Path("modules") / checked.name
    if args.check or args.diff:
        drift = module_drift(files, target)
        if drift:
            if args.diff:
                out("\n".join(drift))
            # Not progress: the reason for exit 1, printed even when quiet.
            sys.stderr.write(f"{target}: {style('out of date', 'bad', sys.stderr)} with "
                             f"{blueprint} (run `tierform render {blueprint} -o "
                             f"{target}`)\n")
            return EXIT_FINDINGS
        info(f"{target}: up to date")
        return EXIT_OK
    written = write_module(files, target, force=args.force)
    info(f"wrote {target} ({len(files)} files)")
    if written.removed:
        info(f"removed what the blueprint no longer renders: {', '.join(written.removed)}")
    return EXIT_OK


# --------------------------------------------------------------------------- schema


@command("schema")
def cmd_schema(args: argparse.Namespace) -> int:
    from tierform.blueprint.schema import blueprint_json_schema  # start-up: pydantic

    out_json(blueprint_json_schema())
    return EXIT_OK


# --------------------------------------------------------------------------- plan


@command("plan")
def cmd_plan(args: argparse.Namespace) -> int:
    checked = workflow.check(workflow.load(Path(args.blueprint)))
    if args.out and not Path(args.out).resolve().parent.is_dir():
        raise OutputError(f"cannot write {args.out}: no such directory "
                          f"{Path(args.out).resolve().parent}")
    with progress(f"planning {checked.name} (offline, cached by content)") as events:
        plan = workflow.plan(checked, terraform=args.terraform, events=events)
    if args.out:
        write_result(Path(args.out), json.dumps(plan.raw, indent=1, sort_keys=True) + "\n")
        info(f"wrote {args.out}")
    changes = _plan_changes(plan)
    if args.format == "json":
        out_json(report.changes_json(checked.name, changes))
    else:
        out(report.changes_table(checked.name, changes, paint=style))
    return EXIT_OK


def _plan_changes(plan: Plan) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """``(type, tier, actions)`` of every planned resource, for the change summary."""
    return [(resource.type, plan.tier_of(address), resource.actions)
            for address, resource in ((a, plan[a]) for a in plan)]


_CONFIG_DIR_HELP = ("the plan's root module, whose HCL (and modules, local or under "
                    ".terraform/modules) wires the plan (default: the current directory)")


def _port(text: str) -> int:
    """argparse type: a TCP/UDP port number (a bad one is a usage error, exit 2)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return port


def _endpoint_url(text: str) -> str:
    """argparse type: an AWS API endpoint, ``http(s)://host[:port]``; a bad one is a usage
    error at once (exit 2), not a connection that fails after the SDK's retries."""
    hint = "write it as http://127.0.0.1:5000 (scheme, host and a port 1-65535)"
    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError: not a number, or outside 0-65535
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{printable(text)!r}: {exc}; {hint}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{printable(text)!r} is not an http(s) URL; {hint}")
    if port == 0 or parts.query or parts.fragment or any(c.isspace() for c in text):
        raise argparse.ArgumentTypeError(f"{printable(text)!r} is not a usable endpoint; {hint}")
    return text


# --------------------------------------------------------------------------- reach


def _config_dir(args: argparse.Namespace) -> Path:
    """``--config-dir``: the plan's root module (default: the current directory)."""
    if args.config_dir is None:
        return Path.cwd()
    path = Path(args.config_dir)
    if not path.is_dir():
        raise TierformError(f"--config-dir {args.config_dir}: no such directory; give the "
                            "root module the plan was made from (where `terraform init` ran)")
    if not any(path.glob("*.tf")):
        raise TierformError(f"--config-dir {args.config_dir}: no .tf files there; give the "
                            "root module the plan was made from (where `terraform init` ran)")
    return path


def _named_network(text: str) -> tuple[str, IPv4Network | IPv6Network]:
    """argparse type: ``NAME=CIDR``, IPv4 or IPv6 (a bad one is a usage error, exit 2)."""
    name, sep, cidr = text.partition("=")
    if not sep or not re.fullmatch(r"[a-z][a-z0-9_-]{0,29}", name):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=CIDR (e.g. corp=192.168.0.0/16; a name is lower-case "
            "letters, digits, '_' and '-', starting with a letter)")
    try:
        return name, ip_network(cidr)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {cidr!r} is not an IPv4 or IPv6 network (e.g. 192.168.0.0/16 or "
            "2001:db8::/48)") from None


def _named_networks(pairs: Sequence[tuple[str, IPv4Network | IPv6Network]] | None
                    ) -> dict[str, tuple[IPv4Network | IPv6Network, ...]]:
    """NAME=CIDR pairs -> name -> its CIDRs (a name given again adds a CIDR: a network
    with several, such as a prefix list's)."""
    named: dict[str, tuple[IPv4Network | IPv6Network, ...]] = {}
    for name, cidr in pairs or ():
        if name == "internet" or cidr in named.get(name, ()):
            raise TierformError(f"--network {name}={cidr}: "
                                + ("'internet' is built in" if name == "internet"
                                   else f"{name}={cidr} is given twice")
                                + "; give each CIDR of a named network once")
        named[name] = (*named.get(name, ()), cidr)
    return named


def _network_from_source(source: str, *, tier_tag: str, config_dir: Path | None = None,
                         named: Mapping[str, object] | None = None
                         ) -> tuple[str, Network]:
    path = Path(source)
    if path.suffix in (".yaml", ".yml"):
        if named:
            raise TierformError("--network is for a plan or state: a blueprint names its "
                                "networks itself (its 'networks' key)")
        checked = workflow.check(workflow.load(path))
        return "blueprint", checked.network
    kind, network = workflow.read_network(path, tier_tag=tier_tag, config_dir=config_dir,
                                          named_networks=named)
    if not network.tiers:
        # An empty matrix would read as "nothing reaches anything": refuse instead.
        what = (f"none of its {len(network.subnets)} subnets carries a {tier_tag!r} tag"
                if network.subnets else "it holds no subnets")
        raise TierformError(f"{source}: no tiers in this {kind}: {what}; give --tier-tag "
                            "with the tag that names your tiers (Tierform writes 'Tier'), or "
                            "verify it against its blueprint")
    return kind, network


@command("reach")
def cmd_reach(args: argparse.Namespace) -> int:
    if args.emulate:
        if args.source or args.config_dir:
            raise TierformError(f"--emulate {args.emulate} reads the network it applies: give "
                                "no SOURCE and no --config-dir, or drop --emulate")
        kind, network = "state", _emulated_network(args, region=args.region or "us-east-1",
                                                   named=_named_networks(args.network))
        if not network.tiers:
            raise TierformError(f"--emulate {args.emulate}: no tiers in the applied network: "
                                f"none of its {len(network.subnets)} subnets carries a "
                                f"{args.tier_tag!r} tag; give --tier-tag, or verify it against "
                                "its blueprint")
    elif not args.source:
        raise TierformError("give a SOURCE (blueprint .yaml, plan or state JSON), or "
                            "--emulate DIR")
    else:
        _no_emulate_options(args)
        kind, network = _network_from_source(args.source, tier_tag=args.tier_tag,
                                             config_dir=_config_dir(args),
                                             named=_named_networks(args.network))
    for name, cidr in args.network or ():
        inside = [str(c) for c in network.vpc_cidrs if c.version == cidr.version
                  and c.overlaps(cidr)]
        if inside:
            raise TierformError(f"--network {name}={cidr} overlaps the VPC ({', '.join(inside)}):"
                                " a named network is outside it; give its own CIDR")
    if args.from_ or args.to:
        if not (args.from_ and args.to and args.port is not None):
            raise TierformError("a query needs --from, --to and --port (and optionally --protocol)")
        known = {*network.tiers, *network.named_networks, "internet", *network.services}
        for end in (args.from_, args.to):
            if end not in known:
                raise TierformError(f"unknown endpoint {end!r}; known: {', '.join(sorted(known))}")
        # Either family, unless one is asked for: reachable when one carries it, unknown
        # when one might, blocked only when both block it (the IPv4 explanation is shown).
        families: list[AddressFamily] = ([args.family] if args.family != "any" else
                                         ["ipv4", "ipv6"] if network.has_ipv6 else ["ipv4"])
        answers = [query(network, args.from_, args.to, args.protocol, args.port, family=f)
                   for f in families]
        result = next((r for r in answers if r.verdict == "reachable"),
                      next((r for r in answers if r.verdict == "unknown"), answers[0]))
        # A load balancer is a proxy: what reaches --to through it is said apart, beside the
        # direct answer (which the exit code keeps).
        through = [p for p in workflow.analyze_network(network).proxied
                   if (p.src, p.dst) == (args.from_, args.to) and args.protocol == p.protocol
                   and args.port in p.target_ports] if network.load_balancers else []
        if args.format == "json":
            out_json({**report.query_json(result),
                      **({"proxied": [report.proxied_json(p) for p in through]}
                         if through else {})})
        else:
            out(report.query_text(result) + "".join(
                f"  through {p.via}: {p.verdict}: {p.detail}\n" for p in through))
        return {"reachable": EXIT_OK, "blocked": EXIT_FINDINGS}.get(result.verdict or "",
                                                                   EXIT_INCOMPLETE)
    reach = workflow.analyze_network(network)
    if args.format == "json":
        out_json(report.reach_json(reach, kind))
    else:
        out(report.reach_table(reach))
    incomplete = report.incomplete_line(reach)
    if incomplete is not None and args.format == "json":
        # Not progress: the reason for exit 3, printed even when quiet.
        print(f"tierform: {incomplete}", file=sys.stderr)
    return EXIT_OK if incomplete is None else EXIT_INCOMPLETE


# --------------------------------------------------------------------------- verify


@command("verify")
def cmd_verify(args: argparse.Namespace) -> int:
    loaded = workflow.load(Path(args.blueprint))
    checked = workflow.check(loaded)
    named = loaded.blueprint.network_cidrs
    if not args.emulate:
        _no_emulate_options(args)
    if args.emulate:
        network = _emulated_network(args, region=args.region or loaded.blueprint.region,
                                    named=named)
        against = f"the state of {args.emulate} applied to a local emulator"
    elif args.plan or args.state:
        kind, network = workflow.read_network(Path(args.plan or args.state),
                                              named_networks=named, tier_tag=args.tier_tag,
                                              config_dir=_config_dir(args) if args.plan else None)
        against = f"the {kind} {args.plan or args.state}"
    elif args.live:
        network = _live_network(loaded, args)
        against = (f"the live network ({_vpcs_read(args, loaded.blueprint.name)}, "
                   f"{args.region or loaded.blueprint.region}"
                   + (f", {args.endpoint}" if args.endpoint else "") + ")")
    else:
        with progress(f"planning {checked.name} (offline, cached by content)") as events:
            plan = workflow.plan(checked, terraform=args.terraform, events=events)
        network = plan.network(named_networks=named)
        against = "an offline plan of its rendered module"
    result = workflow.verify_network(loaded, network, gate=args.gate)
    if args.format == "json":
        out_json(report.verify_json(result))
    elif args.format == "sarif":
        out_json(report.verify_sarif(result, loaded.file, loaded.source_map.locate))
    else:
        out(printable(f"{loaded.file}: verified against {against}"))
        out(report.verify_table(result))
        out("single-layer failures (each layer failed open in turn):")
        out(report.single_layer_table(result))
    return result.exit_code


def _emulated_network(args: argparse.Namespace, *, region: str,
                      named: Mapping[str, Any]) -> Network:
    """``--emulate DIR``: the network DIR builds, applied to a throwaway local emulator."""
    from tierform.emulate import check_root, emulated_network, var_arguments  # tftest

    root = check_root(Path(args.emulate))
    arguments = var_arguments(args.var or (), args.var_file or ())
    return emulated_network(root, region=region, arguments=arguments, tier_tag=args.tier_tag,
                            named_networks=named, terraform=args.terraform, progress=progress)


def _no_emulate_options(args: argparse.Namespace) -> None:
    """``--var``/``--var-file`` set the variables of an ``--emulate`` apply only."""
    if args.var or args.var_file:
        raise TierformError("--var and --var-file are the variables of an --emulate DIR run; "
                            "give --emulate DIR, or drop them")


def _live_network(loaded: LoadedBlueprint, args: argparse.Namespace) -> Network:
    """The network as it exists now, through the AWS API (boto3 ``describe_*``)."""
    return _read_live(region=args.region or loaded.blueprint.region, endpoint=args.endpoint,
                      vpc_ids=args.vpc_id or (), all_vpcs=args.all_vpcs,
                      name=loaded.blueprint.name, tier_tag=args.tier_tag,
                      named=dict(loaded.blueprint.network_cidrs))


def _vpcs_read(args: argparse.Namespace, name: str | None) -> str:
    """What a live read reads, for the report's first line."""
    if args.all_vpcs:
        return "every VPC"
    if args.vpc_id:
        return ("VPC " if len(args.vpc_id) == 1 else "VPCs ") + ", ".join(args.vpc_id)
    return f"VPC {name}"


def _read_live(*, region: str, endpoint: str | None, vpc_ids: Sequence[str],
               all_vpcs: bool, name: str | None, tier_tag: str,
               named: dict[str, Any]) -> Network:
    if endpoint:
        ec2 = client("ec2", endpoint, region, allow_remote=True)
        elbv2 = client("elbv2", endpoint, region, allow_remote=True)
        firewall = client("network-firewall", endpoint, region, allow_remote=True)
    else:
        import boto3  # slow to import: only a live read of an AWS account needs it

        ec2 = boto3.client("ec2", region_name=region)
        elbv2 = boto3.client("elbv2", region_name=region)
        firewall = boto3.client("network-firewall", region_name=region)
    if vpc_ids and all_vpcs:
        raise TierformError("--vpc-id names the VPCs to read and --all-vpcs reads every one: "
                            "give one of them")
    tags = None if vpc_ids or all_vpcs or name is None else {"Name": name}
    return network_from_live(ec2, vpc_ids=vpc_ids, all_vpcs=all_vpcs, tag_filters=tags,
                             tier_tag=tier_tag,
                             named_networks=named, elbv2_client=elbv2,
                             firewall_client=firewall)


# --------------------------------------------------------------------------- apply / destroy


@command("apply")
def cmd_apply(args: argparse.Namespace) -> int:
    from tierform.apply import apply_module  # start-up: tftest
    checked = workflow.check(workflow.load(Path(args.blueprint)))
    bp = checked.loaded.blueprint
    shown = ui.Recorder()
    outputs = apply_module(workflow.render(checked), name=bp.name, region=bp.region,
                           local=args.local, endpoint=args.endpoint,
                           workdir=_workdir(args, bp.name), terraform=args.terraform,
                           progress=shown.progress)
    if args.format == "json":
        out_json(outputs)
    else:
        counts = shown.last
        if counts is not None and counts.no_changes:
            out(f"{bp.name}: apply: {style('no changes', 'ok')} (the network matches the "
                "module)")
        elif counts is not None and counts.summary is not None:
            done = counts.summary
            out(f"{bp.name}: apply: {done.get('add', 0)} added, {done.get('change', 0)} "
                f"changed, {done.get('remove', 0)} destroyed")
        out(report.outputs_table(outputs, paint=style))
    return EXIT_OK


@command("destroy")
def cmd_destroy(args: argparse.Namespace) -> int:
    from tierform.apply import destroy_module  # start-up: tftest
    checked = workflow.check(workflow.load(Path(args.blueprint)))
    bp = checked.loaded.blueprint
    shown = ui.Recorder()
    destroy_module(workflow.render(checked), name=bp.name, region=bp.region, local=args.local,
                   endpoint=args.endpoint, workdir=_workdir(args, bp.name),
                   terraform=args.terraform, progress=shown.progress)
    if shown.last is not None and shown.last.no_changes:
        info(f"{bp.name}: nothing to destroy")
    out(f"{bp.name}: destroyed")
    return EXIT_OK


def _workdir(args: argparse.Namespace, name: str) -> Path:
    return Path(args.workdir) if args.workdir else Path(".tierform") / "apply" / name


# --------------------------------------------------------------------------- diagram


@command("diagram")
def cmd_diagram(args: argparse.Namespace) -> int:
    from tierform.render import diagram as draw  # start-up: pydantic

    if args.format == "png" and not args.out:
        raise TierformError("--format png writes a binary picture: give --out FILE.png")
    against = workflow.load(Path(args.against)) if args.against else None
    if args.live:
        if args.source:
            raise TierformError(f"--live reads the network from AWS: give no SOURCE "
                                f"({args.source}), or drop --live")
        if against is None and not (args.vpc_id or args.all_vpcs):
            raise TierformError("--live needs --vpc-id VPC or --all-vpcs (and --region), or "
                                "--blueprint BP to find the VPC tagged with its name")
        region = args.region or (against.blueprint.region if against else None)
        if not region:
            raise TierformError("--live needs --region (or --blueprint BP for its region)")
        network = _read_live(region=region, endpoint=args.endpoint,
                             vpc_ids=args.vpc_id or (), all_vpcs=args.all_vpcs,
                             name=against.blueprint.name if against else None,
                             tier_tag=args.tier_tag,
                             named=dict(against.blueprint.network_cidrs) if against else {})
        title = f"{_vpcs_read(args, against.blueprint.name if against else None)} (live)"
        picture = workflow.diagram(network, title=title, blueprint=against)
    elif not args.source:
        raise TierformError("give a SOURCE (blueprint .yaml, plan or state JSON), or --live")
    elif Path(args.source).suffix in (".yaml", ".yml"):
        checked = workflow.check(workflow.load(Path(args.source)))
        own = against is None
        picture = workflow.diagram(checked.network, title=checked.name,
                                   blueprint=checked.loaded if own else against, own=own)
    else:
        named = dict(against.blueprint.network_cidrs) if against else None
        kind, network = workflow.read_network(Path(args.source), named_networks=named,
                                              tier_tag=args.tier_tag,
                                              config_dir=_config_dir(args))
        picture = workflow.diagram(network, title=f"{Path(args.source).name} ({kind})",
                                   blueprint=against)
    if args.format == "mermaid":
        _write(args.out, draw.mermaid(picture))
    elif args.format == "dot":
        _write(args.out, draw.dot(picture))
    else:
        _write(args.out, _graphviz(draw.dot(picture), args.format))
    return EXIT_OK


def _write(path: str | None, content: str | bytes) -> None:
    if path:
        write_result(Path(path), content)
        info(f"wrote {path}")
    elif isinstance(content, bytes):
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    else:
        out(content)


GRAPHVIZ_PACKAGE = "graphviz"
"""The Debian/Ubuntu (and Homebrew) package that has ``dot``."""


def _graphviz(source: str, fmt: str) -> bytes:
    """``dot -T<fmt>`` of ``source``; exit 2 naming the package when ``dot`` is missing."""
    import shutil
    import subprocess  # only svg and png run a program

    binary = shutil.which("dot")
    if binary is None:
        raise TierformError(f"--format {fmt} needs Graphviz `dot`, which is not on PATH; "
                            f"install it (Debian/Ubuntu: apt-get install {GRAPHVIZ_PACKAGE}; "
                            f"macOS: brew install {GRAPHVIZ_PACKAGE}), or use --format mermaid "
                            "or dot")
    done = subprocess.run([binary, f"-T{fmt}"], input=source.encode(), capture_output=True,
                          check=False, timeout=120)
    if done.returncode != 0:
        raise TierformError(f"dot -T{fmt} failed (exit {done.returncode}): "
                            f"{done.stderr.decode(errors='replace').strip()}",
                            exit_code=EXIT_FINDINGS)
    return done.stdout


# --------------------------------------------------------------------------- ci


@command("ci")
def cmd_ci(args: argparse.Namespace) -> int:
    from tierform.render.ci import CI_DEFAULT_OUTPUT, CI_HEADER_PREFIX, CiTarget, ci_file

    paths = args.blueprint or sorted(str(p) for p in Path("blueprints").glob("*.yaml"))
    targets = []
    for path in paths:
        loaded = workflow.load(Path(path))  # a bad blueprint is reported now, not in CI
        relative = _repository_path(Path(path))
        targets.append(CiTarget(loaded.blueprint.name, relative,
                                f"{args.modules_dir.rstrip('/')}/{loaded.blueprint.name}"))
    text = ci_file(args.kind, targets, install=args.install)
    output = Path(args.output or CI_DEFAULT_OUTPUT[args.kind])
    if write_generated_file(output, text, header_prefix=CI_HEADER_PREFIX):
        info(f"wrote {output} ({len(targets)} blueprint{'s' if len(targets) != 1 else ''})")
    else:
        info(f"{output}: up to date")
    return EXIT_OK


def _repository_path(path: Path) -> str:
    """A blueprint's path as the pipeline sees it: relative to where `tierform ci` runs."""
    if not path.is_absolute():
        return path.as_posix()
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        raise TierformError(f"{path}: outside the current directory; run `tierform ci` from "
                            "the repository root that holds the blueprint") from None


# --------------------------------------------------------------------------- demo


@command("demo")
def cmd_demo(args: argparse.Namespace) -> int:
    from tierform.demo import run_demo  # start-up: every stage

    return run_demo(Path(args.blueprint) if args.blueprint else None, terraform=args.terraform)


# --------------------------------------------------------------------------- logs


def _nat_address(text: str) -> IPv4Address:
    """argparse type: a NAT gateway's private IPv4 address."""
    try:
        return IPv4Address(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an IPv4 address") from None


def _logs_setup(args: argparse.Namespace) -> tuple[LoadedBlueprint, Checked, Any, list[str]]:
    """The blueprint, its layout, the classification rules (with what ``--state``/``--live``
    read) and the report's notes on what stands in for addresses not read."""
    from tierform.logs.intent import rules_of, stand_ins  # start-up: pydantic (the blueprint)

    loaded = workflow.load(Path(args.blueprint))
    checked = workflow.check(loaded)
    built = _logs_built(args, loaded, checked)
    return loaded, checked, rules_of(checked.layout, built.nat_addresses, built.blocks6,
                                     built.interfaces), stand_ins(checked.layout,
                                                                  built.interfaces)


def _logs_built(args: argparse.Namespace, loaded: LoadedBlueprint, checked: Checked) -> Any:
    """``--nat-address`` joined by the NAT gateways' addresses of ``--state`` or ``--live``,
    the IPv6 blocks these read, and (``--live``) the load balancers' and interface
    endpoints' network interfaces."""
    from tierform.layout.load_balancer import load_balancer_id  # the logs stage
    from tierform.logs.addresses import Built, live_built, state_built
    from tierform.logs.intent import endpoint_name

    built = Built()
    tier_tag = getattr(args, "tier_tag", "Tier")
    if getattr(args, "state", None):
        built = state_built(Path(args.state), vpc_cidr=loaded.blueprint.vpc.cidr,
                            tier_tag=tier_tag)
    if getattr(args, "live", False):
        if args.vpc_id and args.all_vpcs:
            raise TierformError("--vpc-id names the VPCs to read and --all-vpcs reads every "
                                "one: give one of them")
        region = args.region or loaded.blueprint.region
        if args.endpoint:
            ec2 = client("ec2", args.endpoint, region, allow_remote=True)
        else:
            import boto3  # slow to import: only a live read of an AWS account needs it

            ec2 = boto3.client("ec2", region_name=region)
        layout = checked.layout
        built = live_built(
            ec2, vpc_ids=args.vpc_id or (), all_vpcs=args.all_vpcs,
            name=loaded.blueprint.name, tier_tag=tier_tag,
            load_balancers={lb.tier: load_balancer_id(lb.tier) for lb in layout.load_balancers},
            services={e.service_name: endpoint_name(e.service)
                      for e in layout.interface_endpoints})
    elif (getattr(args, "endpoint", None) and not getattr(args, "run", False)) or getattr(
            args, "vpc_id", None) or getattr(args, "all_vpcs", False):
        raise TierformError("--endpoint, --vpc-id and --all-vpcs say where a --live read "
                            "reads: add --live, or drop them")
    nat = tuple(dict.fromkeys([*(args.nat_address or ()), *built.nat_addresses]))
    return Built(nat, built.blocks6, built.interfaces)


def _duckdb_missing() -> TierformError:
    return TierformError("the flow-log engine DuckDB is not installed; install it with "
                         "`pip install 'tierform[logs]'`")


@command("logs")
def cmd_logs(args: argparse.Namespace) -> int:
    if args.logs_command == "athena":
        return _logs_athena(args)
    if args.logs_command == "sample":
        return _logs_sample(args)
    from tierform.logs.check import check_sources, tty_progress  # start-up: the logs engine
    from tierform.logs.formats import EXACT_FIELDS
    from tierform.logs.intent import nat_tiers
    from tierform.logs.report import summarize

    loaded, checked, rules, notes = _logs_setup(args)
    fl = loaded.blueprint.flow_logs
    fields = fl.fields if fl is not None else None
    for source in args.sources:
        if not Path(source).is_file():
            raise TierformError(f"{source}: no such file; give flow-log files (plain, gzip, "
                                "Parquet or a CloudWatch Logs export)")
    show = tty_progress()
    try:
        result = check_sources(rules, [Path(s) for s in args.sources], fields, progress=show)
    except ModuleNotFoundError as error:
        if error.name == "duckdb":
            raise _duckdb_missing() from None
        raise
    finally:
        if show is not None:
            sys.stderr.write("\n")
    read = {f for s in result.sources for f in s.fields}
    if result.records and "tcp-flags" not in read:
        notes.append("requests told from replies by ports (no tcp-flags field): a record "
                     "B->A from a flow A->B's port to an ephemeral port (1024-65535) is its "
                     "reply; add " + ", ".join(EXACT_FIELDS) + " to flow_logs.fields to "
                     "make it exact")
    natted = nat_tiers(checked.layout)
    if natted and not rules.nat_addresses and any(
            f.src in natted and f.dst == "internet" for f in loaded.blueprint.flows):
        notes.append("NAT gateway addresses not given (--nat-address, --state or --live): "
                     "their translated legs read as the NAT subnet's tier talking to the "
                     "internet")
    summary = summarize(result.rows, bad_count=result.bad_count,
                        bad_lines=[{"path": b.path, "line": b.line, "problem": b.problem}
                                   for b in result.bad_lines], notes=notes)
    info(f"classified {result.records:,} records in {result.seconds:.1f} s")
    if _logs_print(args, loaded, summary):
        return EXIT_FINDINGS
    return EXIT_INCOMPLETE if result.bad_count else EXIT_OK


def _logs_print(args: argparse.Namespace, loaded: LoadedBlueprint, summary: Any) -> bool:
    """The report of ``logs check`` or ``logs athena --run`` in ``--format``; True when
    it holds findings."""
    from tierform.logs.report import summary_sarif, summary_text  # the logs stage

    if args.format == "json":
        out_json(summary)
    elif args.format == "sarif":
        flows = {f.flow_id: i for i, f in enumerate(loaded.blueprint.flows)}
        out_json(summary_sarif(summary, loaded.file, loaded.source_map.locate, flows))
    else:
        out(printable(summary_text(summary)))
    return bool(summary["findings"])


def _logs_sample(args: argparse.Namespace) -> int:
    from tierform.logs.formats import DEFAULT_FIELDS, EXACT_FIELDS  # start-up: the logs stage
    from tierform.logs.synthetic import generate, write_parquet, write_text

    loaded, checked, _, _ = _logs_setup(args)
    fl = loaded.blueprint.flow_logs
    custom = tuple(fl.fields) if fl is not None and fl.fields else DEFAULT_FIELDS
    fields = {"custom": custom, "default": DEFAULT_FIELDS,
              "exact": (*custom, *(f for f in EXACT_FIELDS if f not in custom))}[args.fields]
    target = Path(args.output)
    if target.exists():
        raise OutputError(f"{target}: exists; give a new file name (Tierform never "
                          "overwrites a file it did not write)")
    if not target.resolve().parent.is_dir():
        raise OutputError(f"cannot write {target}: no such directory")
    sample = generate(checked.layout, args.records, seed=args.seed)
    if args.parquet:
        try:
            write_parquet(sample, target, fields)
        except ModuleNotFoundError as error:
            if error.name == "duckdb":
                raise _duckdb_missing() from None
            raise
    else:
        write_text(sample, target, fields, cloudwatch=args.cloudwatch)
    nat = " ".join(f"--nat-address {a}" for a in sample.nat_addresses)
    info(f"wrote {args.records:,} records to {target}; injected: " + (", ".join(
        f"{c.klass} {c.client}->{c.server}:{c.port}" for c in sorted(
            sample.injected, key=lambda c: c.klass)) or "nothing") + (f"; NAT: {nat}" if nat
                                                                      else ""))
    return EXIT_OK


def _logs_athena(args: argparse.Namespace) -> int:
    from tierform.logs.athena import athena_sql  # start-up: the logs stage

    location = args.output_location or ""
    if args.run and (not location.startswith("s3://") or len(location) <= len("s3://")):
        raise TierformError("--run needs --output-location s3://BUCKET/PREFIX/: where Athena "
                            "writes the query results (the workgroup's own setting aside)")
    if location and not args.run:
        raise TierformError("--output-location is where --run leaves Athena's results: "
                            "add --run, or drop it")
    loaded, _, rules, notes = _logs_setup(args)
    fl = loaded.blueprint.flow_logs
    bucket = args.bucket
    if bucket is None and fl is not None and fl.bucket_arn:
        bucket = fl.bucket_arn.rsplit(":", 1)[-1]
    if bucket is None:
        raise TierformError("give --bucket: the S3 bucket the flow logs are delivered to "
                            "(`terraform output` of the module names it)")
    fields = fl.fields if fl is not None else None
    region = args.region or loaded.blueprint.region
    days = (args.days[0], args.days[1]) if args.days else None
    if not args.run:
        out(athena_sql(rules, fields, bucket=bucket, account=args.account, region=region,
                       table=args.table, parquet=args.parquet, days=days, notes=notes))
        return EXIT_OK
    from tierform.logs.athena import run_report  # the logs stage
    from tierform.logs.report import summarize

    if args.endpoint:
        athena = client("athena", args.endpoint, region, allow_remote=True)
    else:
        import boto3  # slow to import: only a run on an AWS account needs it

        athena = boto3.client("athena", region_name=region)
    rows = run_report(athena, rules, fields, bucket=bucket, account=args.account,
                      region=region, output_location=location, table=args.table,
                      parquet=args.parquet, days=days, database=args.database,
                      workgroup=args.workgroup)
    summary = summarize(rows, notes=notes)
    info(f"Athena classified {summary['records']:,} records")
    return EXIT_FINDINGS if _logs_print(args, loaded, summary) else EXIT_OK


# --------------------------------------------------------------------------- parser


_EXIT_CODES = {
    "validate": "0 valid; 2 invalid blueprint (every problem listed) or unreadable file",
    "render": "0 written or up to date; 1 drift (--check/--diff); 2 invalid blueprint or an "
              "output directory that is not Tierform's",
    "schema": "0",
    "plan": "0 planned; 1 terraform plan failed; 2 invalid blueprint, terraform missing or too "
            "old, provider not installable",
    "reach": "0 every answer known (query: reachable); 1 query: blocked; 2 unreadable source, "
             "no tiers, or an --emulate root that does not apply; 3 some answer unknown "
             "(query: unknown)",
    "verify": "0 the network does what the blueprint says; 1 findings the --gate counts; 2 bad "
              "input or set-up (an --emulate root that does not apply); 3 no finding, but "
              "some answer is unknown",
    "apply": "0 applied; 1 terraform apply failed (the state is kept: run it again); 2 bad "
             "input or set-up",
    "destroy": "0 destroyed; 1 terraform destroy failed (the state is kept: run it again); 2 bad "
               "input, or no emulator recorded for --local",
    "diagram": "0 drawn (findings are drawn, not gated: use verify to gate); 2 bad input, or "
               "Graphviz `dot` missing for --format svg or png",
    "logs": "0 ok (check, athena --run: every record as intended; sample, athena: written); "
            "1 check, athena --run: findings; 2 bad input (athena --run: a query Athena "
            "failed); 3 check: lines that could not be read",
    "ci": "0 written or up to date; 2 a bad blueprint, or an output file Tierform did not "
          "write",
    "demo": "0 the whole loop passed; 1 a stage found a problem; 2 bad input or set-up",
}

_EXAMPLES = {
    "validate": ["tierform validate blueprints/three-tier.yaml",
                 "tierform validate bp.yaml --format json"],
    "render": ["tierform render blueprints/three-tier.yaml -o modules/three-tier",
               "tierform render blueprints/three-tier.yaml -o modules/three-tier --check"],
    "schema": ["tierform schema > blueprint.schema.json"],
    "plan": ["tierform plan blueprints/three-tier.yaml",
             "tierform plan blueprints/three-tier.yaml --out plan.json --format json"],
    "reach": ["tierform reach plan.json",
              "tierform reach state.json --from web --to db --port 5432",
              "tierform reach --emulate infra/network --var-file dev.tfvars"],
    "verify": ["tierform verify blueprints/three-tier.yaml",
               "tierform verify blueprints/three-tier.yaml --plan plan.json --format sarif",
               "tierform verify bp.yaml --live --region eu-west-1 --vpc-id vpc-0abc",
               "tierform verify bp.yaml --emulate infra/network --var single_nat_gateway=true"],
    "apply": ["tierform apply blueprints/three-tier.yaml --local",
              "tierform apply bp.yaml --endpoint http://127.0.0.1:5000 --format json"],
    "destroy": ["tierform destroy blueprints/three-tier.yaml --local"],
    "diagram": ["tierform diagram blueprints/three-tier.yaml",
                "tierform diagram plan.json --blueprint bp.yaml --format svg --out net.svg",
                "tierform diagram bp.yaml --live --region eu-west-1 --vpc-id vpc-0abc"],
    "logs": ["tierform logs sample blueprints/three-tier.yaml -o s3.log.gz",
             "tierform logs check blueprints/three-tier.yaml s3.log.gz",
             "tierform logs athena blueprints/four-tier.yaml --account 123456789012"],
    "ci": ["tierform ci github", "tierform ci gitlab blueprints/three-tier.yaml -o .gitlab-ci.yml"],
    "demo": ["tierform demo", "tierform demo blueprints/two-tier.yaml"],
}


def _epilog(name: str) -> str:
    examples = "\n".join(f"  {line}" for line in _EXAMPLES[name])
    return (f"examples:\n{examples}\n\nexit codes: {_EXIT_CODES[name]}\n\n"
            "colour: on a terminal; off when piped, with NO_COLOR set, or --color never; "
            "FORCE_COLOR or --color always forces it.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tierform",
        description="Layered AWS networks (SEC05-BP01): validate a blueprint, render Terraform, "
                    "plan, prove the layering.",
        epilog="Exit codes: 0 ok; 1 findings, drift or a failed plan/apply; 2 bad input, usage "
               "or set-up; 3 no finding but some answer unknown (reach, verify). "
               "`tierform COMMAND --help` describes each command.")
    parser.add_argument("--version", action="version", version=f"tierform {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=_epilog(name),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                       help="colour and live progress: auto (default: on a terminal, unless "
                            "NO_COLOR is set; FORCE_COLOR forces it), always, never")
        return p

    def fmt(p: argparse.ArgumentParser, *choices: str, what: str = "") -> None:
        p.add_argument("--format", choices=choices, default=choices[0],
                       help=what or f"output format (default {choices[0]}; json for programs)")

    def tf(p: argparse.ArgumentParser) -> None:
        p.add_argument("--terraform", default=None, metavar="BINARY",
                       help="terraform or tofu binary (default: $TIERFORM_TERRAFORM or terraform "
                            "on PATH)")
        p.add_argument("--provider-mirror", metavar="DIR", default=None,
                       help="install providers only from this mirror or plugin directory "
                            "(as `terraform providers mirror DIR` writes it), never from the "
                            f"network (default: ${_MIRROR_ENV}, else Terraform's own "
                            "CLI configuration)")

    def blueprint(p: argparse.ArgumentParser, what: str = "the blueprint (YAML)") -> None:
        p.add_argument("blueprint", metavar="BP", help=what)

    def tier_tag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--tier-tag", default="Tier", metavar="TAG",
                       help="the tag that names a subnet's tier (default Tier, as Tierform "
                            "writes it)")

    def live(p: argparse.ArgumentParser, source: str) -> None:
        p.add_argument("--region", default=None,
                       help=f"AWS region of a --live read or an --emulate run (default: the "
                            f"{source}'s region)")
        p.add_argument("--endpoint", default=None, metavar="URL", type=_endpoint_url,
                       help="AWS API endpoint of a --live read (an emulator, e.g. "
                            "http://127.0.0.1:5000)")
        p.add_argument("--vpc-id", action="append", metavar="VPC",
                       help="a VPC a --live read reads (repeatable: several VPCs are read "
                            "together, peering between them followed; default: the VPC "
                            "tagged Name=<the blueprint's name>)")
        p.add_argument("--all-vpcs", action="store_true",
                       help="a --live read reads every non-default VPC of the region")

    def emulate(p: argparse.ArgumentParser, group: Any = None) -> None:
        (group or p).add_argument(
            "--emulate", metavar="DIR",
            help="apply the root module in DIR (a throwaway copy) to a local emulator started "
                 "for this run, and read its state: ground truth for what a plan cannot "
                 "resolve (data sources included); the emulator is always stopped")
        p.add_argument("--var", metavar="NAME=VALUE", action="append",
                       help="an input variable of the --emulate apply, as terraform -var "
                            "(repeatable)")
        p.add_argument("--var-file", metavar="FILE", action="append",
                       help="a .tfvars or .tfvars.json file of the --emulate apply, as "
                            "terraform -var-file (repeatable)")

    p = add("validate", "Check blueprints; print every problem with file:line:col.")
    p.add_argument("blueprint", metavar="BP", nargs="+",
                   help="one or more blueprints (YAML); the worst exit code")
    fmt(p, "table", "json")

    p = add("render", "Render a blueprint into a Terraform module directory (crash-safe; "
                      "files Tierform did not write are kept).")
    p.add_argument("blueprint", metavar="BP", nargs="+",
                   help="one or more blueprints (more than one: each into modules/<name>)")
    p.add_argument("-o", "--output", metavar="DIR", help="module directory (default: "
                                                         "modules/<name>)")
    p.add_argument("--check", action="store_true", help="compare only, write nothing; exit 1 "
                                                        "on drift")
    p.add_argument("--diff", action="store_true", help="print the diff, write nothing; exit 1 "
                                                       "on drift")
    p.add_argument("--force", action="store_true",
                   help="write into a non-empty directory Tierform did not create (none of "
                        "its files is deleted or overwritten)")

    add("schema", "Print the JSON Schema of the blueprint format (for editors).")

    p = add("plan", "Render and plan a blueprint offline (fake credentials; cached by content); "
                    "print what it would change by resource type and tier.")
    blueprint(p)
    p.add_argument("--out", metavar="FILE", help="write the plan JSON (terraform show -json) "
                                                 "here")
    fmt(p, "table", "json")
    tf(p)

    p = add("reach", "Reachability matrix of a blueprint, plan JSON, state JSON or a root "
                     "module applied to a local emulator; or one query.")
    p.add_argument("source", metavar="SOURCE", nargs="?",
                   help="blueprint .yaml, or `terraform show -json` output (plan or state); "
                        "omit with --emulate")
    p.add_argument("--from", dest="from_", metavar="ENDPOINT",
                   help="query: where the connection starts (a tier, named network or internet)")
    p.add_argument("--to", metavar="ENDPOINT", help="query: where the connection goes")
    p.add_argument("--port", type=_port, help="query: the destination port")
    p.add_argument("--protocol", choices=("tcp", "udp", "icmp"), default="tcp",
                   help="query: the protocol (default tcp)")
    p.add_argument("--family", choices=("any", "ipv4", "ipv6"), default="any",
                   help="query: the address family (default any: reachable when either "
                        "family carries it)")
    tier_tag(p)
    p.add_argument("--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP)
    p.add_argument("--network", metavar="NAME=CIDR", action="append", type=_named_network,
                   help="a named outside network, an endpoint of the matrix and of queries "
                        "(repeatable; a plan or state only: a blueprint names its own)")
    emulate(p)
    p.add_argument("--region", default=None,
                   help="AWS region of an --emulate run (default us-east-1)")
    fmt(p, "table", "json")
    tf(p)

    p = add("verify", "Compare a network (plan, state or live) with its blueprint.")
    blueprint(p, "the blueprint that says what the network must allow")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--plan", metavar="FILE", help="plan JSON (terraform show -json PLANFILE); "
                                                    "default: render and plan BP offline")
    src.add_argument("--state", metavar="FILE", help="state JSON (terraform show -json)")
    src.add_argument("--live", action="store_true", help="read the network through the AWS API "
                                                         "(boto3, your credentials)")
    emulate(p, src)
    live(p, "blueprint")
    tier_tag(p)
    p.add_argument("--gate", choices=("all", "layer", "end-to-end"), default="all",
                   help="which findings fail verify (exit 1): all (default); layer: end-to-end "
                        "and single-layer, not single-rule; end-to-end: only what the whole "
                        "network lets through or blocks. The others print as warnings.")
    p.add_argument("--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP)
    fmt(p, "table", "json", "sarif",
        what="output format: table (default), json, or sarif (for code scanning)")
    tf(p)

    for name, text in (("apply", "Render and apply to the local AWS emulator (or --endpoint); "
                                 "print the outputs."),
                       ("destroy", "Destroy what `apply` built (with --local, then stop the "
                                   "emulator apply started).")):
        p = add(name, text)
        blueprint(p)
        where = p.add_mutually_exclusive_group(required=True)
        where.add_argument("--local", action="store_true",
                           help=("start a moto server on 127.0.0.1 (or reuse the one recorded "
                                 "in the work directory) and apply to it" if name == "apply" else
                                 "destroy in the emulator `apply --local` recorded in the work "
                                 "directory, then stop it"))
        where.add_argument("--endpoint", metavar="URL", type=_endpoint_url,
                           help="an AWS emulator that is already running (left running)")
        p.add_argument("--workdir", metavar="DIR",
                       help="where the module and its state live (default "
                            ".tierform/apply/<name>)")
        if name == "apply":
            fmt(p, "table", "json")
        tf(p)

    p = add("diagram", "Draw the tiers, subnets per AZ, gateways and flows of a blueprint, plan "
                       "JSON, state JSON or live network; with a blueprint to verify against, "
                       "unintended flows in red and broken flows dashed orange.")
    p.add_argument("source", metavar="SOURCE", nargs="?",
                   help="blueprint .yaml, or `terraform show -json` output (plan or state); "
                        "omit with --live")
    p.add_argument("--blueprint", metavar="BP", dest="against",
                   help="verify the network against this blueprint and mark the findings "
                        "(a blueprint SOURCE is its own)")
    p.add_argument("--live", action="store_true",
                   help="read the network through the AWS API (needs --blueprint or --vpc-id)")
    live(p, "--blueprint")
    tier_tag(p)
    p.add_argument("--config-dir", metavar="DIR", help=_CONFIG_DIR_HELP)
    fmt(p, "mermaid", "dot", "svg", "png",
        what="mermaid (default; GitHub and GitLab render it), dot (Graphviz source), or svg / "
             "png drawn by Graphviz `dot` (Debian/Ubuntu package graphviz)")
    p.add_argument("--out", metavar="FILE", help="write the diagram here (png needs it); "
                                                 "default: standard output")

    def built_from(q: argparse.ArgumentParser) -> None:
        """``logs check`` and ``logs athena``: the addresses the blueprint cannot know."""
        q.add_argument("--nat-address", action="append", type=_nat_address, metavar="IP",
                       help="a NAT gateway's private address (repeatable)")
        built = q.add_mutually_exclusive_group()
        built.add_argument("--state", metavar="FILE",
                           help="state of the applied module (terraform show -json, or the "
                                ".tfstate): its NAT gateways' addresses join --nat-address, "
                                "its IPv6 blocks place IPv6 records")
        built.add_argument("--live", action="store_true",
                           help="read the NAT gateways' addresses, the IPv6 blocks and the "
                                "network interfaces of load balancers and interface "
                                "endpoints through the AWS API (boto3, your credentials), of "
                                "the VPC as verify --live finds it")

    p = add("logs", "Replay VPC flow logs against the blueprint (`logs check`, `logs athena`).")
    logs = p.add_subparsers(dest="logs_command", required=True, metavar="SUBCOMMAND",
                            help="check, sample or athena (each has --help)")
    q = logs.add_parser("check", help="Classify flow-log records by the blueprint's intent; "
                        "exit 1 on findings, 3 when lines could not be read.")
    q.add_argument("blueprint", metavar="BP", help="the blueprint (YAML)")
    q.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="flow-log files: text as S3 delivers it (plain or .gz, header "
                        "line), Parquet, or a CloudWatch Logs export")
    built_from(q)
    live(q, "blueprint")
    tier_tag(q)
    q.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                   help="output format: text (default), json, or sarif (for code scanning)")
    q = logs.add_parser("sample", help="Write generated flow-log records for the blueprint's "
                        "network (intended traffic, scans, one misconfiguration, one broken "
                        "flow, NAT legs): for trying `logs check`.")
    q.add_argument("blueprint", metavar="BP", help="the blueprint (YAML)")
    q.add_argument("-o", "--output", required=True,
                   help="a new file (.gz: gzip, as S3 delivers)")
    q.add_argument("--records", type=int, default=10000, help="how many (default 10000)")
    q.add_argument("--seed", type=int, default=0, help="same seed, same records (default 0)")
    q.add_argument("--fields", choices=("custom", "default", "exact"), default="custom",
                   help="the blueprint's format, AWS's default, or the blueprint's plus "
                        "tcp-flags, pkt-srcaddr, pkt-dstaddr, flow-direction")
    q.add_argument("--parquet", action="store_true", help="write Parquet instead of text")
    q.add_argument("--cloudwatch", action="store_true",
                   help="as a CloudWatch Logs export (`<time> <record>` lines)")
    q.set_defaults(nat_address=None)
    q = logs.add_parser("athena", help="Print the Athena SQL (table DDL with partition "
                        "projection, classified view, report query) of the same rules.")
    q.add_argument("blueprint", metavar="BP", help="the blueprint (YAML)")
    q.add_argument("--bucket", help="the flow-log bucket (default: flow_logs.bucket_arn)")
    q.add_argument("--account", required=True, help="the AWS account id in the S3 keys")
    q.add_argument("--region", default=None, help="default: the blueprint's region")
    q.add_argument("--table", default="vpc_flow_logs",
                   help="the Athena table name (default vpc_flow_logs)")
    q.add_argument("--parquet", action="store_true", help="the logs are delivered as Parquet")
    q.add_argument("--days", nargs=2, metavar=("FROM", "TO"),
                   help="scan only these days (yyyy/MM/dd)")
    built_from(q)
    q.add_argument("--run", action="store_true",
                   help="run the recipe on Athena (boto3, your credentials): create the table "
                        "and view, run the report query, print the report as logs check "
                        "does; exit 1 on findings")
    q.add_argument("--output-location", metavar="S3URI",
                   help="with --run: where Athena writes results (s3://BUCKET/PREFIX/)")
    q.add_argument("--database", default="default",
                   help="with --run: the Glue database of the table (default: default)")
    q.add_argument("--workgroup", default="primary",
                   help="with --run: the Athena workgroup (default: primary)")
    q.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                   help="with --run: the report's format (text, json or sarif)")
    q.add_argument("--endpoint", default=None, metavar="URL", type=_endpoint_url,
                   help="AWS API endpoint of a --live read or a --run (an emulator)")
    q.add_argument("--vpc-id", action="append", metavar="VPC",
                   help="a VPC a --live read reads (repeatable; default: the VPC tagged "
                        "Name=<the blueprint's name>)")
    q.add_argument("--all-vpcs", action="store_true",
                   help="a --live read reads every non-default VPC of the region")
    tier_tag(q)
    p = add("ci", "Write a CI pipeline that gates the blueprints: validate, render --check, "
                  "terraform test, plan, verify (SARIF to code scanning).")
    p.add_argument("kind", choices=("github", "gitlab"),
                   help="github: .github/workflows/tierform.yml; gitlab: .gitlab-ci.yml")
    p.add_argument("blueprint", nargs="*",
                   help="blueprints to gate, relative to the repository root (default: "
                        "blueprints/*.yaml)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="the file to write (refused if it exists and Tierform did not write it)")
    p.add_argument("--modules-dir", default="modules",
                   help="where each blueprint's module is rendered, as <dir>/<name> "
                        "(default: modules)")
    p.add_argument("--install", metavar="REQUIREMENT",
                   help="pip requirement the pipeline installs (default: tierform==<this "
                        "version>; e.g. a git URL or a wheel)")

    p = add("demo", "Render, plan, verify, apply locally, read back live, report, destroy.")
    p.add_argument("blueprint", metavar="BP", nargs="?",
                   help="the blueprint (default: the shipped three-tier blueprint)")
    tf(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    ui.configure(args.color)
    mirror = getattr(args, "provider_mirror", None)
    saved = os.environ.get(_MIRROR_ENV)
    try:
        if mirror:  # read by every terraform run of this command (terraform.cliconfig)
            os.environ[_MIRROR_ENV] = os.path.abspath(mirror)
        return COMMANDS[args.command](args)
    except TierformError as error:
        where = style(f"tierform {args.command}:", "bad", sys.stderr)
        sys.stderr.write(f"{where} {error_text(error)}\n")
        return error.exit_code
    except KeyboardInterrupt:
        sys.stderr.write(f"tierform {args.command}: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as error:
        # An I/O failure no stage turned into a message (a full disk, a closed terminal).
        where = f": {error.filename}" if error.filename else " (standard output)"
        sys.stderr.write(f"tierform {args.command}: input/output error{where}: "
                         f"{error.strerror or error}\n")
        return EXIT_BAD_INPUT
    finally:
        if mirror:
            if saved is None:
                os.environ.pop(_MIRROR_ENV, None)
            else:
                os.environ[_MIRROR_ENV] = saved


if __name__ == "__main__":
    raise SystemExit(main())
