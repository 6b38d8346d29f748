"""tk: translate German news into English and Chinese with open MT models, keep a glossary
exact, summarize, and score it all against reference sets.

Importing ``toolkit`` is cheap: torch and transformers load on first use.
"""

__version__ = "0.2.0"


def __getattr__(name: str) -> object:
    # toolkit.run(...): the whole pipeline in one call (imported on first use).
    if name == "run":
        from toolkit.pipeline import run

        return run
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")
