"""`newsroom serve` guards its preview (drafts included) over real sockets: it answers only the
Host names of loopback and of --host (a DNS-rebinding page names its own), closes a connection
that never finishes its request, and stays quiet when a browser cancels a request."""

from __future__ import annotations

import http.client
import select
import socket
import struct
import threading
import time

import pytest
from conftest import post

from builder.preview.serve import make_server

BIG = 4_000_000  # bytes of a file, so that its answer is still being written when cancelled


def start(root, host="127.0.0.1", **options):
    server, preview = make_server(root, host, 0, lambda _: None, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    return server, thread


@pytest.fixture
def served(make_site):
    """A site with a draft and a big file, served on 127.0.0.1:<free port>; yields the port."""
    root = make_site(
        {
            "content/news/a.md": post(title="Secret draft", extra="draft: true\n"),
            "content/big.bin": b"x" * BIG,
        }
    )
    server, thread = start(root)
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def get_with_host(port: int, host: str | None) -> tuple[int, bytes]:
    """GET / from 127.0.0.1:port with the Host header given (None: no Host header at all)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", "/", skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:{port}", "localhost", "LOCALHOST:{port}", "[::1]:{port}"]
)
def test_the_loopback_host_names_are_answered(served, host) -> None:
    status, body = get_with_host(served, host.format(port=served))
    assert status == 200 and b"Secret draft" in body


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:{port}",
        "127.0.0.1.evil.example",
        "localhost.evil.example:{port}",
        "127.0.0.2:{port}",
        "",
        None,
    ],
)
def test_any_other_host_name_gets_400_and_no_page(served, host) -> None:
    status, body = get_with_host(served, host if host is None else host.format(port=served))
    assert status == 400
    assert body == b"Bad request: this preview answers only its own address (Host header)\n"
    assert b"Secret draft" not in body


def test_the_host_given_to_serve_is_answered_too(make_site) -> None:
    root = make_site({"content/news/a.md": post()})
    server, thread = start(root, host="localhost")
    try:
        port = server.server_address[1]
        assert get_with_host(port, f"localhost:{port}")[0] == 200
        assert get_with_host(port, "other.example")[0] == 400
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_client_that_never_finishes_its_request_is_closed_after_the_timeout(make_site) -> None:
    root = make_site({"content/news/a.md": post()})
    server, thread = start(root, request_timeout=0.5)
    try:
        port = server.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")  # no end of headers
            started = time.monotonic()
            assert slow.recv(1024) == b""  # the server closed the connection
            waited = time.monotonic() - started
        assert 0.3 < waited < 5, waited
        assert get_with_host(port, "127.0.0.1")[0] == 200  # and still serves
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_client_that_trickles_its_headers_is_closed_after_the_timeout(make_site) -> None:
    """A byte at a time, each well within the timeout (slowloris): the whole request must
    arrive within the timeout, not each byte."""
    root = make_site({"content/news/a.md": post()})
    server, thread = start(root, request_timeout=0.5)
    try:
        port = server.server_address[1]
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            started = time.monotonic()
            closed = None
            for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 100:
                try:
                    slow.sendall(bytes([byte]))
                except OSError:  # reset: the server closed the connection
                    closed = time.monotonic() - started
                    break
                time.sleep(0.1)
                if select.select([slow], [], [], 0)[0] and slow.recv(1024) == b"":
                    closed = time.monotonic() - started
                    break
        assert closed is not None and closed < 2, closed
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_request_timeout_has_a_default_of_some_seconds() -> None:
    import inspect

    from builder.preview.serve import serve_site

    for function in (make_server, serve_site):
        default = inspect.signature(function).parameters["request_timeout"].default
        assert 1 <= default <= 60


def cancel(port: int, path: str) -> None:
    """Ask for `path`, then drop the connection at once with a reset, as a closed tab does."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    raw.recv(1024)  # the answer has begun
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raw.close()  # RST: the server's next write fails (ECONNRESET or EPIPE)


def test_cancelled_requests_print_nothing(served, capfd) -> None:
    for _ in range(10):
        cancel(served, "/big.bin")
    time.sleep(1)  # let the server's threads meet the closed connections
    assert get_with_host(served, "127.0.0.1")[0] == 200
    out, err = capfd.readouterr()
    assert "Traceback" not in err and "Error" not in err, err
    assert out == ""
