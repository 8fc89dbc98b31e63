"""HTTP for feeds: timeouts, retries with exponential back-off, conditional GET, a
User-Agent that names us. The standard library's urllib is enough (redirects, gzip is
not asked for) and keeps the dependency list short.

Retried: 5xx, 429, timeouts, refused or reset connections. Not retried: other 4xx
(asking again will not help). A 304 answer to If-None-Match / If-Modified-Since is
`FetchResult.not_modified`.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from .. import __version__

PROJECT_URL = "https://github.com/claims-news/claims"
USER_AGENT = f"claims/{__version__} (+{PROJECT_URL})"
MAX_BYTES = 32 * 1024 * 1024
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A URL that could not be fetched after all attempts; the message says why and
    `attempts` how many requests were made (the report shows it)."""

    def __init__(self, message: str, attempts: int = 0) -> None:
        super().__init__(message)
        self.attempts = attempts


@dataclass(frozen=True, slots=True)
class FetchResult:
    url: str  # after redirects
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None
    attempts: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 20.0,
    retries: int = 3,
    backoff: float = 1.0,
    user_agent: str = USER_AGENT,
) -> FetchResult:
    """GET *url* (conditionally when validators are given); raise FetchError at the end."""
    headers = {
        "User-Agent": user_agent,
        "Accept": "application/rss+xml, application/atom+xml, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    problem = "no attempt"
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                body = response.read(MAX_BYTES + 1)
                if len(body) > MAX_BYTES:
                    raise FetchError(f"{url}: larger than {MAX_BYTES} bytes", attempt + 1)
                return FetchResult(
                    url=response.geturl(),
                    status=response.status,
                    body=body,
                    etag=response.headers.get("ETag"),
                    last_modified=response.headers.get("Last-Modified"),
                    content_type=response.headers.get("Content-Type"),
                    attempts=attempt + 1,
                )
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                return FetchResult(
                    url,
                    304,
                    b"",
                    etag or exc.headers.get("ETag"),
                    last_modified or exc.headers.get("Last-Modified"),
                    None,
                    attempt + 1,
                )
            problem = f"HTTP {exc.code} {exc.reason}"
            if exc.code not in RETRY_STATUS:
                break
        except urllib.error.URLError as exc:
            reason = exc.reason
            timed_out = isinstance(reason, (TimeoutError, socket.timeout))
            problem = f"timed out after {timeout:g} s" if timed_out else f"{reason}"
        except TimeoutError:
            problem = f"timed out after {timeout:g} s"
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
    attempts = attempt + 1
    raise FetchError(
        f"{url}: {problem} ({attempts} attempt{'s' if attempts > 1 else ''})", attempts
    )
