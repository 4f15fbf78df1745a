"""A local fake of the OpenAI organisation costs API (``GET /v1/organization/costs``), serving
its documented page shape with cursor paging: one bucket per page, ``has_more`` and
``next_page`` until the last. A real HTTP server in a thread (no mocks)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class OpenAICostsServer:
    def __init__(self, buckets: list[dict]) -> None:
        self.buckets = buckets
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                server.requests.append(
                    {"path": url.path, "query": query, "auth": self.headers.get("authorization")}
                )
                if url.path != "/v1/organization/costs":
                    self.send_error(404)
                    return
                index = int(query.get("page", "page_0").removeprefix("page_"))
                more = index + 1 < len(server.buckets)
                body = {
                    "object": "page",
                    "data": [server.buckets[index]] if server.buckets else [],
                    "has_more": more,
                    "next_page": f"page_{index + 1}" if more else None,
                }
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> OpenAICostsServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def bucket(day_start: int, *results: tuple[str, str]) -> dict:
    """A one-day bucket; ``results`` are ``(value as JSON number text, line_item)``."""
    return {
        "object": "bucket",
        "start_time": day_start,
        "end_time": day_start + 86_400,
        "results": [
            {
                "object": "organization.costs.result",
                "amount": {"value": json.loads(value), "currency": "usd"},
                "line_item": line_item,
                "project_id": "proj_abc",
            }
            for value, line_item in results
        ],
    }
