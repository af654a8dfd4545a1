"""The E-utilities client against a real HTTP server on 127.0.0.1 (pytest-httpserver) that
replays recorded NCBI responses and injects faults. Nothing leaves the machine: NCBI is not
reachable here, so the loopback server stands in for it."""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from werkzeug import Request, Response

from claimbook.pubmed import (
    NCBIError,
    NetworkError,
    ParseError,
    RateLimitedError,
    SessionExpiredError,
)
from claimbook.pubmed.client import LIMITER, EutilsClient, RateLimiter

from conftest import EUTILS_FIXTURES, need_shared

OWN = Path(__file__).parent / "fixtures" / "pubmed"
KEY = "test-key-123-do-not-log"


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LIMITER.reset()
    yield
    LIMITER.reset()


def shared(rel: str) -> bytes:
    return need_shared(EUTILS_FIXTURES / rel).read_bytes()


def record(pmid: str) -> bytes:
    """A minimal, well-formed PubmedArticle for synthetic batches (loopback tests only)."""
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article>'
        f"<Journal><JournalIssue><PubDate><Year>2001</Year></PubDate></JournalIssue>"
        f"<Title>Synthetic</Title></Journal><ArticleTitle>Record {pmid}</ArticleTitle></Article>"
        f"</MedlineCitation></PubmedArticle>"
    ).encode()


def article_set(pmids) -> bytes:
    return b"<PubmedArticleSet>" + b"".join(record(p) for p in pmids) + b"</PubmedArticleSet>"


class Server:
    """Records every request (time, path, form) and answers from a script of responses."""

    def __init__(self, httpserver, script=None, default=None):
        self.httpserver = httpserver
        self.calls: list[dict] = []
        self.script = list(script or [])
        self.default = default
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        form = {k: v for k, v in parse_qs(request.get_data(as_text=True)).items()}
        self.calls.append({"t": time.monotonic(), "path": request.path, "form": form})
        step = self.script.pop(0) if self.script else self.default
        if isinstance(step, Response):
            return step
        return step(request, form)

    def url(self) -> str:
        return self.httpserver.url_for("/")

    def max_in_window(self, window: float = 1.0) -> int:
        times = [c["t"] for c in self.calls]
        return max(sum(1 for u in times if t <= u < t + window) for t in times)


def echo_records(request, form):
    ids = form["id"][0].split(",")
    return Response(article_set(ids), content_type="text/xml")


def client(server: Server, **kw) -> EutilsClient:
    kw.setdefault("backoff_factor", 0.01)
    kw.setdefault("progress", False)
    return EutilsClient(server.url(), email="tests@example.org", **kw)


# --------------------------------------------------------------------------- replay


def test_efetch_replays_a_real_body(httpserver):
    body = shared("efetch-pubmed/biopython__pubmed7.xml")
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    result = client(server).efetch(["29963580"])
    assert result.returned == ["29963580"]
    assert result.missing == []
    assert result.batches[0].raw == body  # exactly as received
    assert result.articles[0].doi == "10.1117/1.JMI.5.2.026002"
    (call,) = server.calls
    assert call["path"] == "/efetch.fcgi"
    assert call["form"]["db"] == ["pubmed"] and call["form"]["retmode"] == ["xml"]
    assert call["form"]["tool"] == ["claimbook"] and call["form"]["email"] == ["tests@example.org"]


def test_unknown_pmid_comes_back_missing(httpserver):
    body = shared("errors/metapub__37909814.xml")  # NCBI's answer to an unknown PMID: empty set
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    result = client(server).efetch(["37909814"])
    assert result.returned == [] and result.missing == ["37909814"]


def test_invalid_ids_are_refused_before_any_request(httpserver):
    server = Server(httpserver)
    with pytest.raises(ValueError, match="not a PMID: -1"):
        client(server).efetch(["123", "-1"])
    assert server.calls == []


def test_esearch_pages_past_one_page_with_history(httpserver, monkeypatch):
    monkeypatch.setattr("claimbook.pubmed.client.ESEARCH_PAGE", 100)
    page = shared("esearch/klortho__esearch.pubmed.xml")  # Count 15169, 100 ids, WebEnv
    server = Server(httpserver, default=Response(page, content_type="text/xml"))
    result = client(server).esearch("cancer", retmax=250, usehistory=True)
    assert result.count == 15169
    assert len(result.ids) == 250
    assert result.webenv.startswith("NCID_1_") and result.query_key == "1"
    starts = [c["form"]["retstart"][0] for c in server.calls]
    assert starts == ["0", "100", "200"]
    assert [c["form"]["retmax"][0] for c in server.calls] == ["100", "100", "50"]
    assert all(c["form"]["usehistory"] == ["y"] for c in server.calls)


def test_esearch_error_body_is_an_ncbi_error_and_not_retried(httpserver):
    body = shared("errors/klortho__esearch.baderror.xml")
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    with pytest.raises(NCBIError, match="NCBI error"):
        client(server).esearch("(")
    assert len(server.calls) == 1


def test_esummary_json(httpserver):
    body = shared("esummary/ualib-cookbook__esummary_pubmed_27933103.json")
    server = Server(httpserver, default=Response(body, content_type="application/json"))
    docs = client(server).esummary(["27933103"])
    assert list(docs) == ["27933103"]
    assert docs["27933103"]["title"].startswith("Programmatic conversion of crystal structures")


def test_elink_related_articles(httpserver):
    body = shared("elink/metapub__sample_related_pmids_result.xml")
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    links = client(server).elink(["14873513"])
    assert links["14873513"][:3] == ["14873513", "16450204", "18567069"]
    assert server.calls[0]["form"]["id"] == ["14873513"]
    assert server.calls[0]["form"]["linkname"] == ["pubmed_pubmed"]


def test_elink_without_links_is_empty(httpserver):
    body = shared("elink/metapub__medgen_elink_pubmed_0_entries.xml")
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    links = client(server).elink(["1"])
    assert all(v == [] for v in links.values())


def test_epost(httpserver):
    body = shared("epost/biopython__epost1.xml")
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    ref = client(server).epost(["11237011", "12466850"])
    assert (ref.webenv, ref.query_key) == ("MCID_692851c130aec64bed0a8c2a", "1")
    assert server.calls[0]["form"]["id"] == ["11237011,12466850"]


def test_expired_history_session(httpserver):
    body = (
        b"<eSearchResult><ERROR>Unable to obtain query #1: WebEnv expired</ERROR></eSearchResult>"
    )
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    with pytest.raises(SessionExpiredError):
        client(server).esearch("x")


# --------------------------------------------------------------------------- batching


def test_450_pmids_are_three_posts_of_200_200_50(httpserver):
    server = Server(httpserver, default=echo_records)
    ids = [str(1000 + i) for i in range(450)]
    result = client(server, api_key=KEY).efetch(ids)
    sizes = [len(c["form"]["id"][0].split(",")) for c in server.calls]
    assert sizes == [200, 200, 50]
    assert result.returned == ids and result.missing == []


def test_missing_pmids_are_reported_by_pmid(httpserver):
    def omit_some(request, form):
        ids = [p for p in form["id"][0].split(",") if p not in ("1003", "1007")]
        return Response(article_set(ids), content_type="text/xml")

    server = Server(httpserver, default=omit_some)
    result = client(server).efetch([str(1000 + i) for i in range(10)])
    assert result.missing == ["1003", "1007"]


def test_on_batch_sees_each_batch_as_it_arrives(httpserver):
    server = Server(httpserver, default=echo_records)
    seen = []
    client(server, batch_size=3).efetch(
        ["1", "2", "3", "4"], on_batch=lambda b: seen.append(b.requested)
    )
    assert seen == [["1", "2", "3"], ["4"]]


# --------------------------------------------------------------------------- faults


def test_500_then_success(httpserver):
    server = Server(httpserver, [Response("boom", status=500)], default=echo_records)
    result = client(server).efetch(["5"])
    assert result.returned == ["5"]
    assert len(server.calls) == 2


def test_429_with_retry_after_is_honoured(httpserver):
    body = shared("errors/issue-biocommons-bioutils-16__429_rate_limit_exceeded.json")
    limited = Response(
        body, status=429, headers={"Retry-After": "1"}, content_type="application/json"
    )
    server = Server(httpserver, [limited], default=echo_records)
    result = client(server).efetch(["7"])
    assert result.returned == ["7"]
    assert len(server.calls) == 2
    assert server.calls[1]["t"] - server.calls[0]["t"] >= 0.95


def test_truncated_body_then_success(httpserver):
    truncated = shared("errors/biopython__einfo4.xml")
    server = Server(
        httpserver, [Response(truncated, content_type="text/xml")], default=echo_records
    )
    result = client(server).efetch(["8"])
    assert result.returned == ["8"]
    assert len(server.calls) == 2


def test_html_body_then_success(httpserver):
    page = shared("errors/biopython__pubmed3.html")
    server = Server(httpserver, [Response(page, content_type="text/html")], default=echo_records)
    assert client(server).efetch(["9"]).returned == ["9"]
    assert len(server.calls) == 2


def test_timeout_then_success(httpserver):
    def slow(request, form):
        time.sleep(1.0)
        return echo_records(request, form)

    server = Server(httpserver, [slow], default=echo_records)
    result = client(server, timeout=0.3).efetch(["10"])
    assert result.returned == ["10"]
    # The loopback server is single-threaded: retries queue behind the slow answer, so the
    # client may time out more than once before one gets through.
    assert 2 <= len(server.calls) <= 5


def test_error_body_in_efetch_is_not_retried(httpserver):
    body = b"<eFetchResult><ERROR>Empty id list - nothing todo</ERROR></eFetchResult>"
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    with pytest.raises(NCBIError, match="Empty id list"):
        client(server).efetch(["11"])
    assert len(server.calls) == 1


def test_final_failure_names_what_was_and_was_not_fetched(httpserver):
    server = Server(httpserver, [echo_records], default=Response("down", status=503))
    ids = [str(2000 + i) for i in range(5)]
    with pytest.raises(NCBIError) as info:
        client(server, batch_size=2, max_retries=2).efetch(ids)
    err = info.value
    assert err.fetched == ["2000", "2001"]
    assert err.not_fetched == ["2002", "2003", "2004"]
    message = str(err)
    assert "\n" not in message
    assert "batch 2 of 3" in message and "HTTP 503" in message
    assert "3 of 5 PMIDs not fetched: 2002, 2003, 2004" in message
    assert "2 fetched before the failure are kept" in message
    assert len(server.calls) == 1 + 3  # one good batch, then 1 try + 2 retries


def test_persistent_429_is_a_rate_limited_error(httpserver):
    server = Server(httpserver, default=Response("{}", status=429, headers={"Retry-After": "0"}))
    with pytest.raises(RateLimitedError, match="HTTP 429"):
        client(server, max_retries=1).efetch(["12"])
    assert len(server.calls) == 2


def test_persistent_bad_body_is_a_parse_error(httpserver):
    server = Server(
        httpserver, default=Response(b"<PubmedArticleSet><Pub", content_type="text/xml")
    )
    with pytest.raises(ParseError, match="malformed XML"):
        client(server, max_retries=1).efetch(["13"])


def test_total_time_budget_bounds_retries(httpserver):
    server = Server(httpserver, default=Response("{}", status=429, headers={"Retry-After": "5"}))
    started = time.monotonic()
    with pytest.raises(RateLimitedError, match="time budget"):
        client(server, max_retries=10, max_total_seconds=1.0).efetch(["14"])
    assert time.monotonic() - started < 3
    assert len(server.calls) == 1


def _read_request(conn: socket.socket) -> bytes:
    """Read one whole HTTP request (headers and Content-Length body)."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


def _raw_server(resets: int):
    """A raw TCP server on 127.0.0.1: the first `resets` connections are reset (RST) after the
    request arrives; later ones get a real HTTP answer echoing the requested PMIDs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    stop = threading.Event()
    seen = {"connections": 0}

    def run():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            seen["connections"] += 1
            data = _read_request(conn)
            if seen["connections"] <= resets:
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                conn.close()  # RST instead of FIN
                continue
            ids = parse_qs(data.split(b"\r\n\r\n", 1)[1].decode())["id"][0].split(",")
            body = article_set(ids)
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {len(body)}"
            conn.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n" + body)
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def shutdown():
        stop.set()
        thread.join(5)
        sock.close()

    return sock, shutdown, seen


def test_connection_reset_is_retried_then_a_network_error():
    sock, shutdown, seen = _raw_server(resets=100)
    try:
        port = sock.getsockname()[1]
        c = EutilsClient(
            f"http://127.0.0.1:{port}/", max_retries=2, backoff_factor=0.01, progress=False
        )
        with pytest.raises(NetworkError, match="connection failed") as info:
            c.efetch(["15", "16"])
        assert info.value.not_fetched == ["15", "16"]
        assert seen["connections"] == 3
    finally:
        shutdown()


def test_connection_reset_then_success():
    sock, shutdown, seen = _raw_server(resets=1)
    try:
        port = sock.getsockname()[1]
        c = EutilsClient(
            f"http://127.0.0.1:{port}/", backoff_factor=0.01, progress=False, timeout=5
        )
        assert c.efetch(["17"]).returned == ["17"]
        assert seen["connections"] == 2
    finally:
        shutdown()


# --------------------------------------------------------------------------- politeness


def test_rate_limit_without_key_is_3_per_second(httpserver):
    server = Server(httpserver, default=echo_records)
    c = client(server)
    for i in range(8):
        c.efetch([str(100 + i)])
    assert len(server.calls) == 8
    assert server.max_in_window() <= 3


def test_rate_limit_with_key_is_10_per_second(httpserver):
    server = Server(httpserver, default=echo_records)
    c = client(server, api_key=KEY)
    for i in range(14):
        c.efetch([str(100 + i)])
    assert server.max_in_window() <= 10
    assert server.max_in_window() > 3  # the key really raises the limit
    assert server.calls[0]["form"]["api_key"] == [KEY]


def test_limiter_is_shared_across_clients(httpserver):
    server = Server(httpserver, default=echo_records)
    a, b = client(server), client(server)
    threads = [
        threading.Thread(target=lambda c=c, i=i: c.efetch([str(300 + i)]))
        for i, c in enumerate([a, b] * 4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(server.calls) == 8
    assert server.max_in_window() <= 3


def test_retries_are_rate_limited_too(httpserver):
    server = Server(httpserver, [Response("x", status=500)] * 4, default=echo_records)
    client(server, max_retries=5, backoff_factor=0.001).efetch(["18"])
    assert len(server.calls) == 5
    assert server.max_in_window() <= 3


def test_sliding_window_limiter_unit():
    limiter = RateLimiter(window=0.2)
    stamps = []
    for _ in range(7):
        slot = limiter.acquire(2)
        stamps.append(time.monotonic())
        limiter.done(slot)
    assert max(sum(1 for u in stamps if t <= u < t + 0.2) for t in stamps) <= 2


def test_a_slow_request_holds_its_slot_until_it_is_answered():
    """An answer that takes long still counts from when it arrived, not from when it left."""
    limiter = RateLimiter(window=0.2)
    slow = limiter.acquire(1)
    time.sleep(0.3)  # in flight longer than the window
    limiter.done(slow)
    started = time.monotonic()
    limiter.done(limiter.acquire(1))
    assert time.monotonic() - started >= 0.19


def test_api_key_never_logged_or_shown(httpserver, caplog):
    server = Server(httpserver, [Response("x", status=500)], default=Response("x", status=502))
    c = client(server, api_key=KEY, max_retries=1)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(NCBIError) as info:
        c.efetch(["19"])
    assert server.calls[0]["form"]["api_key"] == [KEY]  # sent to the server ...
    assert KEY not in caplog.text  # ... but never logged,
    assert KEY not in str(info.value)  # never in an error,
    assert KEY not in repr(c)  # nor in a repr
    ok = Server.__new__(Server)  # a successful fetch: the stored URL has no key either
    server.script, server.default = [], echo_records
    batch = c.efetch(["20"]).batches[0]
    assert KEY not in batch.url
    assert c.redact(f"https://x/?api_key={KEY}&id=1") == "https://x/?api_key=<api_key>&id=1"
    del ok


def test_large_result_sets_go_through_the_history_server(httpserver):
    esearch = (
        b"<eSearchResult><Count>450</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
        b"<QueryKey>1</QueryKey><WebEnv>MCID_test</WebEnv><IdList/></eSearchResult>"
    )
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_data(
        esearch, content_type="text/xml"
    )
    pages = []

    def history_page(request):
        form = parse_qs(request.get_data(as_text=True))
        pages.append(form)
        start, size = int(form["retstart"][0]), int(form["retmax"][0])
        ids = [str(5000 + i) for i in range(start, min(start + size, 450))]
        return Response(article_set(ids), content_type="text/xml")

    httpserver.expect_request(re.compile(".*efetch.*")).respond_with_handler(history_page)
    c = EutilsClient(httpserver.url_for("/"), progress=False, backoff_factor=0.01)
    result = c.fetch_search("cramp[tiab]")
    assert len(result.returned) == 450
    assert [p["retstart"][0] for p in pages] == ["0", "200", "400"]
    assert all(p["WebEnv"] == ["MCID_test"] and p["query_key"] == ["1"] for p in pages)
    assert all("id" not in p for p in pages)  # the ids stay on NCBI's side
