"""The report is a function of the aggregate rows, not of the order the engine returns
them in (DuckDB's parallel aggregate returns its groups in any order)."""

from __future__ import annotations

import json
import random
from typing import Any

from tierform.logs.check import AGGREGATE_COLUMNS
from tierform.logs.report import summarize, summary_text


def _row(klass: str, client: str, server: str, protocol: int | None, port: int | None,
         client_ip: str, records: int) -> dict[str, Any]:
    values = (klass, client, server, protocol, port, None, None, client_ip, "10.0.1.10",
              records, records, records * 2, records * 100, 1000, 2000)
    return dict(zip(AGGREGATE_COLUMNS, values, strict=True))


def test_findings_that_tie_on_every_count_keep_one_order_whatever_the_rows_order() -> None:
    rows = [_row("unintended_accept", "app", "web", 1, 0, "10.0.11.5", 3),
            _row("unintended_accept", "app", "web", 17, 0, "10.0.11.5", 3),
            _row("unintended_accept", "app", "web", 58, 0, "10.0.11.6", 3),
            _row("unintended_accept", "app", "web", 6, None, "10.0.11.7", 3),
            _row("unintended_accept", "app", "web", 6, 22, "10.0.11.7", 3),
            _row("expected_reject", "internet", "web", 6, 22, "198.51.100.7", 1)]
    expected = summarize(rows)
    # Most records first, then client, server, port (none first), protocol.
    assert [(f["protocol"], f["port"]) for f in expected["findings"]] == [
        ("tcp", None), ("58", 0), ("icmp", 0), ("udp", 0), ("tcp", 22)]
    rng = random.Random(7)
    for _ in range(20):
        shuffled = rows[:]
        rng.shuffle(shuffled)
        again = summarize(shuffled)
        assert json.dumps(again) == json.dumps(expected)
        assert summary_text(again) == summary_text(expected)
