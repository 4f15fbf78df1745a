"""A stand-in for the OpenAI Videos API (Sora) on loopback, for the stack's job workers. Each
worker gets its own path prefix (``/w1/v1``, ``/w2/v1``), so the server knows which worker made a
call; clips answer at once unless the test holds them (``hold_clip``), so a worker can be killed
while it waits for one."""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from media.providers.video_tools import render_clip


class FakeSora:
    def __init__(self, still_png: bytes) -> None:
        self.still_png = still_png
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.videos: dict[str, dict] = {}
        self.creates: list[tuple[str, str, int]] = []  # (worker, video id, seconds)
        self.polls: dict[str, list[str]] = defaultdict(list)  # video id -> workers polling
        self.held: set[int] = set()  # clip numbers (1-based, in creation order) held running
        self.clips: dict[int, bytes] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def base_url(self, worker: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/{worker}/v1"

    def hold_clip(self, number: int) -> None:
        self.held.add(number)

    def release_all(self) -> None:
        self.held.clear()

    def clip(self, seconds: int) -> bytes:
        with self.lock:
            if seconds not in self.clips:
                self.clips[seconds] = render_clip(
                    still_png=self.still_png, duration_seconds=seconds, width=64, height=36
                )
            return self.clips[seconds]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, value, status: int = 200) -> None:
                self._send(status, json.dumps(value).encode(), "application/json")

            def do_POST(self):
                worker, _, rest = self.path.lstrip("/").partition("/")
                body = json.loads(self.rfile.read(int(self.headers["content-length"] or 0)))
                if rest != "v1/videos":
                    return self._json({"error": {"message": "not found"}}, 404)
                with fake.lock:
                    number = next(fake.ids)
                    video_id = f"video_{number}"
                    seconds = int(body["seconds"])
                    fake.videos[video_id] = {"number": number, "seconds": seconds}
                    fake.creates.append((worker, video_id, seconds))
                self._json({"id": video_id, "object": "video", "status": "queued"})

            def do_GET(self):
                worker, _, rest = self.path.lstrip("/").partition("/")
                parts = rest.split("?")[0].split("/")  # v1, videos, id[, content]
                video = fake.videos.get(parts[2]) if len(parts) >= 3 else None
                if video is None:
                    return self._json({"error": {"message": "no such video"}}, 404)
                if len(parts) == 3:
                    fake.polls[parts[2]].append(worker)
                    if video["number"] in fake.held:
                        return self._json({"id": parts[2], "status": "in_progress", "progress": 50})
                    return self._json(
                        {"id": parts[2], "status": "completed", "seconds": str(video["seconds"])}
                    )
                if "variant=thumbnail" in self.path:
                    return self._send(200, fake.still_png, "image/png")
                self._send(200, fake.clip(video["seconds"]), "video/mp4")

        return Handler
