"""Tests of tierform.blueprint, one file per module (a package: names may repeat elsewhere)."""
