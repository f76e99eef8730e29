"""The orchestration layer: the only code that knows every stage.

fetch (``scraper``) → parse (``scraper``) → store (``storage``) → diff (``diffs``) → alert
(``diffs.alerts``), put in order here: the crawl loop (``crawl``), one page's write with its
events and alerts (``ingest``, ``events``), re-deriving history (``reparse``), the delivery
round (``delivery``), a site's crawl under its lease (``runner``), ``status`` and ``demo``.
"""
