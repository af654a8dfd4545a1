"""Requests planned: HTTP requests and bytes to fetch N PMIDs, measured at a loopback
E-utilities server (NCBI itself is not reachable here), for

* claimbook's client (batches of 200 PMIDs, POST, rate-limited, retried),
* claimbook through the history server: one epost of all the ids, then efetch pages of up
  to 10,000 records (NCBI's largest efetch page) that name no ids at all,
* one request per PMID (how some peer scripts fetch), and
* Biopython's `Entrez.efetch(db="pubmed", id=ids)` as its tutorial shows it (its hard-coded
  NCBI address is redirected to the loopback server; nothing else is changed).

The server answers every requested PMID with a real PubMed record from the shared fixtures
(cycled, PMID rewritten), so response sizes are realistic.

    python benchmarks/requests_bench.py [--sizes 1,200,1000,10000]
"""

from __future__ import annotations

import argparse
import logging
import re
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from werkzeug import Request, Response
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "eutils" / "efetch-pubmed"
HEADER = b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n'


def real_records() -> list[bytes]:
    out = []
    for path in sorted(FIXTURES.glob("*.xml")):
        out += re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", path.read_bytes(), re.S)
    return out


class Counter:
    """A WSGI app that answers epost and efetch (by ids or from the history server) and counts
    requests and bytes both ways."""

    def __init__(self, records: list[bytes]) -> None:
        self.records = records
        self.posted: dict[str, list[str]] = {}
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.bytes_in = 0
        self.bytes_out = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        form = parse_qs(body.decode()) if body else parse_qs(urlsplit(request.url).query)
        ids = ",".join(form.get("id", [""])).split(",")
        if request.path.endswith("epost.fcgi"):
            webenv = f"MCID_{len(self.posted)}"
            self.posted[webenv] = ids
            payload = (f"<ePostResult><QueryKey>1</QueryKey><WebEnv>{webenv}</WebEnv>"
                       "</ePostResult>").encode()  # fmt: skip
            return self._answer(request, body, payload, environ, start_response)
        if "WebEnv" in form:
            start, size = int(form["retstart"][0]), int(form["retmax"][0])
            ids = self.posted[form["WebEnv"][0]][start : start + size]
        parts = [HEADER]
        for pmid in (p for p in ids if p):
            rec = self.records[int(pmid) % len(self.records)]  # same PMID, same record
            own = f'<PMID Version="1">{pmid}</PMID>'.encode()
            parts.append(re.sub(rb'<PMID Version="\d+">\d+</PMID>', own, rec, count=1))
        parts.append(b"</PubmedArticleSet>\n")
        payload = b"".join(parts)
        return self._answer(request, body, payload, environ, start_response)

    def _answer(self, request, body, payload, environ, start_response):
        head = sum(len(k) + len(v) + 4 for k, v in request.headers.items())
        with self.lock:
            self.requests += 1
            self.bytes_in += len(body) + len(request.full_path) + head
            self.bytes_out += len(payload)
        return Response(payload, content_type="text/xml")(environ, start_response)


def serve(app) -> tuple[str, callable]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}/", server.shutdown


def with_claimbook(base: str, ids: list[str]) -> None:
    from claimbook.pubmed.client import EutilsClient

    # An API key raises the polite limit from 3 to 10 requests/s; the loopback server ignores it.
    EutilsClient(base, api_key="benchmark", progress=False).efetch(ids)


def with_claimbook_history(base: str, ids: list[str]) -> None:
    from claimbook.pubmed.client import EutilsClient

    client = EutilsClient(base, api_key="benchmark", progress=False)
    client.efetch_history(client.epost(ids), len(ids), batch_size=10_000)


def one_per_pmid(base: str, ids: list[str]) -> None:
    import requests

    with requests.Session() as session:
        for pmid in ids:
            params = {"db": "pubmed", "id": pmid, "retmode": "xml"}
            session.get(base + "efetch.fcgi", params=params)


def with_biopython(base: str, ids: list[str]) -> None:
    from Bio import Entrez

    real_urlopen = Entrez.urlopen

    def to_loopback(request, *args, **kwargs):
        url = request.full_url.replace("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/", base)
        new = urllib.request.Request(url, data=request.data, headers=dict(request.header_items()))
        return real_urlopen(new, *args, **kwargs)

    Entrez.urlopen = to_loopback
    Entrez.email = "benchmark@example.org"
    try:
        with Entrez.efetch(db="pubmed", id=ids, retmode="xml") as handle:
            handle.read()
    finally:
        Entrez.urlopen = real_urlopen


STRATEGIES = {
    "claimbook (batches of 200, POST)": with_claimbook,
    "claimbook (epost, then history pages of 10,000)": with_claimbook_history,
    "one request per PMID": one_per_pmid,
    "Biopython Entrez.efetch (tutorial)": with_biopython,
}


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,200,1000,10000")
    args = parser.parse_args()
    app = Counter(real_records())
    base, shutdown = serve(app)
    rows = []
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            ids = [str(10_000_000 + i) for i in range(n)]
            for name, run in STRATEGIES.items():
                app.reset()
                t0 = time.perf_counter()
                run(base, ids)
                rows.append((n, name, app.requests, app.bytes_in, app.bytes_out,
                             time.perf_counter() - t0))  # fmt: skip
    finally:
        shutdown()
    print("| PMIDs | strategy | requests | bytes sent | bytes received | wall time (loopback) |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, name, reqs, b_in, b_out, secs in rows:
        print(f"| {n:,} | {name} | {reqs:,} | {b_in:,} | {b_out:,} | {secs:.1f} s |")


if __name__ == "__main__":
    main()
