"""Prometheus metrics for `coach serve`, on a registry of our own (see docs/operations.md).

Counters and the latency histogram are updated on the turn path, in memory only (what that
costs: bench/ops_metrics.py). Gauges that need the database (reminder queue, LLM budget,
inbox) are read only when /metrics is scraped, under a short timeout, so a slow database never
slows a turn and a scrape never hangs. Only `coach serve` imports this module: `coach shell`
never loads prometheus_client."""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.db import inbox_store
from bot.llm.usage import totals as llm_totals
from bot.reminders.store import queue_depth

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from bot.llm.drafter import LlmDrafter

log = logging.getLogger("coach.metrics")

# Fine buckets at the low end for turns that never leave the process and the database; coarse
# ones up to COACH_LLM_TIMEOUT for turns that wait on an LLM draft.
TURN_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
SCRAPE_TIMEOUT = 2.0  # seconds for the database gauges; past it they are left out of the scrape

# The inbox-depth provider (`DatabaseGauges.inbox_depth`): `async () -> int`, the durable
# inbox's own statement. Without one, coach_inbox_depth is absent rather than made up.
InboxDepth = Callable[[], Awaitable[int]]


@dataclass(eq=False)  # the registry keys collectors by identity
class DatabaseGauges(Collector):
    """The gauges read from the database, refreshed before each scrape (`refresh`) and served
    from that snapshot by `collect`, which prometheus_client calls synchronously."""

    sessions: async_sessionmaker
    clock: Callable[[], datetime]
    drafter: LlmDrafter | None = None
    inbox_depth: InboxDepth | None = None
    timeout: float = SCRAPE_TIMEOUT
    values: dict[str, float] = field(default_factory=dict)
    ok: bool = False
    seconds: float = 0.0

    async def refresh(self) -> None:
        started = time.perf_counter()
        try:
            self.values = await asyncio.wait_for(self._read(), timeout=self.timeout)
            self.ok = True
        except Exception as exc:  # the scrape still answers, with coach_database_gauges_up 0
            log.warning("metrics: database gauges unavailable (%s)", type(exc).__name__)
            self.values, self.ok = {}, False
        self.seconds = time.perf_counter() - started

    async def _read(self) -> dict[str, float]:
        now = self.clock().astimezone(UTC)
        values: dict[str, float] = {}
        async with self.sessions() as session:
            due, oldest = await queue_depth(session, now)
            values["reminders_due"] = due
            values["reminder_lag_seconds"] = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
            drafter = self.drafter
            if drafter is not None:
                limit = int(drafter.settings.daily_budget)
                tenants, requests, tokens, busiest = await llm_totals(session, now.strftime("%Y-%m-%d"))
                values["llm_budget_per_tenant"] = limit
                values["llm_requests_today"] = requests
                values["llm_tokens_today"] = tokens
                values["llm_tenants_today"] = tenants
                values["llm_budget_remaining_min"] = max(limit - busiest, 0)
        inbox = self.inbox_depth
        if inbox is not None:
            values["inbox_depth"] = await inbox()
        return values

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            "coach_database_gauges_up",
            "1 when this scrape read the database gauges in time",
            value=1.0 if self.ok else 0.0,
        )
        yield GaugeMetricFamily(
            "coach_database_gauges_seconds",
            "time this scrape took to read the database gauges",
            value=self.seconds,
        )
        for name, value in self.values.items():
            yield GaugeMetricFamily(f"coach_{name}", HELP[name], value=value)


HELP = {
    "reminders_due": "pending reminders whose time has come (the worker's queue)",
    "reminder_lag_seconds": "how long the oldest due reminder has been waiting (0 when none is due)",
    "llm_budget_per_tenant": "LLM requests each workspace may make per UTC day (COACH_LLM_DAILY_BUDGET)",
    "llm_requests_today": "LLM requests made today (UTC), all workspaces together",
    "llm_tokens_today": "LLM tokens used today (UTC), all workspaces together",
    "llm_tenants_today": "workspaces that made an LLM request today (UTC)",
    "llm_budget_remaining_min": "requests left today for the workspace closest to its budget",
    "inbox_depth": "turns received and not yet run (the durable inbox)",
}


class Metrics:
    """Every metric of one `coach serve` runtime, built by `Runtime.start` (adapters/runtime.py)
    with what it measures: the turns (`observe_turn`, which the runtime calls), the drafter's
    drafts (it hears them from start-up), the database gauges. A registry per runtime, so tests
    and two apps in one process never share or clash over series."""

    def __init__(
        self,
        sessions: async_sessionmaker,
        *,
        clock: Callable[[], datetime],
        drafter: LlmDrafter | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.turns = Counter(
            "coach_turns",
            "coach turns by surface and outcome (ok, duplicate, error, rejected)",
            ["surface", "outcome"],
            registry=self.registry,
        )
        self.turn_seconds = Histogram(
            "coach_turn_seconds",
            "time to answer a turn, by surface",
            ["surface"],
            buckets=TURN_BUCKETS,
            registry=self.registry,
        )
        self.llm_calls = Counter(
            "coach_llm_calls",
            "drafts sent to the LLM, by draft kind and outcome (ok, failed_checks, budget, timeout, error)",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.llm_requests = Counter(
            "coach_llm_requests",
            "requests sent to the model (a draft that is repaired makes two), by draft kind",
            ["kind"],
            registry=self.registry,
        )
        self.database = DatabaseGauges(sessions, clock, drafter, _inbox_depth(sessions))
        self.registry.register(self.database)
        # The labelled series of each (surface, outcome), looked up once: `labels()` costs more
        # than the increment itself.
        self._series: dict[tuple[str, str], tuple[Any, Any]] = {}
        if drafter is not None:
            drafter.observers.append(self.observe_draft)

    def observe_turn(self, surface: str, outcome: str, seconds: float) -> None:
        series = self._series.get((surface, outcome))
        if series is None:
            series = (self.turns.labels(surface, outcome), self.turn_seconds.labels(surface))
            self._series[(surface, outcome)] = series
        series[0].inc()
        series[1].observe(seconds)

    def observe_draft(self, kind: str, outcome: str, calls: int) -> None:
        self.llm_calls.labels(kind, "ok" if outcome == "llm" else outcome).inc()
        if calls:
            self.llm_requests.labels(kind).inc(calls)

    async def scrape(self) -> bytes:
        await self.database.refresh()
        return generate_latest(self.registry)


METRICS = web.AppKey("metrics", Metrics)


def _inbox_depth(sessions: async_sessionmaker) -> InboxDepth:
    """The durable inbox's depth (adapters/inbox.py), over every replica."""

    async def depth() -> int:
        return await inbox_store.depth(sessions)

    return depth


def metrics_handler(metrics: Metrics, token: str | None) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = f"Bearer {token}".encode() if token else None

    async def handle(request: web.Request) -> web.Response:
        if expected is not None:
            given = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return web.json_response({"error": "a bearer token is required"}, status=401)
        body = await metrics.scrape()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return handle
