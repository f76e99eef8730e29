"""The test HTTP site lives in the package (``vahti demo`` serves it too)."""

from vahti.samples.server import Hit, Site, SiteServer

__all__ = ["Hit", "Site", "SiteServer"]
