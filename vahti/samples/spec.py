"""The sample plan's content: the seed's action 91 (Helsinki, May 2020) and the words the UI shows.

A *spec* is a plain dict of what one action page says (name, tasks, contacts…); the
renderers in ``vahti.samples.pages`` draw it in each generation's markup and
``vahti.samples.data`` gives the data embedded behind it.
"""

from __future__ import annotations

import copy
from typing import Any

BASE = "https://ilmastovahti.hel.fi"

# --------------------------------------------------------------------------
# Content: the seed's action 91 (May 2020), plus a few others.
# --------------------------------------------------------------------------

DESC_91 = [
    "Toimenpiteessä tehdään jatkuvaa yhteistyötä Kasvatuksen ja koulutuksen toimialan ja kaupungin "
    "elinkeino-osaston yhteistyössä. Harjoittelupaikat ja tehtävien aiheet määritellään "
    "sidosryhmäyhteistyössä sekä toimialoilta ja yrityksistä nousevista kiinnostavista aiheista.",
    "Elinkeino-osaston roolina on toimia yhtenä tahona yritysyhteistyössä ja Smart&Clean-säätiön kanssa. "
    "Innovaatiot ja uudet kokeilut-yksikössä tehdään laajasti oppilaitosyhteistyötä ja toimintaa tukee "
    "kaupunkitasoisen kokeilualustamallin jatkokehitys.",
    "Tehtävät ja harjoittelupaikat määritetään aihekohtaisesti ja tarvelähtöisesti.",
]
OFFICIAL_91 = [
    "Kaupunki tarjoaa oppilaitoksille Smart &", "Clean -harjoittelupaikkoja, tekee yhteisiä",
    "kehityshankkeita sekä tukee oppilaitoksia ja", "niiden kampusalueita vähähiilisten ratkaisujen",
    "käyttöönotossa.",
]


def task(tid: str, name: str, state: str, due: str, completed: str | None, comment: list[str] | None,
         date_format: str | None = None) -> dict[str, Any]:
    return {"id": tid, "name": name, "state": state, "dueAt": due, "completedAt": completed,
            "comment": comment, "dateFormat": date_format}


TASKS_91 = [
    task("1201", "Toimenpiteestä on tilannekuvaus", "COMPLETED", "2019-11-22", "2019-11-22",
         ["Toimenpide on jatkuvaa yhteistyötä ja tehtävät ja harjoittelupaikat määritellään "
          "aihekohtaisesti ja kohdetarpeiden mukaisesti."]),
    task("1202", "Toimenpiteen yhteyshenkilö valittu", "COMPLETED", "2019-11-22", "2019-11-22", None),
    task("1203", "Seuraavat tehtävät kuvattu", "COMPLETED", "2019-11-22", "2019-11-22",
         ["Toimenpiteestä järjestetään seuraava suunnittelukokous joulukuussa 2019."]),
    task("1348", "Tunne Työ - suunnittele ura hanke", "COMPLETED", "2019-12-31", "2019-12-31",
         ["Tunne Työ - suunnittele ura- hanke on kasvatuksen ja koulutuksen toimialalla oleva "
          "kumppanuushanke. Hanketta on rahoittanut Euroopan sosiaalirahasto (ESR).",
          "Yhteistyökumppaneina ovat olleet mm. seuraavat Smart & Clean :",
          "REDI, Tralla, Kuvatehdas, Seppo io, Suomen yrittäjät, Aalto yliopisto, Aurelia Turbines."]),
    task("1412", "Toimintamallin ja roolijaon määrittely", "COMPLETED", "2020-01-28", "2020-01-28",
         ["Tehtävät ja harjoittelupaikat määritellään aihekohtaisesti ja kohdetarpeiden mukaisesti. "
          "Toimintamallia ja roolijakoa varten järjestetään seuraava suunnittelukokous tammikuussa 2020."]),
    task("1413", "Koululaisille ja opiskelijoille järjestettävän S&C-harjoittelutoiminnan määrittely ja "
         "opinto-ohjaajien tapaaminen", "IN_PROGRESS", "2020-09-20", None,
         ["Lukion opinto-ohjaajille järjestetään 2020 aikana info- ja keskustelutilaisuus.",
          "Ensimmäisenä aiheena ovat harjoittelu- ja varjostuspaikat lukio-opiskelijoille."]),
    task("1561", "Kesätyökokeilu", "CANCELLED", "2020-06-30", None,
         ["Kesätyöpaikkakokeilusta luovuttiin."]),
]

PARTIES_91 = [
    ("ahjo:00001", "Kanslia", "Kaupunginkanslia", "PRIMARY"),
    ("ahjo:U541000", "Kymp", "Kaupunkiympäristön toimiala", "COLLABORATOR"),
    ("ahjo:U400000", "Kasko", "Kasvatuksen ja koulutuksen toimiala", "COLLABORATOR"),
    ("ahjo:U480000", "KUVA", "Kulttuurin ja vapaa-ajan toimiala", "COLLABORATOR"),
    ("ahjo:U320000", "Sote", "Sosiaali- ja terveystoimiala", "COLLABORATOR"),
]
CONTACTS_91 = [
    ("231", "Mikko", "Martikka", "erityissuunnittelija", "Elinkeino-osasto"),
    ("232", "Anssi", "Almgren", None, "Kasvatuksen ja koulutuksen toimiala"),
    ("233", "Piritta", "Ekroth", "Projektipäällikkö/ Tunne Työ", "Pedagogiset asiantuntijapalvelut"),
    ("234", "Annika", "Naski", None, "Kasvatuksen ja koulutuksen kehittämisen tuki"),
]


def spec_91(lang: str = "fi") -> dict[str, Any]:
    names = {
        "fi": ("Yhteistyö koulujen ja oppilaitosten kanssa", "Kasvatus ja koulutus", "Ajallaan", "Pieni",
               "Toteutus", "Harjoittelupaikkojen määrä", "Hiilineutraali Helsinki 2035"),
        "sv": ("Samarbete med skolor och läroanstalter", "Fostran och utbildning", "I tid", "Liten",
               "Genomförande", "Antal praktikplatser", "Kolneutrala Helsingfors 2035"),
        "en": ("Cooperation with schools and educational institutions", "Education", "On time", "Small",
               "Implementation", "Number of internships", "Carbon-neutral Helsinki 2035"),
        "de": ("Zusammenarbeit mit Schulen und Bildungseinrichtungen", "Bildung", "Im Zeitplan", "Gering",
               "Umsetzung", "Anzahl der Praktikumsplätze", "Klimaneutrales Helsinki 2035"),
    }[lang]
    return {
        "lang": lang, "identifier": "91", "pk": "178", "name": names[0], "plan": names[6],
        "categories": [("27", "11", names[1])], "lead": None, "description": DESC_91,
        "official": OFFICIAL_91, "official_caption": "Hiilineutraali Helsinki 2035 -toimenpideohjelmasta",
        "status": ("on_time", names[2]), "completion": None, "phase": ("implementation", names[4]),
        "impact": ("1", names[3], 1), "schedule": [("2019-01-01", "2021-12-31", "2019–2021")],
        "tasks": copy.deepcopy(TASKS_91), "indicators": [("185", names[5])],
        "parties": list(PARTIES_91), "contacts": list(CONTACTS_91), "updates": [],
        "updated_at": "2020-05-20T07:12:00+00:00", "updated_day": "2020-05-20",
        "previous": "90", "next": "92", "merged_with": None,
        "change_log": None,  # (updatedAt, first name, last name, message): the plan's own note, when its log is on
    }


# The UI's words in each language, as the sample pages draw them.
LANGUAGES = ("fi", "sv", "en", "de")
# One row a word: its fi, sv, en and de forms.
_WORDS: dict[str, tuple[str, str, str, str]] = {
    "actions": ("Toimenpiteet", "Åtgärder", "Actions", "Maßnahmen"),
    "prev": ("Edellinen", "Tidigare", "Previous", "Zurück"),
    "next": ("Seuraava", "Nästa", "Next", "Weiter"),
    "official": ("Virallinen kuvaus", "Officiell beskrivning", "Official description", "Offizielle Beschreibung"),
    "updates": ("Viimeisimmät päivitykset", "Senaste uppdateringarna", "Latest updates", "Letzte Aktualisierungen"),
    "tasks": ("Tehtävät", "Uppgifter", "Tasks", "Aufgaben"),
    "done": ("Mitä on tehty?", "Vad har gjorts?", "What has been done?", "Was wurde gemacht?"),
    "doing": ("Mitä nyt tehdään?", "Vad gör vi?", "What are we doing?", "Was passiert gerade?"),
    "todo": ("Mitä on tehtävä?", "Vad återstår att göra?", "What's left to do?", "Was bleibt zu tun?"),
    "none": ("Ei tekemättömiä tehtäviä", "Inga uppgifter", "No to-dos", "Keine Aufgaben"),
    "icon_done": ("Tehty", "Gjort", "Done", "Erledigt"),
    "icon_todo": ("Tehtävä", "Att göra", "Todo", "Zu erledigen"),
    "indicators": ("Mittarit", "Indikatorer", "Indicators", "Indikatoren"),
    "impact": ("Vaikutus", "Påverkan", "Impact", "Auswirkung"),
    "progress": ("Eteneminen", "Framsteg", "Progress", "Fortschritt"),
    "timeline": ("Aikajänne", "Tidslinje", "Timeline", "Zeitleiste"),
    "responsible": ("Vastuuorganisaatiot", "Ansvariga organisationer",
                    "Responsible organisations", "Zuständige Organisationen"),
    "contacts": ("Yhteyshenkilöt", "Kontaktpersoner", "Contact persons", "Ansprechpersonen"),
    "main": ("Pääyhteyshenkilö", "Huvudkontaktperson", "Main contact person", "Hauptansprechperson"),
    "nocontacts": ("Ei merkittyjä yhteyshenkilöitä", "Inga namngivna kontaktpersoner",
                   "No named contact persons", "Keine benannten Ansprechpersonen"),
    "updated": ("Tietoja päivitetty", "Information uppdaterad", "Information updated", "Letzte Aktualisierung"),
    "desc": ("Kuvaus", "Beskrivning", "Description", "Beschreibung"),
    "summary": ("Yhteenveto ja yhteystiedot", "Sammanfattning och kontakter",
                "Summary and contacts", "Zusammenfassung und Kontakte"),
    "primary_prefix": ("Päävastuutaho", "Huvudansvarig", "Primary responsible party", "Hauptverantwortlich"),
    "loading": ("Ladataan", "Laddar", "Loading", "Wird geladen"),
    "ready": ("valmis", "redo", "ready", "fertig"),
}
LABELS: dict[str, dict[str, str]] = {lang: {k: v[i] for k, v in _WORDS.items()} for i, lang in enumerate(LANGUAGES)}


def fmt_date(iso: str, lang: str, *, padded: bool, fmt: str | None = None) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    if fmt == "MONTH_YEAR":
        return f"{m}/{y}" if lang == "en" else (f"{y}-{m:02d}" if lang == "sv" else f"{m}.{y}")
    if fmt == "YEAR":
        return str(y)
    if lang == "sv":
        return iso
    if lang == "en":
        return f"{m:02d}/{d:02d}/{y}" if padded else f"{m}/{d}/{y}"
    return f"{d:02d}.{m:02d}.{y}" if padded else f"{d}.{m}.{y}"


def drawn_tasks(spec: dict[str, Any], gen: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Task groups in the order the generation draws them (cancelled never drawn)."""
    ts = [t for t in spec["tasks"] if t["state"] != "CANCELLED"]
    done = [t for t in ts if t["state"] == "COMPLETED"]
    doing = [t for t in ts if t["state"] == "IN_PROGRESS"]
    todo = [t for t in ts if t["state"] == "NOT_STARTED"]
    if gen == "classic":  # 2020-05: done first, oldest first; then to do
        return [("done", sorted(done, key=lambda t: t["completedAt"])),
                ("todo", sorted(todo + doing, key=lambda t: t["dueAt"]))]
    if gen == "pages-router":
        return [("todo", sorted(todo + doing, key=lambda t: t["dueAt"])),
                ("done", sorted(done, key=lambda t: t["completedAt"], reverse=True))]
    return [("todo", sorted(todo, key=lambda t: t["dueAt"])), ("doing", sorted(doing, key=lambda t: t["dueAt"])),
            ("done", sorted(done, key=lambda t: (t["completedAt"], t["id"]), reverse=True))]
