"""The web report (``vahti report``): the archive drawn as a static site.

``compare`` lays records out as display rows and compares them; ``overview`` computes a
plan's figures; ``timeline`` tells a measure's story; ``build`` renders the pages (Jinja2,
autoescaped) and writes the folder. It reads only the typed histories of ``vahti.history``.
"""
