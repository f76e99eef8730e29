"""Reading a rendered action page (the DOM), region by region.

``page.Page`` holds one parsed page and the reads every region shares (each node's
text once, headings, links); ``hero``, ``main`` and ``aside`` read their regions
and return values with ``Notes`` (problems, warnings, fields they could not see).
``scraper.from_dom`` puts them together into a record.
"""
