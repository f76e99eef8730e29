"""The platform's headings and labels in each UI language.

Headings are hints, not a contract (plans rename them): the DOM reader prefers
structure and uses these words where structure does not tell.
"""

from __future__ import annotations

import functools

from vahti.text import fold

LANGUAGES = ("fi", "sv", "en", "de")

LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "actions": {"fi": ("Toimenpiteet",), "sv": ("Åtgärder",), "en": ("Actions",), "de": ("Maßnahmen",)},
    "previous": {"fi": ("Edellinen",), "sv": ("Tidigare", "Föregående"), "en": ("Previous",), "de": ("Zurück", "Vorherige")},
    "next": {"fi": ("Seuraava",), "sv": ("Nästa",), "en": ("Next",), "de": ("Weiter", "Nächste")},
    "description": {"fi": ("Kuvaus",), "sv": ("Beskrivning",), "en": ("Description",), "de": ("Beschreibung",)},
    "official": {
        "fi": ("Virallinen kuvaus",), "sv": ("Officiell beskrivning",),
        "en": ("Official description",), "de": ("Offizielle Beschreibung",),
    },
    "updates": {
        "fi": ("Viimeisimmät päivitykset",), "sv": ("Senaste uppdateringarna",),
        "en": ("Latest updates",), "de": ("Letzte Aktualisierungen",),
    },
    "tasks": {"fi": ("Tehtävät",), "sv": ("Uppgifter",), "en": ("Tasks",), "de": ("Aufgaben",)},
    "done": {"fi": ("Mitä on tehty?",), "sv": ("Vad har gjorts?",), "en": ("What has been done?",), "de": ("Was wurde gemacht?",)},
    "doing": {"fi": ("Mitä nyt tehdään?",), "sv": ("Vad gör vi?",), "en": ("What are we doing?",), "de": ("Was passiert gerade?",)},
    "todo": {
        "fi": ("Mitä on tehtävä?",), "sv": ("Vad återstår att göra?",),
        "en": ("What's left to do?", "What’s left to do?"), "de": ("Was bleibt zu tun?",),
    },
    "no_tasks": {"fi": ("Ei tekemättömiä tehtäviä",), "sv": ("Inga uppgifter",), "en": ("No to-dos",), "de": ()},
    "icon_done": {"fi": ("Tehty",), "sv": ("Gjort",), "en": ("Done",), "de": ("Erledigt",)},
    "icon_todo": {"fi": ("Tehtävä",), "sv": ("Att göra",), "en": ("Todo", "To do"), "de": ("Zu erledigen",)},
    "indicators": {"fi": ("Mittarit",), "sv": ("Indikatorer",), "en": ("Indicators",), "de": ("Indikatoren",)},
    "impact": {"fi": ("Vaikutus",), "sv": ("Påverkan",), "en": ("Impact",), "de": ("Auswirkung",)},
    "progress": {"fi": ("Eteneminen",), "sv": ("Framsteg",), "en": ("Progress",), "de": ("Fortschritt",)},
    "ready": {"fi": ("valmis",), "sv": ("redo", "klar"), "en": ("ready", "complete"), "de": ("fertig",)},
    "timeline": {"fi": ("Aikajänne",), "sv": ("Tidslinje",), "en": ("Timeline",), "de": ("Zeitleiste",)},
    "responsible": {
        "fi": ("Vastuuorganisaatiot",), "sv": ("Ansvariga organisationer",),
        "en": ("Responsible organisations", "Responsible organizations", "Responsible parties"),
        "de": ("Zuständige Organisationen",),
    },
    "contacts": {"fi": ("Yhteyshenkilöt",), "sv": ("Kontaktpersoner",), "en": ("Contact persons",), "de": ("Ansprechpersonen",)},
    "main_contact": {
        "fi": ("Pääyhteyshenkilö",), "sv": ("Huvudkontaktperson",),
        "en": ("Main contact person", "Primary contact"), "de": ("Hauptansprechperson",),
    },
    "no_contacts": {
        "fi": ("Ei merkittyjä yhteyshenkilöitä",), "sv": ("Inga namngivna kontaktpersoner",),
        "en": ("No named contact persons",), "de": ("Keine benannten Ansprechpersonen",),
    },
    "updated": {
        "fi": ("Tietoja päivitetty",), "sv": ("Information uppdaterad",),
        "en": ("Information updated", "Last updated"), "de": ("Letzte Aktualisierung",),
    },
    "merged": {
        "fi": ("Yhdistetyt toimenpiteet",), "sv": ("Sammanlagda åtgärderna",),
        "en": ("Merged actions",), "de": ("Zusammengeführte Maßnahmen",),
    },
    "not_found": {
        "fi": ("Sivua ei löydy", "Sivua ei löytynyt"), "sv": ("Sidan hittades inte",),
        "en": ("Page not found", "This page could not be found"), "de": ("Seite nicht gefunden",),
    },
    # Screen-reader prefixes on responsible-party badges ("Päävastuutaho: Kaupunginkanslia").
    "primary_party": {
        "fi": ("Päävastuutaho", "Päävastuuorganisaatio"), "sv": ("Huvudansvarig",),
        "en": ("Primary responsible party", "Main responsible party", "Primary responsibility"),
        "de": ("Hauptverantwortlich",),
    },
}



@functools.lru_cache(maxsize=None)
def words(key: str, language: str | None = None) -> tuple[str, ...]:
    """All words for ``key``: the page language's first, then every other language's."""
    table = LABELS[key]
    first = table.get(language or "", ())
    rest = tuple(w for lang, ws in table.items() if lang != language for w in ws)
    return first + rest


@functools.lru_cache(maxsize=None)
def folded_words(key: str, language: str | None = None) -> tuple[str, ...]:
    """``words(key, language)``, folded."""
    return tuple(fold(w) for w in words(key, language))


def is_label(text: str | None, key: str, *, folded: bool = False) -> bool:
    """True when ``text`` is (exactly, after folding) one of ``key``'s words."""
    if not text:
        return False
    return (text if folded else fold(text)) in folded_words(key)


def contains_label(text: str | None, key: str, *, folded: bool = False) -> bool:
    """True when one of ``key``'s words stands in ``text`` as whole words."""
    if not text:
        return False
    padded = f" {text if folded else fold(text)} "
    return any(f" {w} " in padded for w in folded_words(key))


def language_from_headings(text: str) -> str | None:
    """Guess the UI language from heading words present in the page text."""
    folded = fold(text)
    scores = {lang: 0 for lang in LANGUAGES}
    for key in ("tasks", "contacts", "responsible", "updated", "indicators", "official", "progress"):
        for lang, ws in LABELS[key].items():
            if any(fold(w) in folded for w in ws):
                scores[lang] += 1
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] >= 2 else None
