"""The emulator's own serve path (CLI, fixture, `emulator-http`) answers without Nagle stalls.

uvicorn sets ``TCP_NODELAY`` only on sockets it binds itself; the emulator hands it a socket
bound in advance (`monite_emulator.serve.bind`), and connections accepted from it inherit that
socket's options. Without the option every keep-alive answer waited ~40 ms for the client's
delayed ACK (issue 17). The check is on the socket option itself, not on a timing.
"""

from __future__ import annotations

import socket

import httpx

from monite_emulator.serve import ThreadedServer, bind


def _nodelay(sock: socket.socket) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))


def test_the_listening_socket_has_tcp_nodelay() -> None:
    sock = bind()
    try:
        assert _nodelay(sock), "bind() must set TCP_NODELAY (accepted connections inherit it)"
    finally:
        sock.close()


def test_connections_accepted_from_it_inherit_tcp_nodelay() -> None:
    listener = bind()
    client = socket.create_connection(listener.getsockname()[:2])
    try:
        accepted, _ = listener.accept()
        with accepted:
            assert _nodelay(accepted), "a connection accepted from bind()'s socket lacks TCP_NODELAY"
    finally:
        client.close()
        listener.close()


def test_the_threaded_server_serves_keep_alive_requests_on_that_socket() -> None:
    async def app(scope, receive, send):  # the smallest ASGI app: the serve path is under test
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})

    server = ThreadedServer(app).start()
    try:
        assert _nodelay(server.sock)
        with httpx.Client(base_url=server.origin) as client:
            assert [client.get("/").text for _ in range(20)] == ["ok"] * 20
    finally:
        server.stop()
