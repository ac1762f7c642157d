"""Bot API calls over aiohttp's HTTP client, for python-telegram-bot.

python-telegram-bot sends its requests through a :class:`telegram.request.BaseRequest`; its own,
``HTTPXRequest``, uses HTTPX, whose client costs about 0.6 ms of CPU per call on a small server
against aiohttp's 0.1 ms (both measured against the same local server). Every reply of the bot
is such a call, so the bot uses aiohttp's client instead (aiohttp is already what it serves its
webhook and panel with). :class:`AiohttpRequest` does what ``HTTPXRequest`` does, with the
same default timeouts, the same errors for python-telegram-bot to handle (``TimedOut``,
``NetworkError``), and it honours ``HTTPS_PROXY`` (and ``NO_PROXY``) from the environment as
HTTPX does.

The proxy is looked up once per server, on the first call to it. aiohttp's own ``trust_env``
looks it up, and a ``.netrc`` file, on every call, each time on a thread of the default
executor: two thread hops and a file read per message, about 1 ms of CPU.

A call's parameters go as one JSON body, which the Bot API takes as it takes a form; a call
with files goes as a multipart form, each parameter JSON-encoded, as ``HTTPXRequest`` sends
every call. URL-encoding a form escapes each byte of Chinese text in Python, about 0.15 ms a
message; ``json.dumps`` leaves the text as it is.

Timeouts map onto aiohttp's as closely as they can: the pool and connect timeouts bound getting
a connection (``connect``; ``sock_connect`` for the connection alone), the read timeout bounds
each wait for the answer's bytes (``sock_read``). aiohttp has no timeout for writing alone, so
an upload's whole call is bounded by the sum of the three (with the 20 s write timeout of
uploads). TLS is checked against certifi's authorities, as HTTPX checks it; their context is
built once per process (reading the authorities takes 20-35 ms) and shared by every client.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from functools import cache
from typing import Any

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL


@cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every Bot API client: certifi's authorities, as HTTPX uses (a slim
    image may have no system ones). One context serves every connection of the process."""
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """A :class:`~telegram.request.BaseRequest` over one :class:`aiohttp.ClientSession`."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        #: The proxy (and its credentials) of each server called, from the environment.
        self._proxies: dict[str, tuple[URL | None, dict[str, str] | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call names none."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (its connection pool); again after :meth:`shutdown`."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ssl=tls_context()),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one call; return the status code and the answer's bytes."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write = self._media_write_timeout if files else self._write_timeout
        else:
            write = write_timeout
        getting = None if connect is None or pool is None else connect + pool
        # aiohttp times no write alone: an upload's whole call is bounded by the sum instead
        waits = (getting, write, read)
        total = sum(w for w in waits if w is not None) if files and None not in waits else None
        timeout = aiohttp.ClientTimeout(
            total=total, connect=getting, sock_connect=connect, sock_read=read
        )
        body: Any = None  # nothing to send (getMe, a file download): no body
        headers: dict[str, str] = {}
        if files and request_data is not None:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            body = form
        elif request_data is not None and (parameters := request_data.parameters):
            body = json.dumps(parameters, ensure_ascii=False, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        proxy, credentials = await self._proxy_for(url)
        # a proxy's credentials go with CONNECT for https, with the request itself for http
        plain = credentials is not None and url.startswith("http:")
        if plain and credentials is not None:
            headers.update(credentials)
        try:
            async with session.request(
                method,
                url,
                data=body,
                timeout=timeout,
                proxy=proxy,
                headers=headers or None,
                proxy_headers=None if plain else credentials,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err

    async def _proxy_for(self, url: str) -> tuple[URL | None, dict[str, str] | None]:
        """The proxy to reach ``url``'s server through, from the environment (looked up on
        the first call to that server: it reads files, so on a thread)."""
        origin = url[: url.find("/", url.find("//") + 2)] if "//" in url else url
        found = self._proxies.get(origin)
        if found is None:
            found = await asyncio.to_thread(_env_proxy, URL(url))
            self._proxies[origin] = found
        return found


def _env_proxy(url: URL) -> tuple[URL | None, dict[str, str] | None]:
    """``HTTP(S)_PROXY`` for ``url`` (unless ``NO_PROXY`` names its host), and the header
    with the credentials in its URL or in ``.netrc``; no proxy when none is set."""
    try:
        proxy, auth = get_env_proxy_for_url(url)
    except LookupError:
        return None, None
    return proxy, ({"Proxy-Authorization": auth.encode()} if auth is not None else None)
