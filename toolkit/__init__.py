"""tk: translate German news into English and Chinese with open MT models, keep a glossary
exact, summarize, and score it all against reference sets.

Importing ``toolkit`` is cheap: torch and transformers load on first use.
"""

__version__ = "0.2.0"
