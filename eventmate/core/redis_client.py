"""The Redis client class behind the cache (django-redis `REDIS_CLIENT_CLASS`): a circuit
breaker that makes a dead or hung Redis cost nothing, plus timing for `Server-Timing`.

Short socket timeouts bound one command, but a page makes several (rate limit, page cache,
session, fragments): each would pay the timeout again. After a connection error or timeout the
breaker therefore refuses every command to that server at once (raising redis' own
ConnectionError, which django-redis with IGNORE_EXCEPTIONS turns into a cache miss) for
REDIS_RETRY_SECONDS, then lets one through to probe. The outage is logged when it starts, at
most once per REDIS_OUTAGE_LOG_SECONDS while it lasts, and when it ends. State is per process.
"""

import logging
import time

import redis
from django.conf import settings
from redis.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from eventmate.core import metrics
from eventmate.core.timing import record_cache_call

logger = logging.getLogger("eventmate.redis")

_FAILURES = (RedisConnectionError, RedisTimeoutError)


class _ServerState:
    __slots__ = ("down_until", "failing", "last_logged")

    def __init__(self):
        self.down_until = 0.0
        self.failing = False
        self.last_logged = float("-inf")


class CircuitOpen(RedisConnectionError):
    """Refused without trying: the server failed moments ago."""


class RedisCircuitBreaker:
    def __init__(self):
        self._servers: dict[str, _ServerState] = {}

    def _state(self, server: str) -> _ServerState:
        state = self._servers.get(server)
        if state is None:
            state = self._servers[server] = _ServerState()
        return state

    def is_open(self, server: str) -> bool:
        return self._state(server).down_until > time.monotonic()

    def before_call(self, server: str) -> None:
        if self._state(server).down_until > time.monotonic():
            raise CircuitOpen(f"Redis at {server} failed recently; not retrying yet")

    def record_failure(self, server: str, error: Exception) -> None:
        state = self._state(server)
        now = time.monotonic()
        state.down_until = now + getattr(settings, "REDIS_RETRY_SECONDS", 2.0)
        if not state.failing:
            state.failing = True
            metrics.REDIS_OUTAGES.inc()
        if now - state.last_logged >= getattr(settings, "REDIS_OUTAGE_LOG_SECONDS", 60.0):
            state.last_logged = now
            logger.warning(
                "Redis at %s is unavailable (%s: %s); serving without cache, retrying every %ss",
                server,
                type(error).__name__,
                error,
                getattr(settings, "REDIS_RETRY_SECONDS", 2.0),
                extra={"redis_server": server},
            )

    def record_success(self, server: str) -> None:
        state = self._servers.get(server)
        if state is not None and state.failing:
            state.failing = False
            state.down_until = 0.0
            state.last_logged = float("-inf")
            logger.warning("Redis at %s is reachable again", server, extra={"redis_server": server})

    def reset(self) -> None:
        """Forget every failure (tests, or after an operator fixed Redis and wants no wait)."""
        self._servers.clear()


breaker = RedisCircuitBreaker()


def server_name(connection_pool) -> str:
    kwargs = connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix:{kwargs['path']}"
    return f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def _guarded(server: str, call):
    breaker.before_call(server)
    started = time.perf_counter()
    try:
        result = call()
    except _FAILURES as error:
        breaker.record_failure(server, error)
        raise
    finally:
        record_cache_call(time.perf_counter() - started)
    breaker.record_success(server)
    return result


class ResilientPipeline(Pipeline):
    def execute(self, raise_on_error: bool = True):
        if not self.command_stack and not self.scripts:
            return []
        return _guarded(
            server_name(self.connection_pool),
            lambda: super(ResilientPipeline, self).execute(raise_on_error),
        )


class ResilientRedis(redis.Redis):
    def execute_command(self, *args, **options):
        return _guarded(
            server_name(self.connection_pool),
            lambda: super(ResilientRedis, self).execute_command(*args, **options),
        )

    def pipeline(self, transaction=True, shard_hint=None):
        return ResilientPipeline(
            self.connection_pool, self.response_callbacks, transaction, shard_hint
        )
