"""Bot API calls over aiohttp (`bot.botapi_http.AiohttpRequest`), against a server on 127.0.0.1:
parameters and files arrive as Telegram reads them, and failures become python-telegram-bot's
errors."""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import NetworkError, TimedOut

from bot import botapi_http
from bot.botapi_http import AiohttpRequest, tls_context
from bot.localapi import BOT_USER

TOKEN = "123:HTTP"


class Server:
    """Answers every Bot API method; records what each call carried (form fields, files)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, tuple[str, bytes, str]]]] = []
        self.agents: list[str] = []
        self.bodies: list[tuple[str, bytes]] = []  # content type and bytes of each call
        self.delay = 0.0
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.agents.append(request.headers.get("User-Agent", ""))
        fields: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        if request.content_type == "application/json":
            self.bodies.append((request.content_type, await request.read()))
            fields = await request.json()  # as Telegram reads it: values in their JSON types
        else:  # a form: every value a string, the non-string ones JSON-encoded
            self.bodies.append((request.content_type, b""))
            for key, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[key] = (value.filename, value.file.read(), value.content_type)
                else:
                    fields[key] = str(value)
        self.calls.append((method, fields, files))
        if self.delay:
            await asyncio.sleep(self.delay)
        if method == "getMe":
            return web.json_response({"ok": True, "result": BOT_USER})
        message = {
            "message_id": len(self.calls),
            "date": int(time.time()),
            "chat": {"id": int(fields.get("chat_id", 1)), "type": "private", "first_name": "w"},
            "text": fields.get("text", ""),
        }
        if method == "sendDocument":
            name, data, mime = files["document"]
            message["document"] = {"file_id": "f1", "file_unique_id": "u1", "file_name": name,
                                   "mime_type": mime, "file_size": len(data)}  # fmt: skip
        return web.json_response({"ok": True, "result": message})

    async def download(self, request: web.Request) -> web.Response:
        self.calls.append(("download", {"path": request.match_info["path"]}, {}))
        body = await request.read()
        assert not body  # a download sends nothing
        return web.Response(body="工友 roster\n".encode() * 100)


@pytest.fixture
async def server(no_proxy: None) -> AsyncIterator[Server]:
    found = Server()
    app = web.Application()
    app.router.add_post("/bot{token}/{method}", found.handle)
    app.router.add_get("/file/bot{token}/{path}", found.download)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    found.url = f"http://127.0.0.1:{port}/bot"
    yield found
    await runner.cleanup()


async def test_a_message_arrives_with_its_parameters_and_the_answer_is_read(
    server: Server,
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("好的 <b>", callback_data="jobs:1")]])
    async with Bot(TOKEN, base_url=server.url, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(42, "工资被拖欠 & <怎么办>", reply_markup=markup)
    assert sent.message_id == 2  # after getMe
    assert sent.text == "工资被拖欠 & <怎么办>"
    method, fields, files = server.calls[-1]
    assert method == "sendMessage"
    assert fields == {
        "chat_id": 42,
        "text": "工资被拖欠 & <怎么办>",
        "reply_markup": {"inline_keyboard": [[{"text": "好的 <b>", "callback_data": "jobs:1"}]]},
    }
    assert not files
    # one JSON body, the Chinese text as it is (not escaped byte by byte as in a form)
    content_type, body = server.bodies[-1]
    assert content_type == "application/json"
    assert "工资被拖欠".encode() in body
    assert all(agent.startswith("python-telegram-bot") for agent in server.agents)


async def test_a_file_is_sent_as_multipart_with_its_name_and_type(server: Server) -> None:
    data = "你的数据\n".encode() * 1000
    async with Bot(TOKEN, base_url=server.url, request=AiohttpRequest()) as bot:
        sent = await bot.send_document(
            42, document=data, filename="mydata.txt", caption="工友：你的数据"
        )
    method, fields, files = server.calls[-1]
    assert method == "sendDocument"
    assert fields["caption"] == "工友：你的数据"
    name, body, _mime = files["document"]
    assert (name, body) == ("mydata.txt", data)
    assert sent.document is not None
    assert sent.document.file_name == "mydata.txt"


async def test_a_slow_answer_times_out_as_telegram_errors_do(server: Server) -> None:
    request = AiohttpRequest(read_timeout=0.2)
    async with Bot(TOKEN, base_url=server.url, request=request) as bot:
        server.delay = 1.0
        with pytest.raises(TimedOut):
            await bot.send_message(42, "hi")
        server.delay = 0.0
        # the session goes on after a timeout
        assert (await bot.send_message(42, "again")).text == "again"


async def test_an_unreachable_server_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
        assert not isinstance(raised.value, TimedOut)
        assert "aiohttp" in str(raised.value)
    finally:
        await request.shutdown()


async def test_a_request_is_used_only_between_initialize_and_shutdown(server: Server) -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{server.url}{TOKEN}/getMe", "POST")
    await request.initialize()
    code, body = await request.do_request(f"{server.url}{TOKEN}/getMe", "POST")
    assert code == 200
    assert json.loads(body)["result"]["id"] == BOT_USER["id"]
    await request.shutdown()
    await request.shutdown()  # twice is fine
    await request.initialize()  # and it may start again
    assert (await request.do_request(f"{server.url}{TOKEN}/getMe", "POST"))[0] == 200
    await request.shutdown()


async def test_a_file_is_downloaded_with_a_get(server: Server) -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        base = server.url.removesuffix("/bot")
        data = await request.retrieve(f"{base}/file/bot{TOKEN}/roster.csv")
    finally:
        await request.shutdown()
    assert data == "工友 roster\n".encode() * 100
    assert server.calls[-1] == ("download", {"path": "roster.csv"}, {})


class Proxy:
    """A forward HTTP proxy on 127.0.0.1 that answers every call itself (as Telegram would):
    records each request line and its Proxy-Authorization header."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = (await reader.readline()).decode().strip()
        headers: dict[str, str] = {}
        while (header := (await reader.readline()).decode().strip()) != "":
            name, _, value = header.partition(":")
            headers[name.strip().lower()] = value.strip()
        await reader.readexactly(int(headers.get("content-length", "0")))
        self.seen.append((line, headers.get("proxy-authorization", "")))
        body = json.dumps({"ok": True, "result": BOT_USER}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def proxy(no_proxy: None) -> AsyncIterator[Proxy]:
    found = Proxy()
    listening = await asyncio.start_server(found.handle, "127.0.0.1", 0)
    found.port = listening.sockets[0].getsockname()[1]
    yield found
    listening.close()
    await listening.wait_closed()


async def test_calls_go_through_the_proxy_the_environment_names_looked_up_once(
    proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://union:s3cret@127.0.0.1:{proxy.port}")
    url = f"http://api.telegram.test/bot{TOKEN}/getMe"
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _body = await request.do_request(url, "POST")
        # looked up on the first call to the server only: a later change is not read per call
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
        again, _body = await request.do_request(url, "POST")
    finally:
        await request.shutdown()
    assert (status, again) == (200, 200)
    credentials = "Basic " + base64.b64encode(b"union:s3cret").decode()
    assert proxy.seen == [(f"POST {url} HTTP/1.1", credentials)] * 2


async def test_a_host_in_no_proxy_is_called_directly(
    server: Server, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with Bot(TOKEN, base_url=server.url, request=AiohttpRequest()) as bot:
        sent = await bot.send_message(42, "直接")
    assert sent.text == "直接"
    assert proxy.seen == []


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A key and a certificate for 127.0.0.1 that no authority signed."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a self-signed certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return key, cert


async def test_every_client_checks_certificates_with_one_context_read_once(
    self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, no_proxy: None
) -> None:
    """Reading the authorities takes tens of milliseconds of a replica's start: the two clients
    of the bot (getUpdates and the rest) share one context, and it refuses a server whose
    certificate no authority signed."""
    key, cert = self_signed
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)

    async def answer(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": BOT_USER})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=served)
    await site.start()
    port = runner.addresses[0][1]
    made: list[ssl.SSLContext] = []
    real = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(real(*args, **kwargs))
        return made[-1]

    tls_context.cache_clear()
    monkeypatch.setattr(botapi_http.ssl, "create_default_context", counted)
    requests = [AiohttpRequest(), AiohttpRequest(read_timeout=5)]
    try:
        for request in requests:
            await request.initialize()
        with pytest.raises(NetworkError, match="Certificate"):
            await requests[0].do_request(f"https://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
    finally:
        for request in requests:
            await request.shutdown()
        await runner.cleanup()
        tls_context.cache_clear()
    assert len(made) == 1
    assert made[0].verify_mode is ssl.CERT_REQUIRED
    assert made[0].check_hostname
