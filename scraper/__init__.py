"""Fetching, discovery and parsing of Kausal Watch action pages into records."""

from scraper.parser import PARSER_VERSION, parse

__all__ = ["PARSER_VERSION", "parse"]
