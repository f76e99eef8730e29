"""vahti: a change-tracking archiver for Kausal Watch climate-action pages.

The stages live in sibling packages (``scraper``, ``storage``, ``diffs``); this
package holds what they share: the record type, the error tree and the version.
"""

__version__ = "0.1.0"

from vahti.errors import VahtiError
from vahti.record import Measure, ParseMeta, ParseResult

__all__ = ["Measure", "ParseMeta", "ParseResult", "VahtiError", "__version__"]
