"""The bed's clock, scheduler and shared state.

Everything the bed simulates (ECS rollouts, CodeDeploy lifecycles) is a discrete-event simulation:
callbacks scheduled at epoch times, run in time order with the clock set to their scheduled time.
So the instant the bed marks a deployment COMPLETED is exact (the benches measure detection
latency from it) and does not depend on when somebody polls. Due events run before every request
and from a background thread, under one lock that also guards every request to moto.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

# One lock for moto's state and the simulation: requests and the ticker never interleave.
LOCK = threading.RLock()


@dataclass(order=True)
class _Event:
    at: float
    seq: int
    fn: Callable[[float], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)


class Engine:
    def __init__(self, speed: float) -> None:
        # AWS-like durations (seconds) are divided by this factor.
        self.speed = speed
        # Each duration is drawn from ±jitter around its nominal value (0: exact), so that a bench's
        # runs do not all line up with a poller's schedule.
        self.jitter = 0.0
        self._queue: list[_Event] = []
        self._seq = itertools.count()
        self._running_until = 0.0
        # Set while an event runs: "now" for the simulation is the event's own time.
        self._sim_now: float | None = None
        # Exact epoch-ms instants at which the bed reached notable states, for the benches.
        self.marks: dict[str, dict[str, dict[str, Any]]] = {"ecs": {}, "codedeploy": {}}
        self.faults: dict[str, dict[str, Any]] = {}
        self._fault_ids = itertools.count(1)
        self.calls: list[dict[str, Any]] = []
        self.throttles: list[dict[str, Any]] = []

    # --- time -------------------------------------------------------------------------------
    def now(self) -> float:
        return self._sim_now if self._sim_now is not None else time.time()

    def later(self, aws_seconds: float) -> float:
        """The epoch time `aws_seconds` of AWS time from now, compressed by the speed factor."""
        spread = random.uniform(1.0 - self.jitter, 1.0 + self.jitter) if self.jitter else 1.0
        return self.now() + max(0.0, aws_seconds) * spread / self.speed

    def schedule(self, at: float, fn: Callable[[float], None]) -> _Event:
        event = _Event(at, next(self._seq), fn)
        heapq.heappush(self._queue, event)
        return event

    def after(self, aws_seconds: float, fn: Callable[[float], None]) -> _Event:
        return self.schedule(self.later(aws_seconds), fn)

    def run_due(self) -> None:
        """Runs every event due by the wall clock, each at its own scheduled time."""
        with LOCK:
            wall = time.time()
            while self._queue and self._queue[0].at <= wall:
                event = heapq.heappop(self._queue)
                if event.cancelled:
                    continue
                self._sim_now = event.at
                try:
                    event.fn(event.at)
                except Exception as error:  # a bug in one simulation must not stop the others
                    print(f"[bed] simulation event failed: {error!r}", flush=True)
                    import traceback

                    traceback.print_exc()
                finally:
                    self._sim_now = None

    def start_ticker(self, interval: float = 0.01) -> None:
        def loop() -> None:
            while True:
                time.sleep(interval)
                self.run_due()

        threading.Thread(target=loop, name="bed-ticker", daemon=True).start()

    # --- marks ------------------------------------------------------------------------------
    def mark(self, kind: str, key: str, state: str, at: float, **info: Any) -> None:
        entry = self.marks[kind].setdefault(key, {})
        entry.update({k: v for k, v in info.items() if v is not None})
        entry[state] = int(round(at * 1000))

    # --- faults -----------------------------------------------------------------------------
    def add_fault(self, kind: str, spec: dict[str, Any]) -> str:
        fault_id = f"{kind}-{next(self._fault_ids)}"
        self.faults[fault_id] = {"id": fault_id, "kind": kind, **spec}
        return fault_id

    def faults_of(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.faults.values() if f["kind"] == kind]


ENGINE = Engine(speed=30.0)


def epoch_ms(at: float) -> int:
    return int(round(at * 1000))
