"""Subprocess for the kill/resume test: run a fixed item set against a server until done.

``python -m tests.measure.kill_worker --base-url URL --db PATH --items N`` builds the same
``N`` requests every time (:func:`make_requests`), so a killed run can be resumed by starting
this again, and the test can compute the same keys.
"""

from __future__ import annotations

import argparse
import asyncio

from quanheng.measure.keys import Request
from quanheng.measure.runner import RetryPolicy, run_requests
from quanheng.measure.store import RunStore
from quanheng.specs.endpoint import Endpoint


def make_endpoint(base_url: str) -> Endpoint:
    """The endpoint every phase of the kill test uses."""
    return Endpoint(
        base_url=base_url, model="fake-kill", timeout_s=2.0, max_concurrency=8, max_retries=4
    )


def make_requests(endpoint: Endpoint, n: int) -> list[Request]:
    """``n`` distinct items whose answers are letters A-E."""
    return [
        Request.build(
            endpoint,
            subject="fake",
            task="kill",
            item_id=f"item-{i:04d}",
            messages=[{"role": "user", "content": f"question {i} <answer:{'ABCDE'[i % 5]}>"}],
        )
        for i in range(n)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--items", type=int, required=True)
    args = parser.parse_args()
    endpoint = make_endpoint(args.base_url)
    with RunStore(args.db) as store:
        summary = asyncio.run(
            run_requests(
                endpoint,
                make_requests(endpoint, args.items),
                store,
                retry=RetryPolicy(base_s=0.02, max_s=0.2),
            )
        )
    print(summary.model_dump_json(), flush=True)


if __name__ == "__main__":
    main()
