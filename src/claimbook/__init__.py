"""claimbook: check a health article's claims against PubMed, claim by claim."""

__version__ = "0.1.0"
