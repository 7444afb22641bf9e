"""The HTTP layer: a threaded stdlib server that reads requests and writes ``Reply`` objects."""

from __future__ import annotations

import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer

from .api import Reply, Request, Sandbox
from .envelope import refusal

# Bodies are read whole because the signature covers them; anything far beyond the largest
# legitimate upload (5 MiB) is read and thrown away instead, so memory stays bounded.
MAX_BODY_BYTES = 8 * 1024 * 1024


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sandbox: Sandbox, *, verbose: bool = False) -> None:
        self.sandbox = sandbox
        self.verbose = verbose
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, SandboxHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name, which can stall where DNS is absent.
        TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        # A client that gave up (timeout, reset) is part of the game here, not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; without this, Nagle plus delayed ACK adds 40 ms.
    disable_nagle_algorithm = True
    server: SandboxServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        unread = Request(self.command, self.path, self.headers, b"", self.client_address[0])
        length = self._content_length()
        if length is None:
            # Without a usable length the next request on this connection cannot be found.
            self.close_connection = True
            result = refusal(411, "PANJANG_WAJIB", "Content-Length wajib dan harus angka")
            self._send(sandbox.unreadable_body(unread, result))
            return
        if length > MAX_BODY_BYTES:
            self._discard(length)
            result = refusal(413, "BERKAS_TERLALU_BESAR", "Body terlalu besar")
            self._send(sandbox.unreadable_body(unread, result))
            return
        body = self.rfile.read(length) if length else b""
        self._send(sandbox.handle(Request(self.command, self.path, self.headers, body, self.client_address[0])))

    def _content_length(self) -> int | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        text = self.headers.get("Content-Length") or "0"
        return int(text) if text.isascii() and text.isdigit() else None

    def _discard(self, length: int) -> None:
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    def _send(self, reply: Reply) -> None:
        if reply.delay_s > 0:
            time.sleep(reply.delay_s)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)
        except ConnectionError:
            # The client stopped waiting (a held "timeout" answer); nothing left to tell it.
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)
