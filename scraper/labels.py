"""The platform's headings and labels in each UI language.

Headings are hints, not a contract (plans rename them): the DOM reader prefers
structure and uses these words where structure does not tell. The words come from
the platform's public translations (kausal-watch-ui ``locales/<lang>/{actions,common,
paths}.json``: ``action-impact``, ``action-continuous``, ``action-last-updated``,
``change-history.information-updated`` …), read and written out here by hand.
"""

from __future__ import annotations

import functools

from vahti.text import fold

# UI languages with tables below: Helsinki's four first, then the others the 2026 front end ships
# (regional variants such as de-CH, sv-FI, en-GB, pt-BR read as their language).
LANGUAGES = ("fi", "sv", "en", "de", "da", "el", "es", "lv", "pt", "cs", "pl")

LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    'actions': {
        'fi': ('Toimenpiteet', 'Toimet'),
        'sv': ('Åtgärder',),
        'en': ('Actions',),
        'de': ('Maßnahmen', 'Massnahmen'),
        'da': ('Handlinger',),
        'es': ('Acciones',),
        'lv': ('Darbības',),
        'cs': ('Akce',),
        'pl': ('Działania',),
    },
    'previous': {
        'fi': ('Edellinen',),
        'sv': ('Tidigare', 'Föregående'),
        'en': ('Previous',),
        'de': ('Zurück', 'Vorherige'),
        'da': ('Tidligere',),
        'el': ('Προηγούμενο',),
        'es': ('Anterior',),
        'lv': ('Iepriekšējais',),
        'pt': ('Anterior',),
    },
    'next': {
        'fi': ('Seuraava',),
        'sv': ('Nästa',),
        'en': ('Next',),
        'de': ('Weiter', 'Nächste'),
        'da': ('Næste',),
        'el': ('Επόμενο',),
        'es': ('Siguiente',),
        'lv': ('Nākamais',),
        'pt': ('Próximo',),
    },
    'description': {
        'fi': ('Kuvaus',),
        'sv': ('Beskrivning',),
        'en': ('Description',),
        'de': ('Beschreibung',),
        'da': ('Beskrivelse',),
        'el': ('Περιγραφή',),
        'es': ('Descripción',),
        'lv': ('Apraksts',),
        'pt': ('Descrição',),
    },
    'official': {
        'fi': ('Virallinen kuvaus',),
        'sv': ('Officiell beskrivning',),
        'en': ('Official description',),
        'de': ('Offizielle Beschreibung',),
        'da': ('Officiel beskrivelse',),
        'el': ('Επίσημη περιγραφή',),
        'es': ('Descripción oficial',),
        'lv': ('Oficiālais apraksts',),
        'pt': ('Descrição oficial',),
    },
    'updates': {
        'fi': ('Viimeisimmät päivitykset',),
        'sv': ('Senaste uppdateringarna',),
        'en': ('Latest updates',),
        'de': ('Letzte Aktualisierungen',),
        'da': ('Seneste opdateringer',),
        'el': ('Τελευταίες ενημερώσεις',),
        'es': ('Últimas actualizaciones',),
        'lv': ('Jaunākie atjauninājumi',),
        'pt': ('Últimas atualizações',),
    },
    'tasks': {
        'fi': ('Tehtävät',),
        'sv': ('Uppgifter', 'Milstolpar'),
        'en': ('Tasks', 'Milestones'),
        'de': ('Aufgaben', 'Meilensteine'),
        'da': ('Projekter',),
        'el': ('Milestones', 'Tasks'),
        'es': ('Tareas',),
        'lv': ('Stūrakmeņi', 'Uzdevumi'),
        'pt': ('Milestones', 'Tasks'),
    },
    'done': {
        'fi': ('Mitä on tehty?',),
        'sv': ('Vad har gjorts?',),
        'en': ('What has been done?',),
        'de': ('Was wurde gemacht?',),
        'da': ('Afsluttede projekter',),
        'el': ('Τι έχει γίνει;',),
        'es': ('¿Qué se ha hecho?',),
        'lv': ('Kas ir paveikts?',),
        'pt': ('O que foi feito?',),
    },
    'doing': {
        'fi': ('Mitä nyt tehdään?',),
        'sv': ('Vad gör vi?',),
        'en': ('What are we doing?',),
        'de': ('Was passiert gerade?',),
        'da': ('Igangværende projekter',),
        'el': ('Τι κάνουμε;',),
        'es': ('¿En qué estamos trabajando?',),
        'lv': ('Ko mēs darām?',),
        'pt': ('O que estamos fazendo?',),
    },
    'todo': {
        'fi': ('Mitä on tehtävä?',),
        'sv': ('Vad återstår att göra?',),
        'en': ("What's left to do?", 'What’s left to do?'),
        'de': ('Was bleibt zu tun?',),
        'da': ('Hvad er der tilbage at gøre?',),
        'el': ('Τι μένει να κάνουμε;',),
        'es': ('¿Qué queda por hacer?',),
        'lv': ('Kas vēl ir jādara?',),
        'pt': ('O que falta fazer?',),
    },
    'no_tasks': {
        'fi': ('Ei tekemättömiä tehtäviä',),
        'sv': ('Inga uppgifter',),
        'en': ('No to-dos',),
    },
    'icon_done': {
        'fi': ('Tehty',),
        'sv': ('Gjort',),
        'en': ('Done',),
        'de': ('Erledigt',),
        'da': ('Færdig',),
        'el': ('Έγινε',),
        'es': ('Hecho',),
        'lv': ('Paveikts',),
        'pt': ('Feito',),
    },
    'icon_todo': {
        'fi': ('Tehtävä',),
        'sv': ('Att göra',),
        'en': ('Todo', 'To do'),
        'de': ('Zu erledigen',),
        'da': ('At gøre',),
    },
    'indicators': {
        'fi': ('Mittarit',),
        'sv': ('Indikatorer',),
        'en': ('Indicators', 'Measures'),
        'de': ('Indikatoren', 'Messungen'),
        'da': ('Indikatorer',),
        'el': ('Δείκτες',),
        'es': ('Indicadores',),
        'lv': ('Rādītāji',),
        'pt': ('Indicadores',),
    },
    'impact': {
        'fi': ('Vaikutus', 'Toimenpiteen vaikutus'),
        'sv': ('Påverkan', 'Åtgärd påverkan'),
        'en': ('Impact', 'Action impact'),
        'de': ('Auswirkung', 'Maßnahmenauswirkungen', 'Massnahmenauswirkungen'),
        'da': ('Indvirkning', 'Handlingspåvirkning'),
        'el': ('Επιπτώσεις',),
        'es': ('Impacto', 'Impacto de la acción'),
        'lv': ('Ietekme', 'Darbības ietekme'),
        'pt': ('Impacto',),
        'cs': ('Dopad akce',),
        'pl': ('Wpływ działania',),
    },
    'progress': {
        'fi': ('Eteneminen',),
        'sv': ('Framsteg',),
        'en': ('Progress',),
        'de': ('Fortschritt',),
        'da': ('Fremskridt',),
        'el': ('Πρόοδος',),
        'es': ('Progreso',),
        'lv': ('Progress',),
        'pt': ('Progresso',),
    },
    'ready': {
        'fi': ('valmis',),
        'sv': ('redo', 'klar'),
        'en': ('ready', 'complete'),
        'de': ('fertig',),
    },
    'timeline': {
        'fi': ('Aikajänne',),
        'sv': ('Tidslinje',),
        'en': ('Timeline',),
        'de': ('Zeitleiste', 'Frist'),
        'da': ('Tidslinje',),
        'el': ('Χρονοδιάγραμμα',),
        'es': ('Cronología',),
        'lv': ('Laika grafiks',),
        'pt': ('Linha do tempo',),
    },
    'responsible': {
        'fi': ('Vastuuorganisaatiot', 'Vastuut'),
        'sv': ('Ansvariga organisationer', 'Ansvariga'),
        'en': ('Responsible organisations', 'Responsible organizations', 'Responsible parties'),
        'de': ('Zuständige Organisationen', 'Verantwortliche'),
        'da': ('Ansvarlige parter',),
        'el': ('Υπεύθυνα μέρη',),
        'es': ('Responsables',),
        'lv': ('Atbildīgās puses',),
        'pt': ('Partes responsáveis',),
    },
    'contacts': {
        'fi': ('Yhteyshenkilöt',),
        'sv': ('Kontaktpersoner',),
        'en': ('Contact persons',),
        'de': ('Ansprechpersonen',),
        'da': ('Kontaktpersoner',),
        'el': ('Πρόσωπα επικοινωνίας',),
        'es': ('Personas de contacto',),
        'lv': ('Kontaktpersonas',),
        'pt': ('Pessoas de contato',),
    },
    'main_contact': {
        'fi': ('Pääyhteyshenkilö',),
        'sv': ('Huvudkontaktperson',),
        'en': ('Main contact person', 'Primary contact'),
        'de': ('Hauptansprechperson',),
        'da': ('Hovedkontaktperson',),
        'el': ('Κύριο πρόσωπο επικοινωνίας',),
        'es': ('Persona de contacto principal',),
        'lv': ('Galvenā kontaktpersona',),
        'pt': ('Pessoa de contato principal',),
    },
    'no_contacts': {
        'fi': ('Ei merkittyjä yhteyshenkilöitä',),
        'sv': ('Inga namngivna kontaktpersoner',),
        'en': ('No named contact persons',),
        'de': ('Keine benannten Ansprechpersonen',),
        'da': ('Ingen navngivne kontaktpersoner',),
        'el': ('Δεν υπάρχουν κατονομαζόμενα πρόσωπα επικοινωνίας',),
        'es': ('No hay personas de contacto designadas',),
        'lv': ('Nav norādītas kontaktpersonas',),
        'pt': ('Não há pessoas de contato nomeadas',),
    },
    'updated': {
        'fi': ('Tietoja päivitetty',),
        'sv': ('Information uppdaterad',),
        'en': ('Information updated', 'Last updated'),
        'de': ('Letzte Aktualisierung', 'Informationen aktualisiert'),
        'da': ('Oplysninger opdateret',),
        'el': ('Ενημερωμένες πληροφορίες',),
        'es': ('Información actualizada',),
        'lv': ('Atjaunināta informācija',),
        'pt': ('Informações atualizadas',),
    },
    'merged': {
        'fi': ('Yhdistetyt toimenpiteet',),
        'sv': ('Sammanlagda åtgärderna',),
        'en': ('Merged actions',),
        'de': ('Zusammengeführte Maßnahmen', 'Zusammengeführte Massnahmen'),
        'da': ('Sammenflettet handlinger',),
        'el': ('Συγχωνευμένες δράσεις',),
        'es': ('Acciones fusionadas',),
        'lv': ('Apvienotie rīcības',),
        'pt': ('Ações mescladas',),
    },
    'not_found': {
        'fi': ('Sivua ei löydy', 'Sivua ei löytynyt'),
        'sv': ('Sidan hittades inte', 'Sidan hittas inte'),
        'en': ('Page not found', 'This page could not be found'),
        'de': ('Seite nicht gefunden',),
        'da': ('Siden blev ikke fundet',),
        'el': ('Η σελίδα δεν βρέθηκε',),
        'es': ('Página no encontrada',),
        'lv': ('Lapa nav atrasta',),
        'pt': ('Página não encontrada',),
    },
    'primary_party': {
        'fi': ('Päävastuutaho', 'Päävastuuorganisaatio'),
        'sv': ('Huvudansvarig',),
        'en': ('Primary responsible party', 'Main responsible party', 'Primary responsibility'),
        'de': ('Hauptverantwortlich',),
    },
    'continuous': {
        'fi': ('Jatkuva',),
        'sv': ('Ständig',),
        'en': ('Continuous',),
        'de': ('Laufend',),
        'da': ('Igangværende',),
        'el': ('Συνεχής',),
        'es': ('En curso',),
        'lv': ('Notiek',),
        'pt': ('Em andamento',),
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
