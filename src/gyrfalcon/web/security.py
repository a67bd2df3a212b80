"""The web server's guards: the write token, request-size and rate limits.

* **Token**: manifest writes and run starts need ``Authorization: Bearer <token>``. The token
  is 32 random bytes (``secrets.token_urlsafe``), generated on the first start and stored in
  a file created with mode ``0600`` (default ``<user data dir>/web-token``, see
  :func:`gyrfalcon.traffic.store.default_data_dir`); a token file that others can read or
  write is refused (:class:`TokenFileError`). Comparison is constant-time.
* **Request size**: a body longer than ``max_body_bytes`` is refused with 413 before it is
  read whole (``Content-Length`` checked first, a streamed body without a length refused, 411).
* **Rate limits**: token buckets; an empty bucket gives 429 with ``Retry-After``.
  ``read`` (GET/HEAD/OPTIONS): one bucket per client address. ``write`` (anything else) with
  the right token: the token holder's bucket. ``write`` without it (no or a wrong token, which
  the app then refuses with 401): one small ``auth-fail`` bucket per client address. So
  failed attempts never use up the token holder's writes, wherever they come from, and one
  address guessing tokens is slowed down on its own.

Assumptions: the server runs on loopback or behind a proxy that sets the client address;
buckets live in the process (several ``uvicorn`` workers would each have their own).

>>> b = TokenBucket(rate_per_s=1.0, burst=2)
>>> [b.take(now=0.0), b.take(now=0.0), b.take(now=0.0), b.take(now=1.0)]
[True, True, False, True]
"""
from __future__ import annotations

import json
import os
import secrets
import stat
import threading
import time
from pathlib import Path

from ..errors import InputError

TOKEN_FILE_NAME = "web-token"


class TokenFileError(InputError):
    """The token file cannot be created or read, or its permissions let others read it."""


def default_token_path() -> Path:
    """``<user data dir>/web-token`` (``$GYRFALCON_DATA_DIR`` overrides the directory)."""
    from ..traffic.store import default_data_dir

    return default_data_dir() / TOKEN_FILE_NAME


def load_or_create_token(path: str | os.PathLike | None = None) -> tuple[str, bool]:
    """The write token at ``path`` and whether it was just created (then print it once).

    A new token file is created with ``O_EXCL`` and mode 0600 (its directory with 0700 if
    new). An existing file must be a regular file that group and others cannot access.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tok"
    >>> t, created = load_or_create_token(p)
    >>> created, len(t) >= 40, oct(p.stat().st_mode & 0o777), load_or_create_token(p) == (t, False)
    (True, True, '0o600', True)
    """
    p = Path(path) if path is not None else default_token_path()
    try:
        st = p.lstat()
    except FileNotFoundError:
        st = None
    if st is None:
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        token = secrets.token_urlsafe(32)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:      # another server created it meanwhile: read theirs
            return load_or_create_token(p)
        except OSError as exc:
            raise TokenFileError(f"cannot create the token file {p}: {exc}; give a writable --token-file") from None
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(token + "\n")
        os.chmod(p, 0o600)
        return token, True
    if not stat.S_ISREG(st.st_mode):
        raise TokenFileError(f"the token file {p} is {'a folder' if stat.S_ISDIR(st.st_mode) else 'not a regular file'}; "
                             "give the path of a file for --token-file (a new token is made there on start)")
    if st.st_mode & 0o077:
        raise TokenFileError(f"the token file {p} has mode {oct(st.st_mode & 0o777)}: others can read it; "
                             f"run 'chmod 600 {p}' (or delete it to get a new token)")
    token = p.read_text(encoding="ascii").strip()
    if len(token) < 32:
        raise TokenFileError(f"the token file {p} holds no usable token (fewer than 32 characters); "
                             "delete it and restart to get a new one")
    return token, False


def token_matches(expected: str, authorization: str | None) -> bool:
    """Whether an ``Authorization`` header value carries ``Bearer <expected>`` (constant time).

    >>> token_matches("abc", "Bearer abc"), token_matches("abc", "bearer abd"), token_matches("abc", None)
    (True, False, False)
    """
    if not authorization:
        return False
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return secrets.compare_digest(value.strip().encode(), expected.encode())


class TokenBucket:
    """``burst`` requests at once, refilled at ``rate_per_s`` [1/s]."""

    def __init__(self, rate_per_s: float, burst: float):
        self.rate = float(rate_per_s)
        self.burst = float(burst)
        self.tokens = float(burst)
        self.stamp: float | None = None

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if self.stamp is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def retry_after_s(self) -> int:
        return max(1, int((1.0 - self.tokens) / self.rate + 0.999)) if self.rate > 0 else 60


AUTH_REQUIRED = ("this change needs 'Authorization: Bearer <token>' (the token 'gyrfalcon serve' printed on its "
                 "first start, stored in its token file)")
"""The 401 text, the same from the middleware (before a body is read) and from the app."""


async def _send_json(send, status: int, detail: str, headers=()) -> None:
    body = json.dumps({"detail": detail, "rule": None}).encode()     # the app's error shape, {"detail", "rule"}
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


def host_of(header: str | None) -> str | None:
    """The host name of a ``Host`` header, lower case, without its port (an IPv6 address keeps its
    brackets); None when there is none.

    >>> host_of("LocalHost:8765"), host_of("[::1]:8765"), host_of("::1"), host_of(""), host_of(None)
    ('localhost', '[::1]', '::1', None, None)
    """
    h = (header or "").strip().lower()
    if not h:
        return None
    if h.startswith("["):
        end = h.find("]")
        return h[:end + 1] if end > 0 else None
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


class HostCheckMiddleware:
    """ASGI middleware: answer only requests whose ``Host`` names this server (``allowed_hosts``:
    exact names, ``*`` for any, ``*.example`` for a domain), so that a page served under another
    name cannot reach the loopback API through DNS rebinding. A refusal is a JSON 400 like the
    API's other errors (Starlette's ``TrustedHostMiddleware`` answers in plain text)."""

    def __init__(self, app, allowed_hosts):
        self.app = app
        self.allowed = tuple(str(h).lower() for h in allowed_hosts)

    def allows(self, host: str | None) -> bool:
        if host is None:
            return False
        return any(p == "*" or host == p or (p.startswith("*.") and host.endswith(p[1:])) for p in self.allowed)

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            from starlette.datastructures import Headers

            host = host_of(Headers(scope=scope).get("host"))
            if not self.allows(host):
                if scope["type"] == "websocket":       # refused before the handshake (policy violation)
                    await send({"type": "websocket.close", "code": 1008})
                    return
                names = ", ".join(p for p in self.allowed if p != "*")
                await _send_json(send, 400, f"Host {host or '(none)'!r} is not served here; address this server "
                                            f"as one of: {names}")
                return
        await self.app(scope, receive, send)


class GuardMiddleware:
    """ASGI middleware: per-client rate limits and a request-body size limit (see module doc).

    ``read_rate_per_s`` / ``read_burst``: GET and HEAD per client address;
    ``write_rate_per_min`` / ``write_burst``: every other method carrying ``token`` (the token
    holder's bucket); ``auth_fail_rate_per_min`` / ``auth_fail_burst``: every other method
    without it, per client address; ``max_body_bytes``: largest accepted body (``limit_hint``:
    appended to the 413 text, e.g. which fields fill a body and their own limits).
    """

    def __init__(self, app, *, max_body_bytes: int, read_rate_per_s: float, read_burst: float,
                 write_rate_per_min: float, write_burst: float, token: str | None = None,
                 auth_fail_rate_per_min: float = 10.0, auth_fail_burst: float = 10.0, limit_hint: str = ""):
        self.app = app
        self.max_body = int(max_body_bytes)
        self.limit_hint = limit_hint    # appended to the 413 text: which fields fill a body, what to send instead
        self.token = token
        self.limits = {"read": (float(read_rate_per_s), float(read_burst)),
                       "write": (float(write_rate_per_min) / 60.0, float(write_burst)),
                       "auth-fail": (float(auth_fail_rate_per_min) / 60.0, float(auth_fail_burst))}
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._lock = threading.Lock()

    def _bucket(self, client: str, kind: str) -> TokenBucket:
        key = (client, kind)
        b = self._buckets.get(key)
        if b is None:
            with self._lock:
                if len(self._buckets) > 10000:   # bound memory: forget idle clients
                    self._buckets.clear()
                b = self._buckets.setdefault(key, TokenBucket(*self.limits[kind]))
        return b

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        method = scope.get("method", "GET")
        kind = "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
        client = (scope.get("client") or ("?", 0))[0]
        key = client
        if kind == "write" and self.token is not None:
            auth = next((v for n, v in scope.get("headers", ()) if n == b"authorization"), None)
            if token_matches(self.token, auth.decode("latin-1") if auth else None):
                key = "<token holder>"      # one bucket for the holder of the write token
            else:
                kind = "auth-fail"          # refused with 401 by the app: counted per address only
        bucket = self._bucket(key, kind)
        with self._lock:
            ok = bucket.take()
            retry = bucket.retry_after_s()
        if not ok:
            what = "requests without the write token" if kind == "auth-fail" else f"{kind} requests"
            return await _send_json(send, 429, f"too many {what} from {client}; retry in {retry} s",
                                    [(b"retry-after", str(retry).encode())])
        if kind == "auth-fail":      # refused before its body is read (a streamed body has no size limit yet)
            return await _send_json(send, 401, AUTH_REQUIRED, [(b"www-authenticate", b"Bearer")])
        length = None
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    return await _send_json(send, 400, "Content-Length is not a number; send a plain JSON body")
        if length is not None and length > self.max_body:
            return await _send_json(send, 413, f"request body of {length} bytes is over this server's limit of "
                                               f"{self.max_body} bytes ({self.max_body / 1048576:.2f} MiB) for one "
                                               f"request{self.limit_hint}")
        if length is None and kind == "write" and any(n == b"transfer-encoding" for n, _ in scope.get("headers", ())):
            return await _send_json(send, 411, "a streamed (chunked) body is not accepted; send Content-Length")
        return await self.app(scope, receive, send)
