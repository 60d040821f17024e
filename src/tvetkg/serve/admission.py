"""Admission control for `/sparql`, as public endpoints have it: a bounded queue in front of the query
workers (503 with Retry-After when full), and per client, at most a number of queries at once and a
budget of query seconds per minute (Wikidata's query service: 60 s a minute per client; 429 with
Retry-After past either).

A client is its address and its User-Agent, as Wikidata's service counts them: programs that share an
address (a university's proxy) are told apart by the name they give. Waiting happens in the event loop,
so waiting queries hold no thread and the pages and files of the site are served whatever their number.
"""

import asyncio
import time
from collections import deque
from dataclasses import dataclass

from tvetkg.errors import QueryFailed

WINDOW = 60.0  # seconds over which a client's query time is counted


class Refused(QueryFailed):
    """A query not admitted; `retry_after` is the number of seconds after which it may be sent again."""

    def __init__(self, status: int, message: str, retry_after: float):
        super().__init__(status, message)
        self.retry_after = max(1, int(retry_after + 0.999))


@dataclass(frozen=True)
class Rules:
    slots: int = 2  # queries answered at once (the number of query workers)
    queue: int = 64  # queries waiting for a slot, beyond which new ones are refused (503)
    per_client: int = 2  # queries of one client answered or waiting at once (429)
    budget: float = 60.0  # seconds of query time per client per WINDOW (429)


@dataclass
class Ticket:
    client: tuple
    since: float = 0.0


class Admission:
    def __init__(self, rules: Rules, wait: float):
        self.rules, self.wait = rules, wait
        self.running = 0
        self._waiting: deque[asyncio.Future] = deque()
        self._active: dict[tuple, int] = {}
        self._used: dict[tuple, deque[tuple[float, float]]] = {}

    def used(self, client: tuple, now: float | None = None) -> float:
        """Seconds of query time `client` used in the last WINDOW seconds."""
        now = time.monotonic() if now is None else now
        spent = self._used.get(client)
        while spent and spent[0][0] < now - WINDOW:
            spent.popleft()
        if spent is not None and not spent:
            del self._used[client]
        return sum(seconds for _, seconds in spent) if spent else 0.0

    async def enter(self, client: tuple) -> Ticket:
        """A slot for one query of `client`, once one is free; refused at once when over a limit."""
        rules, now = self.rules, time.monotonic()
        if self._active.get(client, 0) >= rules.per_client:
            raise Refused(429, f"at most {rules.per_client} queries of one client are answered or waiting at "
                               "once: wait for your earlier queries", 1)
        used = self.used(client, now)
        if used >= rules.budget:
            spent, freed, retry = self._used[client], used, WINDOW
            for ended, seconds in spent:  # when enough of the window's time has passed out of it
                freed -= seconds
                if freed < rules.budget:
                    retry = ended + WINDOW - now
                    break
            raise Refused(429, f"this client used {used:.0f} s of query time in the last {WINDOW:.0f} s; "
                               f"the budget is {rules.budget:g} s", retry)
        if self.running < rules.slots and not self._waiting:
            self.running += 1
            self._count(client, +1)
        elif len(self._waiting) >= rules.queue:
            raise Refused(503, f"the server is busy: {len(self._waiting)} queries are waiting, the most it "
                               "keeps; try again shortly", 2)
        else:
            turn = asyncio.get_running_loop().create_future()
            self._waiting.append(turn)
            self._count(client, +1)
            try:
                await asyncio.wait_for(asyncio.shield(turn), self.wait)
            except (asyncio.TimeoutError, asyncio.CancelledError) as stop:
                self._count(client, -1)
                if turn.done() and not turn.cancelled():  # the slot came as we stopped: pass it on
                    self._hand_over()
                else:
                    turn.cancel()
                    self._waiting.remove(turn)
                if isinstance(stop, asyncio.CancelledError):
                    raise
                raise Refused(503, f"no query slot was free within {self.wait:g} s: the server is busy, "
                                   "try again shortly", 2) from None
        return Ticket(client, time.monotonic())

    def leave(self, ticket: Ticket) -> None:
        """The query of `ticket` is over: its time is counted and its slot goes to the next in line."""
        now = time.monotonic()
        self._used.setdefault(ticket.client, deque()).append((now, now - ticket.since))
        self._count(ticket.client, -1)
        self._hand_over()

    def _count(self, client: tuple, change: int) -> None:
        self._active[client] = self._active.get(client, 0) + change
        if not self._active[client]:
            del self._active[client]

    def _hand_over(self) -> None:
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot stays taken, by the next query
                return
        self.running -= 1

    def status(self) -> dict:
        return {"running": self.running, "waiting": len(self._waiting), "slots": self.rules.slots,
                "queue": self.rules.queue}
