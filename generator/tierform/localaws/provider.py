"""Point Terraform's AWS provider and boto3 at an emulator endpoint, with fake credentials.

Guard: the endpoint must be a loopback address unless the user named it explicitly
(``--endpoint URL`` -> ``allow_remote=True``), so that a typo never sends fake-credential
traffic, or a real apply, to somewhere unexpected.
"""

from __future__ import annotations

import ipaddress
import re
import urllib.parse
from typing import Any

from tierform.errors import TierformError

__all__ = [
    "FAKE_ACCESS_KEY",
    "FAKE_SECRET_KEY",
    "PROVIDER_ENDPOINT_SERVICES",
    "boto3_session",
    "check_endpoint",
    "client",
    "provider_hcl",
]

FAKE_ACCESS_KEY = "test"
FAKE_SECRET_KEY = "test"

PROVIDER_ENDPOINT_SERVICES = ("acm", "cloudwatch", "ec2", "elbv2", "iam", "kms", "logs",
                              "networkfirewall", "s3", "sns", "sts")
"""Provider ``endpoints`` keys for every service a rendered module touches (VPC and
flow logs: EC2, IAM role, CloudWatch Logs, S3 bucket, KMS; the alarms: CloudWatch, SNS;
load balancers: ELBv2, and ACM for their certificates; inspection: Network Firewall) plus
STS for the account id. A service left out would go to AWS itself with the fake
credentials."""

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def check_endpoint(endpoint: str, *, allow_remote: bool = False) -> str:
    """The endpoint without a trailing slash; ``TierformError`` if it is not a safe URL."""
    parsed = urllib.parse.urlsplit(endpoint)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise TierformError(f"endpoint {endpoint!r} is not an http(s) URL")
    if parsed.query or parsed.fragment or parsed.username or parsed.password:
        raise TierformError(f"endpoint {endpoint!r} must be scheme://host:port only")
    if not re.fullmatch(r"[A-Za-z0-9._:/\[\]-]+", endpoint):
        raise TierformError(f"endpoint {endpoint!r} contains unexpected characters")
    if not allow_remote and not _is_loopback(parsed.hostname):
        raise TierformError(
            f"endpoint {endpoint!r} is not a loopback address; "
            "pass it explicitly (--endpoint URL) to use a remote emulator")
    return endpoint.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_region(region: str) -> str:
    if not _REGION.match(region):
        raise TierformError(f"region {region!r} is not an AWS region name")
    return region


def provider_hcl(endpoint: str, region: str, *, allow_remote: bool = False,
                 alias: str | None = None,
                 services: tuple[str, ...] = PROVIDER_ENDPOINT_SERVICES) -> str:
    """An ``provider "aws"`` block that sends every service to ``endpoint``.

    ``alias``: the block of that provider alias (a root module's second configuration);
    ``services``: the ``endpoints`` keys sent to ``endpoint``.

    ``skip_requesting_account_id = false``: the emulator answers STS GetCallerIdentity,
    and without the account id the provider writes security-group references as
    ``"<account>/sg-..."`` on read, a perpetual diff on every later plan.
    """
    url = check_endpoint(endpoint, allow_remote=allow_remote)
    _check_region(region)
    if alias is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", alias):
        raise TierformError(f"provider alias {alias!r} is not a Terraform name")
    named = f'  alias                       = "{alias}"\n' if alias is not None else ""
    width = max(len(s) for s in services)
    endpoints = "\n".join(f'    {service.ljust(width)} = "{url}"' for service in services)
    return (
        "# Local AWS emulator: fake credentials, every service on one endpoint.\n"
        'provider "aws" {\n'
        f"{named}"
        f'  region                      = "{region}"\n'
        f'  access_key                  = "{FAKE_ACCESS_KEY}"\n'
        f'  secret_key                  = "{FAKE_SECRET_KEY}"\n'
        "  skip_credentials_validation = true\n"
        "  skip_metadata_api_check     = true\n"
        "  skip_region_validation      = true\n"
        "  skip_requesting_account_id  = false\n"
        "  s3_use_path_style           = true # the emulator has no per-bucket DNS names\n"
        "  max_retries                 = 3    # a local emulator that went away will not return\n"
        "\n"
        "  endpoints {\n"
        f"{endpoints}\n"
        "  }\n"
        "}\n"
    )


def boto3_session(endpoint: str, region: str, *, allow_remote: bool = False) -> Any:
    """A boto3 session with fake credentials (checks the endpoint it will be used with)."""
    import boto3

    check_endpoint(endpoint, allow_remote=allow_remote)
    return boto3.Session(aws_access_key_id=FAKE_ACCESS_KEY,
                         aws_secret_access_key=FAKE_SECRET_KEY,
                         region_name=_check_region(region))


def client(service: str, endpoint: str, region: str, *, allow_remote: bool = False) -> Any:
    """A boto3 client for ``service`` on the emulator endpoint."""
    from botocore.config import Config

    session = boto3_session(endpoint, region, allow_remote=allow_remote)
    config = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2})
    return session.client(service, endpoint_url=check_endpoint(endpoint,
                          allow_remote=allow_remote), config=config)
