"""What init installs, read from a module's files: the shared init dir's key."""

from __future__ import annotations

from pathlib import Path

from tierform.terraform.install import has_module_calls, install_inputs
from tierform.terraform.runner import module_files

ROOT = Path(__file__).resolve().parents[3]

VERSIONS = """terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws" # the provider
      version = ">= 5.0"
    }
  }
}
"""
MAIN = 'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n}\n'


def _module(**extra: str) -> dict[str, str | bytes]:
    return {"versions.tf": VERSIONS, "main.tf": MAIN, **extra}


def test_module_content_does_not_change_the_key() -> None:
    base = install_inputs(_module())
    assert base is not None
    changed = _module(**{"main.tf": MAIN.replace("10.0.0.0/16", "10.1.0.0/16")
                         + 'resource "aws_subnet" "a" {\n  vpc_id = aws_vpc.this.id\n}\n'})
    assert install_inputs(changed) == base
    # Comments and layout of the required_providers block are not what init reads.
    recommented = VERSIONS.replace("# the provider", "// another comment").replace(
        "version =", "version    =")
    assert install_inputs(_module(**{"versions.tf": recommented})) == base


def test_what_init_installs_changes_the_key() -> None:
    base = install_inputs(_module())
    others = [
        install_inputs(_module(**{"versions.tf": VERSIONS.replace(">= 5.0", ">= 5.1")})),
        install_inputs(_module(**{"versions.tf": VERSIONS.replace("hashicorp/aws", "acme/aws")})),
        # An implied provider: a resource type of another provider, no required_providers.
        install_inputs(_module(**{"extra.tf": 'resource "random_id" "x" {}\n'})),
        install_inputs(_module(**{"p.tf": 'provider "google" {}\n'})),
        install_inputs(_module(**{"d.tf": 'data "tls_certificate" "c" {\n  url = "x"\n}\n'})),
        install_inputs(_module(**{".terraform.lock.hcl": 'provider "x" {}\n'})),
        # The same requirement in a child module's folder is another configuration.
        install_inputs({"versions.tf": VERSIONS, "child/main.tf": MAIN}),
    ]
    assert base not in others
    assert len(set(others)) == len(others)


def test_a_brace_in_a_comment_or_string_does_not_cut_the_block() -> None:
    tricky = VERSIONS.replace("# the provider", "# } closes nothing").replace(
        'version = ">= 5.0"', 'version = ">= 5.0" /* } */\n      x = "}"')
    other = tricky.replace('x = "}"', 'x = "}}"')
    assert install_inputs(_module(**{"versions.tf": tricky})) != install_inputs(
        _module(**{"versions.tf": other}))


def test_only_init_can_tell_remote_modules_and_json() -> None:
    local = 'module "net" {\n  source = "./net"\n}\n'
    assert install_inputs(_module(**{"calls.tf": local, "net/main.tf": MAIN})) is not None
    assert has_module_calls(_module(**{"calls.tf": local}))
    assert not has_module_calls(_module(**{"calls.tf": "# module \"x\" {\n"}))


def test_only_the_root_folders_calls_need_get() -> None:
    """Terraform reads the root folder only: an ``example/`` that calls ``../`` needs no
    ``get`` in the plan dir (it cost a terraform run per work dir); a root call does."""
    up = 'module "this" {\n  source = "../"\n}\n'
    down = 'module "net" {\n  source = "./net"\n}\n'
    assert not has_module_calls(_module(**{"example/main.tf": up}))
    assert not has_module_calls(_module(**{"net/calls.tf": down, "net/net/main.tf": MAIN}))
    assert has_module_calls(_module(**{"calls.tf": down, "net/main.tf": MAIN}))
    for source in ("terraform-aws-modules/vpc/aws", "git::https://example.com/m.git", "../up"):
        call = f'module "net" {{\n  source = "{source}"\n}}\n'
        assert install_inputs(_module(**{"calls.tf": call})) is None, source
    assert install_inputs(_module(**{"extra.tf.json": "{}"})) is None


def test_shipped_modules_share_one_key() -> None:
    keys = {install_inputs({k: v for k, v in module_files(path).items()
                            if not k.startswith("example/")})
            for path in sorted((ROOT / "modules").iterdir()) if path.is_dir()}
    assert len(keys) == 1
    assert None not in keys
