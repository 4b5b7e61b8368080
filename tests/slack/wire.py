"""Raw HTTP over a TCP socket: a request body sent in several writes, with pauses between them,
the way a slow network or a proxy delivers it."""

from __future__ import annotations

import asyncio
import itertools


async def raw_post(
    host: str,
    port: int,
    body: bytes,
    headers: dict[str, str],
    *,
    cuts: list[int] | None = None,
    pause: float = 0.05,
    path: str = "/slack/events",
) -> tuple[int, bytes]:
    """POST `body` split at the byte offsets in `cuts` (one write per piece, `pause` seconds
    apart, TCP_NODELAY so each write leaves as its own segment); returns (status, response body)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        import socket

        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if not any(k.lower() == "content-length" for k in headers):
            head.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()
        edges = [0, *(cuts or []), len(body)]
        try:
            for n, (start, end) in enumerate(itertools.pairwise(edges)):
                if n:
                    await asyncio.sleep(pause)
                writer.write(body[start:end])
                await writer.drain()
        except ConnectionError:
            pass  # the server answered (413) and closed before the rest was sent
        async with asyncio.timeout(10):
            # Read the answer by its Content-Length: after an early 413 the server may linger
            # for the rest of a body that never comes before it closes the connection.
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
    finally:
        writer.close()
    return int(status_line.split()[1]), answer
