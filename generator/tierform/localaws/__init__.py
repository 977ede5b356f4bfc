"""Local AWS emulator (moto server) for apply tests and demos, and clients pointed at it."""

from __future__ import annotations

from tierform.localaws.provider import boto3_session, check_endpoint, client, provider_hcl
from tierform.localaws.server import LocalAWS, LocalAWSError, free_port

__all__ = [
    "LocalAWS",
    "LocalAWSError",
    "boto3_session",
    "check_endpoint",
    "client",
    "free_port",
    "provider_hcl",
]
