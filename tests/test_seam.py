"""One client seam (issue 21 item 8): the editing, sync, screening and status code take a typed
E-utilities client, `claimbook.pubmed.seam.Eutils`, which the real client satisfies."""

from __future__ import annotations

import inspect

from claimbook.pubmed.client import EutilsClient
from claimbook.pubmed.seam import Eutils


def test_the_real_client_is_an_eutils_and_accepts_every_parameter_of_the_seam():
    client = EutilsClient(progress=False, base_url="http://127.0.0.1:9/")
    assert isinstance(client, Eutils)
    for name in ("esearch", "efetch"):
        seam = inspect.signature(getattr(Eutils, name)).parameters
        real = inspect.signature(getattr(EutilsClient, name)).parameters
        for param in seam.values():
            assert param.name in real, (name, param.name)
            assert real[param.name].kind == param.kind, (name, param.name)
            assert real[param.name].default == param.default, (name, param.name)


def test_an_object_without_efetch_is_not_a_client():
    class SearchOnly:
        def esearch(self, term, **kw): ...

    assert not isinstance(SearchOnly(), Eutils)


def test_every_function_that_takes_a_client_types_it_as_the_seam():
    from claimbook import edit
    from claimbook.edit import screening
    from claimbook.evidence import status
    from claimbook.pubmed import sync

    functions = [edit.cite, edit.lookup_paper, edit.fetch_paper, screening.save_hits,
                 status.review_status, sync.sync, sync.lookup, sync.fetch_records]  # fmt: skip
    for f in functions:
        hint = inspect.signature(f).parameters["client"].annotation  # a string: PEP 563
        assert hint in ("Eutils", "Eutils | None"), (f.__qualname__, hint)
        assert inspect.getmodule(f).Eutils is Eutils, f.__qualname__
