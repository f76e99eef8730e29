"""Realistic Kausal Watch action pages, rendered from a spec, for every markup generation.

Written from the platform's documented markup (classic 2019-2021 with the Apollo 2
cache, pages router 2021-2024 with Apollo 3 ``__ref``s, app router 2024- with the
RSC payload), in Finnish, Swedish, English and German, and from the seed page's
content (Helsinki's action 91, May 2020). The test fixtures, the bundled sample
site of ``vahti demo`` and the benchmarks are all made with these renderers.
"""

from __future__ import annotations

import copy
import html
import json
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
    }


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

E = html.escape
LABELS = {
    "fi": dict(actions="Toimenpiteet", prev="Edellinen", next="Seuraava", official="Virallinen kuvaus",
               updates="Viimeisimmät päivitykset", tasks="Tehtävät", done="Mitä on tehty?",
               doing="Mitä nyt tehdään?", todo="Mitä on tehtävä?", none="Ei tekemättömiä tehtäviä",
               icon_done="Tehty", icon_todo="Tehtävä", indicators="Mittarit", impact="Vaikutus",
               progress="Eteneminen", timeline="Aikajänne", responsible="Vastuuorganisaatiot",
               contacts="Yhteyshenkilöt", main="Pääyhteyshenkilö", nocontacts="Ei merkittyjä yhteyshenkilöitä",
               updated="Tietoja päivitetty", desc="Kuvaus", summary="Yhteenveto ja yhteystiedot",
               primary_prefix="Päävastuutaho", loading="Ladataan", ready="valmis"),
    "sv": dict(actions="Åtgärder", prev="Tidigare", next="Nästa", official="Officiell beskrivning",
               updates="Senaste uppdateringarna", tasks="Uppgifter", done="Vad har gjorts?", doing="Vad gör vi?",
               todo="Vad återstår att göra?", none="Inga uppgifter", icon_done="Gjort", icon_todo="Att göra",
               indicators="Indikatorer", impact="Påverkan", progress="Framsteg", timeline="Tidslinje",
               responsible="Ansvariga organisationer", contacts="Kontaktpersoner", main="Huvudkontaktperson",
               nocontacts="Inga namngivna kontaktpersoner", updated="Information uppdaterad", desc="Beskrivning",
               summary="Sammanfattning och kontakter", primary_prefix="Huvudansvarig", loading="Laddar",
               ready="redo"),
    "en": dict(actions="Actions", prev="Previous", next="Next", official="Official description",
               updates="Latest updates", tasks="Tasks", done="What has been done?", doing="What are we doing?",
               todo="What's left to do?", none="No to-dos", icon_done="Done", icon_todo="Todo",
               indicators="Indicators", impact="Impact", progress="Progress", timeline="Timeline",
               responsible="Responsible organisations", contacts="Contact persons", main="Main contact person",
               nocontacts="No named contact persons", updated="Information updated", desc="Description",
               summary="Summary and contacts", primary_prefix="Primary responsible party", loading="Loading",
               ready="ready"),
    "de": dict(actions="Maßnahmen", prev="Zurück", next="Weiter", official="Offizielle Beschreibung",
               updates="Letzte Aktualisierungen", tasks="Aufgaben", done="Was wurde gemacht?",
               doing="Was passiert gerade?", todo="Was bleibt zu tun?", none="Keine Aufgaben",
               icon_done="Erledigt", icon_todo="Zu erledigen", indicators="Indikatoren", impact="Auswirkung",
               progress="Fortschritt", timeline="Zeitleiste", responsible="Zuständige Organisationen",
               contacts="Ansprechpersonen", main="Hauptansprechperson",
               nocontacts="Keine benannten Ansprechpersonen", updated="Letzte Aktualisierung",
               desc="Beschreibung", summary="Zusammenfassung und Kontakte", primary_prefix="Hauptverantwortlich",
               loading="Wird geladen", ready="fertig"),
}


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


def paras(ps: list[str] | None) -> str:
    return "\n".join(f"<p>{E(p)}</p>" for p in ps or [])


def svg(alt: str | None = None, inner_title: str | None = None) -> str:
    a = f' alt="{E(alt)}"' if alt else ""
    t = f"<title>{E(inner_title)}</title>" if inner_title else ""
    return (f'<svg class="icon" style="width:1em;height:1em"{a} xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 512 512">{t}<path d="M109.5 470.1c-35 0-63.5-28.5-63.5-63.5z"></path></svg>')


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


# --------------------------------------------------------------------------
# Embedded data
# --------------------------------------------------------------------------

def action_json(spec: dict[str, Any], gen: str) -> dict[str, Any]:
    """The Action as the platform's GraphQL answers it (fields by generation)."""
    a: dict[str, Any] = {
        "__typename": "Action", "id": spec["pk"], "identifier": spec["identifier"], "name": spec["name"],
        "officialName": "\n".join(spec["official"]) if spec["official"] else None,
        "description": paras(spec["description"]) or None,
        "completion": spec["completion"], "updatedAt": spec["updated_at"],
        "categories": [{"__typename": "Category", "id": c[0], "identifier": c[1], "name": c[2],
                        "type": {"__typename": "CategoryType", "id": "1", "identifier": "action"}}
                       for c in spec["categories"]],
        "contactPersons": [
            {"__typename": "ActionContactPerson", "id": str(600 + i),
             "person": {"__typename": "Person", "id": pid, "firstName": fn, "lastName": ln,
                        "avatarUrl": f"https://api.example.org/media/avatars/{pid}.jpg", "title": title,
                        "organization": {"__typename": "Organization", "name": org}}}
            for i, (pid, fn, ln, title, org) in enumerate(spec["contacts"])],
        "responsibleParties": [
            {"__typename": "ActionResponsibleParty", "id": str(1000 + i),
             "organization": {"__typename": "Organization", "id": oid, "abbreviation": ab, "name": nm},
             **({"role": role} if gen != "classic" else {})}
            for i, (oid, ab, nm, role) in enumerate(spec["parties"])],
        "tasks": [],
        "status": {"__typename": "ActionStatus", "id": "2", "identifier": spec["status"][0], "name": spec["status"][1]}
        if spec["status"] else None,
        "schedule": [{"__typename": "ActionSchedule", "id": str(i + 1), "beginsAt": b, "endsAt": e, "name": n}
                     for i, (b, e, n) in enumerate(spec["schedule"])],
        "impact": {"__typename": "ActionImpact", "id": spec["impact"][0], "identifier": spec["impact"][0],
                   "name": spec["impact"][1]} if spec["impact"] else None,
        "statusUpdates": [
            {"__typename": "ActionStatusUpdate", "id": u["id"], "title": u["title"], "date": u["date"],
             "author": {"__typename": "Person", "id": u["author_id"], "firstName": u["author"].split()[0],
                        "lastName": " ".join(u["author"].split()[1:])}, "content": paras([u["content"]])}
            for u in spec["updates"]],
        "relatedIndicators": [{"__typename": "ActionIndicator", "id": str(400 + i),
                               "indicator": {"__typename": "Indicator", "id": iid, "name": nm}}
                              for i, (iid, nm) in enumerate(spec["indicators"])],
        "nextAction": {"__typename": "Action", "id": "n", "identifier": spec["next"]} if spec["next"] else None,
        "previousAction": {"__typename": "Action", "id": "p", "identifier": spec["previous"]} if spec["previous"] else None,
    }
    for t in spec["tasks"]:
        if gen == "classic" and t["state"] == "CANCELLED":
            pass  # still in the data, drawn as "to do" would be wrong; 2020 data lists it
        item: dict[str, Any] = {"__typename": "ActionTask", "id": t["id"], "name": t["name"], "dueAt": t["dueAt"],
                                "completedAt": t["completedAt"]}
        if gen == "classic":
            item["comment"] = paras(t["comment"]) or None
        else:
            item["state"] = t["state"]
            item["details" if gen == "app-router" else "comment"] = paras(t["comment"])
            if gen == "app-router":
                item["dateFormat"] = t.get("dateFormat")
        a["tasks"].append(item)
    if gen != "classic":
        a["leadParagraph"] = spec["lead"] or ""
        a["implementationPhase"] = ({"__typename": "ActionImplementationPhase", "id": "3",
                                     "identifier": spec["phase"][0], "name": spec["phase"][1]}
                                    if spec["phase"] else None)
        a["mergedWith"] = {"__typename": "Action", "id": "m", "identifier": spec["merged_with"]} \
            if spec["merged_with"] else None
    return a


def apollo_cache(action: dict[str, Any], *, apollo2: bool, plan: tuple[str, str] | None) -> dict[str, Any]:
    """Normalise a GraphQL answer the way Apollo's cache does."""
    cache: dict[str, Any] = {}

    def ref(key: str, typename: str, generated: bool) -> dict[str, Any]:
        if apollo2:
            return {"type": "id", "generated": generated, "id": key, "typename": typename}
        return {"__ref": key}

    def norm(obj: Any, path: str) -> Any:
        if isinstance(obj, list):
            return [norm(v, f"{path}.{i}") for i, v in enumerate(obj)]
        if not isinstance(obj, dict):
            return obj
        typename = obj.get("__typename", "Object")
        if "id" in obj:
            key, generated = f"{typename}:{obj['id']}", False
        else:
            if not apollo2:  # Apollo 3 embeds id-less objects in their parent
                return {k: norm(v, f"{path}.{k}") for k, v in obj.items()}
            key, generated = f"${path}", True
        entry = cache.setdefault(key, {})
        for k, v in obj.items():
            entry[k] = norm(v, f"{key}.{k}")
        return ref(key, typename, generated)

    field_names = {"categories": 'categories({"categoryType":"action"})'} if apollo2 else {}
    root_ref = norm({k: v for k, v in action.items()}, "ROOT_QUERY")
    entry = cache[f"Action:{action['id']}"]
    for old, new in field_names.items():
        entry[new] = entry.pop(old)
    root = {f'action({{"identifier":"{action["identifier"]}","plan":"hnh2035"}})': root_ref}
    if not apollo2:
        root["__typename"] = "Query"
    if plan:
        cache[f"Plan:{plan[0]}"] = {"__typename": "Plan", "id": plan[0], "identifier": plan[0], "name": plan[1]}
        root['plan({"id":"hnh2035"})'] = ref(f"Plan:{plan[0]}", "Plan", False)
    cache["ROOT_QUERY"] = root
    return cache


def next_data(spec: dict[str, Any], gen: str, build_id: str) -> str:
    action = action_json(spec, gen)
    cache = apollo_cache(action, apollo2=(gen == "classic"),
                         plan=("hnh2035", spec["plan"]) if gen == "classic" else None)
    data = {"props": {"initialLanguage": spec["lang"], "apolloState": {"data": cache}, "pageProps": {}},
            "page": "/actions/[id]", "query": {"id": spec["identifier"]}, "buildId": build_id}
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script id="__NEXT_DATA__" type="application/json">{text}</script>'


def rsc_scripts(spec: dict[str, Any], task_format: str = "FULL") -> str:
    action = action_json(spec, "app-router")
    long_comment = None
    for t in action["tasks"]:
        if len(t["details"]) > 300:  # long texts travel as separate T rows, like the real payload
            long_comment = t["details"]
            t["details"] = "$34"
    payload = ["$", "$L33", None, {"action": action,
                                   "extraPlanData": {"actionListPage": {"taskDateFormat": task_format}}}]
    rows = '0:{"P":null,"b":"build-x"}\n33:I[762708,["/_next/static/chunks/a.js"],"default"]\n'
    if long_comment:
        rows += f"34:T{len(long_comment.encode('utf-8')):x},{long_comment}"
    rows += "17:" + json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n"
    chunks = [rows[i:i + 1500] for i in range(0, len(rows), 1500)]
    out = ["<script>(self.__next_f=self.__next_f||[]).push([0])</script>"]
    for c in chunks:
        out.append("<script>self.__next_f.push(" + json.dumps([1, c], ensure_ascii=False).replace("</", "\\u003c/")
                   + ")</script>")
    return "".join(out)


# --------------------------------------------------------------------------
# Classic (2019-10 .. 2021): styled-components class names with component names
# --------------------------------------------------------------------------

def classic_page(spec: dict[str, Any], *, with_json: bool = True, build_id: str = "emzWi_skYhicwea3n7Mpz") -> str:
    L = LABELS[spec["lang"]]
    lang = spec["lang"]
    prefix = "" if lang == "fi" else f"/{lang}"
    pager = []
    if spec["previous"]:
        pager.append(f'<a href="{prefix}/actions/{spec["previous"]}">{svg()} <!-- -->{L["prev"]}</a>')
    if spec["next"]:
        pager.append(f'<a href="{prefix}/actions/{spec["next"]}">{L["next"]} <!-- -->{svg()}</a>')
    badges = "".join(f'<span class="ActionContent__CategoryBadge-il4e3z-8 hpKClp mr-3 badge badge-secondary">{E(c[2])}</span>'
                     for c in spec["categories"])
    hero = (f'<div class="ActionContent__ActionHero-il4e3z-0 fRUVRi"><div class="container"><div class="row">'
            f'<div class="col-md-10"><a href="{prefix}/actions"><h4>{L["actions"]}</h4></a>'
            f'<p>{"<span> | </span>".join(pager)}</p>'
            f'<h1 class="ActionContent__ActionHeadline-il4e3z-2 cweTxo"><span class="ActionContent__ActionNumber-il4e3z-3 kiLGsY">'
            f'{E(spec["identifier"])}</span><br/>{E(spec["name"])}</h1>{badges}</div></div></div></div>')
    main = []
    if spec["description"]:
        main.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo text-content">{paras(spec["description"])}</div>')
    if spec["official"]:
        main.append(f'<div class="ActionContent__OfficialText-il4e3z-7 cMqXIL"><h5>{L["official"]}</h5>'
                    f'<strong>Toimenpideohjelman mukaan</strong><div>{"<br>".join(E(x) for x in spec["official"])}</div>'
                    f'<small>({E(spec["official_caption"])})</small></div>')
    if spec["updates"]:
        arts = "".join(
            f'<div class="col-sm-12"><article class="ActionUpdatesList__ActionUpdate-sc-1xbrk4l-0 gSnaiN">'
            f'<header><div class="mb-3 media"><div class="media-left media-top"><img src="https://api.example.org/v1/person/{u["author_id"]}/image/" '
            f'class="ActionUpdatesList__AuthorAvatar-sc-1xbrk4l-2 rounded-circle" alt="name"/></div>'
            f'<div class="media-body"><div class="ActionUpdatesList__AuthorName-sc-1xbrk4l-3 fJmRLC">{E(u["author"])}</div>'
            f'<div class="ActionUpdatesList__UpdateDate-sc-1xbrk4l-4"><time dateTime="{u["date"]}">{fmt_date(u["date"], lang, padded=True)}</time></div>'
            f'</div></div><h3>{E(u["title"])}</h3></header><div class="text-content"><p>{E(u["content"])}</p></div></article></div>'
            for u in spec["updates"])
        main.append(f'<div class="ActionContent__SolidSection-il4e3z-9"><div class="row"><div class="col"><h2 class="ActionContent__SectionHeader-il4e3z-6 mb-5">{L["updates"]}</h2></div></div><div class="row">{arts}</div></div>')
    main.append(f'<div class="row"><div class="col"><h2 class="ActionContent__SectionHeader-il4e3z-6 kYUdUm mb-5">{L["tasks"]}</h2></div></div>')
    groups = []
    for kind, items in drawn_tasks(spec, "classic"):
        if not items:
            if kind == "todo":
                groups.append(f'<h5>{L["none"]}</h5>')
            continue
        lis = []
        for t in items:
            done = t["state"] == "COMPLETED"
            day = t["completedAt"] if done else t["dueAt"]
            comment = (f'<div class="text-content"><small><span>{paras(t["comment"])}</span></small></div>'
                       if t["comment"] else "")
            lis.append(f'<li class="TaskList__ListGroupItem-uurta9-4 biLkpN state--undefined list-group-item">'
                       f'<div class="TaskList__TaskWrapper-uurta9-1"><div class="TaskList__TaskMeta-uurta9-2">'
                       f'{svg(alt=L["icon_done"] if done else L["icon_todo"])}'
                       f'<span class="TaskList__Date-uurta9-0 hQpwfX">{fmt_date(day, lang, padded=True)}</span></div>'
                       f'<div class="TaskList__TaskContent-uurta9-3"><h6>{E(t["name"])}</h6>{comment}</div></div></li>')
        groups.append(f'<ul class="mb-5 list-group"><h5 class="mb-3">{L[kind]}</h5>{"".join(lis)}</ul>')
    main.append(f'<div class="row"><div class="mb-5 col"><div class="ActionContent__ActionSection-il4e3z-5 fDshNo mb-5"><div>{"".join(groups)}</div></div></div></div>')
    main.append(f'<div class="row"><div class="col"><h2 class="ActionContent__SectionHeader-il4e3z-6 mb-5">{L["indicators"]}</h2></div></div>')
    if spec["indicators"]:
        cards = "".join(f'<div class="mb-3 card"><div class="card-body"><h5>{E(n)}</h5></div><div class="card-footer">'
                        f'<a href="{prefix}/indicators/{i}">Mittarin tarkemmat tiedot{svg()}</a></div></div>'
                        for i, n in spec["indicators"])
        main.append(f'<div class="row"><div class="mb-5 col-sm-12">{cards}</div></div>')
    else:
        main.append('<div class="row"><div class="mb-5 col-sm-12"><div class="mb-5 alert alert-light fade" role="alert">'
                    '<h6>Ei määriteltyjä mittareita</h6></div></div></div>')
    aside = []
    if spec["impact"]:
        on = spec["impact"][2]
        icons = "".join(f'<svg class="icon ActionImpact__ImpactIcon-sc-1i7ia9q-0 icon-{"on" if i < on else "off"}"></svg>'
                        for i in range(3))
        aside.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo"><h5>{L["impact"]}</h5><div>{icons}<h6>{E(spec["impact"][1])}</h6></div></div>')
    if spec["status"]:
        comp = spec["completion"]
        strong = f'<strong>{comp} % {L["ready"]}</strong>' if comp is not None else ""
        now = f' aria-valuenow="{comp}"' if comp is not None else ""
        aside.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo"><h5>{L["progress"]}</h5>{strong}'
                     f'<div class="ActionStatus__Status-sc-8jcik4-0 zdvvw"><div class="ActionStatus__ActionProgress-sc-8jcik4-2 jiyckv bg-{spec["status"][0]} progress">'
                     f'<div class="progress-bar bg-success" style="width:{comp or 0}%" role="progressbar"{now} aria-valuemin="0" aria-valuemax="100">'
                     f'<div class="ActionStatus__StatusTitle-sc-8jcik4-1 fQZMVl">{E(spec["status"][1])}</div></div></div></div></div>')
    aside.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo"><h5>{L["timeline"]}</h5></div>')
    party_links = []
    for i, (oid, ab, nm, role) in enumerate(spec["parties"]):
        label = f'{L["primary_prefix"]}: {nm}' if i == 0 else nm
        size = "lg" if i == 0 else "sm"
        party_links.append(f'<a class="BadgeTooltip__BadgeWrapper-sc-7sdsqw-0 jzQKPO {size}" href="{prefix}/actions?organization={oid.replace(":", "%3A")}">'
                           f'<span id="{oid.replace(":", "_")}" aria-label="{E(label)}" class="BadgeTooltip__StyledBadge-sc-7sdsqw-1 badge badge-secondary badge-pill">{E(ab)}</span></a>')
    aside.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo"><div class="ResponsibleList__Responsibles-sc-4v3rq2-0"><h5>{L["responsible"]}</h5>{"".join(party_links)}</div></div>')
    people = []
    for i, (pid, fn, ln, title, org) in enumerate(spec["contacts"]):
        role = f'<p class="ContactPerson__PersonRole-llysoo-3 edZaiP">{E(title)}</p>' if title else ""
        people.append(f'<li><div class="ContactPerson__Person-llysoo-0 gxmnxk{" leader" if i == 0 else ""}"><div class="media">'
                      f'<div class="media-left"><img src="https://api.example.org/v1/person/{pid}/image/?height=150&amp;width=150" class="ContactPerson__Avatar-llysoo-5 rounded-circle{" leader" if i == 0 else ""}" alt="{E(fn)} {E(ln)}"/></div>'
                      f'<div class="ContactPerson__PersonDetails-llysoo-1 media-body"><p class="ContactPerson__Name-llysoo-2 bRrGnc">{E(fn)} {E(ln)}</p>{role}'
                      f'<p class="ContactPerson__PersonOrg-llysoo-4 kdNkle">{E(org)}</p>'
                      f'<button type="button" aria-expanded="false" aria-controls="contact-{pid}" class="btn btn-link btn-sm">Yhteystiedot</button>'
                      f'<div id="contact-{pid}" class="collapse" aria-expanded="false"></div></div></div></div></li>')
    if not people:
        people.append(f'<div class="ContactPersons__Note-okrwhx-1 dcArWy">{L["nocontacts"]}</div>')
    aside.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo"><h5>{L["contacts"]}</h5><ul class="ContactPersons__ContactList-okrwhx-0">{"".join(people)}</ul></div>')
    aside.append(f'<div class="ActionContent__ActionSection-il4e3z-5 fDshNo"><div class="ActionContent__LastUpdated-il4e3z-4 ixouql">'
                 f'{L["updated"]}<!-- --> <!-- -->{fmt_date(spec["updated_day"], lang, padded=True)}</div></div>')
    body = (f'<div id="__next"><div><nav class="header__TopNav-sc-7kuyle-0 navbar"><a class="navbar-brand" href="/">Ilmastovahti</a>'
            f'<ul class="navbar-nav"><li class="nav-item"><a class="nav-link" href="{prefix}/actions">{L["actions"]}</a></li>'
            f'<li class="nav-item"><a class="nav-link" href="{prefix}/indicators">{L["indicators"]}</a></li></ul></nav>'
            f'<div>{hero}</div><div class="container"><div class="row"><div class="col-md-7 col-lg-8">{"".join(main)}</div>'
            f'<div class="col-md-5 col-lg-4">{"".join(aside)}</div></div></div>'
            f'<footer class="site-footer"><h5>Ilmastovahti</h5><a href="https://www.hel.fi/">Helsingin kaupunki</a></footer></div></div>')
    data = next_data(spec, "classic", build_id) if with_json else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charSet="utf-8"/>'
            f'<meta property="og:url" content="{BASE}{prefix}/actions/{spec["identifier"]}"/>'
            f'<title>Toimenpide {E(spec["identifier"])} | Ilmastovahti</title>'
            f'<style data-styled="">.cweTxo{{hyphens:auto;}}</style></head><body>{body}{data}'
            f'<script src="/_next/static/{build_id}/pages/_app.js" defer=""></script></body></html>')


# --------------------------------------------------------------------------
# Pages router (2021 .. 2024-01): hashed sc- classes, Apollo 3 refs
# --------------------------------------------------------------------------

def pages_router_page(spec: dict[str, Any], *, build_id: str = "Xc9Dq1", with_json: bool = True) -> str:
    L = LABELS[spec["lang"]]
    lang = spec["lang"]
    prefix = "" if lang == "fi" else f"/{lang}"
    prev = (f'<div><a href="{prefix}/actions/{spec["previous"]}">{svg()} <!-- -->{L["prev"]}</a></div>'
            if spec["previous"] else "")
    nxt = (f'<div><a href="{prefix}/actions/{spec["next"]}">{L["next"]}{svg()}</a></div>' if spec["next"] else "")
    crumbs = "".join(f'<span id="crumb-{c[0]}"><a href="{prefix}/toimenpiteet/{c[1]}">{c[1]}. {E(c[2])}</a> /<!-- --> </span>'
                     for c in spec["categories"])
    header = (f'<header class="sc-2e359c2b-0 gCDMvZ"><div class="container"><div class="row"><div class="col-lg-8">'
              f'<nav aria-label="Toimenpidelista sivutus" class="sc-2e359c2b-8 boyjFR"><a href="{prefix}/actions"><span class="sc-2e359c2b-10">{L["actions"]}</span></a>{prev}{nxt}</nav>'
              f'<div class="sc-dd79c374-0 gFeFWe">{crumbs}</div>'
              f'<h1 class="sc-2e359c2b-12 UytTi"><span class="sc-2e359c2b-13 glMkGr">{E(spec["identifier"])}</span><span>{E(spec["name"])}</span></h1>'
              f'</div></div></div></header>')
    top = []
    if spec["status"]:
        top.append(f'<div class="sc-8ce0e363-6 fkfVMN"><h2 class="sc-8ce0e363-2 jjWHsy">{L["progress"]}</h2><div class="sc-282c2ebe-0 lkFwNR">'
                   f'<div class="sc-282c2ebe-4"><div class="sc-282c2ebe-2"></div><div class="sc-282c2ebe-3 bfSduA">{E(spec["status"][1])}</div></div></div></div>')
    if spec["description"]:
        top.append(f'<div class="action-main-top"><div class="sc-8ce0e363-1 iLSSBV text-content"><h2 class="visually-hidden">{L["desc"]}</h2>'
                   f'<div class="text-content "><div class="sc-c741de57-2 dazeEn">{paras(spec["description"])}</div></div></div></div>')
    if spec["official"]:
        top.append(f'<div class="sc-f31d2027-0 fXGLiZ"><h2>{L["official"]}</h2><div class="official-text-content"><div>'
                   f'{"<br>".join(E(x) for x in spec["official"])}</div><small>({E(spec["official_caption"])})</small></div></div>')
    aside = [f'<h2 class="visually-hidden">{L["summary"]}</h2>']
    if spec["impact"]:
        aside.append(f'<div class="sc-8ce0e363-1 iLSSBV"><h3 class="sc-8ce0e363-4">{L["impact"]}</h3><div><div class="d-flex">{svg()}{svg()}{svg()}'
                     f'<strong class="ml-2">{E(spec["impact"][1])}</strong></div></div></div>')
    lis = []
    for i, (oid, ab, nm, role) in enumerate(spec["parties"]):
        # The platform's bug of this generation: the "primary" label on the wrong badges.
        label = f"{ab} {nm}" if role == "PRIMARY" else f"Päävastuuorganisaatio: {ab} {nm}"
        size = "lg" if role == "PRIMARY" else "sm"
        lis.append(f'<li class="sc-26103590-2 BiVch"><a href="{prefix}/organizations/{oid}"><span id="bttorg-{oid.replace(":", "").lower()}">'
                   f'<span aria-label="{E(label)}" class="sc-13455a99-0 cBdMGe {size} badge bg-brandDark">{E(ab)}</span></span></a></li>')
    aside.append(f'<div class="sc-8ce0e363-1"><div class="sc-26103590-0"><h3>{L["responsible"]}</h3><ul class="sc-26103590-1">{"".join(lis)}</ul></div></div>')
    people = []
    for i, (pid, fn, ln, title, org) in enumerate(spec["contacts"]):
        alt = f'{L["main"]} {fn} {ln}' if i == 0 else f"{fn} {ln}"
        people.append(f'<li><div class="sc-2ab9f2c8-0 fzVpQX{" leader" if i == 0 else ""}"><div><img src="https://api.example.org/media/avatars/{pid}.jpg" class="sc-2ab9f2c8-5 rounded-circle{" leader" if i == 0 else ""}" alt="{E(alt)}"/></div>'
                      f'<div class="sc-2ab9f2c8-1"><p class="sc-2ab9f2c8-2 AwXOe">{E(fn)} {E(ln)}</p><p class="sc-2ab9f2c8-3 cOgIzn">{E(title or "")}</p>'
                      f'<p class="sc-2ab9f2c8-4 IHhPe">{E(org)}</p><button type="button" aria-controls="contact-{pid}" class="btn btn-link btn-sm">Yhteystiedot{svg()}</button>'
                      f'<div id="contact-{pid}" class="collapse"></div></div></div></li>')
    aside.append(f'<div class="sc-8ce0e363-1"><h3 class="sc-a5c41d1d-0">{L["contacts"]}</h3><ul class="sc-a5c41d1d-1">{"".join(people) or L["nocontacts"]}</ul></div>')
    aside.append(f'<div class="sc-8ce0e363-1"><div class="sc-8ce0e363-0 cJeXoS">{L["updated"]}<!-- --> <!-- -->{fmt_date(spec["updated_day"], lang, padded=True)}</div></div>')
    groups = []
    for kind, items in drawn_tasks(spec, "pages-router"):
        if not items:
            continue
        lis = []
        for t in items:
            done = t["state"] == "COMPLETED"
            day = t["completedAt"] if done else t["dueAt"]
            comment = (f'<button type="button" class="btn btn-link btn-sm">Näytä lisätiedot{svg()}</button><div class="collapse"><div class="task-comment">'
                       f'<div class="text-content "><div class="sc-c741de57-2">{paras(t["comment"])}</div></div></div></div>' if t["comment"] else "")
            lis.append(f'<li class="sc-e737828b-7 seCFr state--{t["state"]} list-group-item"><div class="sc-e737828b-1"><div class="sc-e737828b-2">'
                       f'{svg(inner_title=L["icon_done"] if done else L["icon_todo"])}<span class="sc-e737828b-0 hWszTu">{fmt_date(day, lang, padded=True)}</span></div>'
                       f'<div class="sc-e737828b-4"><h4 class="task-title">{E(t["name"])}</h4>{comment}</div></div></li>')
        groups.append(f'<h3 class="sc-e737828b-6 cKNiFA">{L[kind]}</h3><ul class="sc-e737828b-5 mb-5 list-group">{"".join(lis)}</ul>')
    tasks = (f'<div class="container"><div class="row"><div class="col-md-7 col-lg-8"><div><div class="row"><div class="col"><h2 class="sc-8ce0e363-7">{L["tasks"]}</h2></div></div>'
             f'<div class="row"><div class="col"><div class="sc-8ce0e363-1"><div>{"".join(groups)}</div></div></div></div></div>'
             + (f'<div class="row"><div class="col"><h2 class="sc-8ce0e363-7">{L["indicators"]}</h2></div></div><div class="row"><div class="col-sm-12">'
                + "".join(f'<div class="mb-4 sc-3a3e0f1b-1 card"><div class="card-body"><a href="{prefix}/indicators/{i}"><h3>{E(n)}{svg()}</h3></a></div></div>'
                          for i, n in spec["indicators"]) + '</div></div>' if spec["indicators"] else "")
             + '</div></div></div>')
    pager = ('<div class="container"><div class="sc-6bacef2e-0">'
             + (f'<a href="{prefix}/actions/{spec["previous"]}"><button class="btn btn-outline-primary">{svg()}{L["prev"]} toimenpide</button></a>' if spec["previous"] else "")
             + (f'<a href="{prefix}/actions/{spec["next"]}"><button class="btn btn-outline-primary">{L["next"]} toimenpide{svg()}</button></a>' if spec["next"] else "")
             + '</div></div>')
    main = (f'<main id="main" class="sc-98d02f15-0 deuGPD"><div>{header}<div class="container"><div class="row"><div class="col-md-7 col-lg-8">'
            f'<div class="sc-8ce0e363-1">{"".join(top)}</div></div><div class="col-md-5 col-lg-4">{"".join(aside)}</div></div></div>{tasks}{pager}</div></main>')
    data = next_data(spec, "pages-router", build_id) if with_json else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charSet="utf-8"/><link rel="canonical" href="{BASE}{prefix}/actions/{spec["identifier"]}"/>'
            f'<title>Toimenpide {E(spec["identifier"])} | Ilmastovahti</title></head><body><div id="__next">{main}'
            f'<footer class="site-footer"><a href="/">Ilmastovahti</a></footer></div>{data}</body></html>')


# --------------------------------------------------------------------------
# App router (2024 ..): Emotion/MUI labels, RSC payload, streamed hidden div
# --------------------------------------------------------------------------

def app_router_page(spec: dict[str, Any], *, with_json: bool = True, labels: dict[str, str] | None = None,
                    task_format: str = "FULL") -> str:
    L = dict(LABELS[spec["lang"]], **(labels or {}))
    lang = spec["lang"]
    prefix = "" if lang == "fi" else f"/{lang}"
    crumbs = "".join(f'<span id="crumb-{c[0]}"><a href="{prefix}/toimenpiteet/{c[1]}">{c[1]}. {E(c[2])}</a> / </span>'
                     for c in spec["categories"])
    pager_top = ('<div class="mui-1l73naq-ActionHero-ActionsPagination e1yg23w59">'
                 + (f'<a href="{prefix}/actions/{spec["previous"]}">{svg()} <!-- -->{L["prev"]}</a>' if spec["previous"] else "")
                 + (f'<a href="{prefix}/actions/{spec["next"]}">{L["next"]}{svg()}</a>' if spec["next"] else "") + "</div>")
    lead = (f'<p class="mui-9d1kqm-ActionHero-LeadParagraph e1yg23w515">{E(spec["lead"])}</p>' if spec["lead"] else "")
    hero = (f'<header class="mui-t70x0o-ActionHero-Hero e1yg23w50"><div class="container"><div class="col-lg-8">'
            f'<nav aria-label="Handlingspager" class="mui-18ymab8-ActionHero-ActionsNav"><a href="{prefix}/actions"><span>{L["actions"]}</span></a>{pager_top}</nav>'
            f'<div class="mui-1mqo6vt-Breadcrumbs-StyledContainer e3wxvm00">{crumbs}</div>'
            f'<h1 class="mui-6xvo6j-ActionHero-ActionHeadline"><span class="mui-139sx0e-ActionHero-ActionNumber e1yg23w513">{E(spec["identifier"])}</span>'
            f'<span class="mui-13sgqqw-ActionHero-ActionName">{E(spec["name"])}</span></h1>{lead}</div></div></header>')
    top = []
    if spec["status"]:
        phases = ""
        if spec["phase"]:
            phases = ('<ul class="mui-18kilmv-PhaseTimeline-StyledContainer em8ge7g0">'
                      + "".join(f'<li class="mui-1hahnvc-PhaseTimeline-StyledPhase"><div class="phase-name mui-{"1cqvyl9" if n == spec["phase"][1] else "3v89ny"}-PhaseTimeline-StyledMiniPhaseName">{E(n)}</div></li>'
                                for n in ("Idea", "Suunnittelu", spec["phase"][1], "Valmis"))
                      + "</ul>")
        top.append(f'<div class="mui-1ux8qv4-ActionContent-ActionSection e13jics1"><div class="mui-n0f3x2-ActionContent-StyledProgressHeaderContainer">'
                   f'<h2 class="mui-1kbolya-ActionContent-PrimaryHeader">{L["progress"]}</h2><div class="mui-51ssqa-StatusBadge-StyledStatusBadge">'
                   f'<div class="mui-32ipp8-StatusBadge-StyledStatusWrapper"><div class="mui-cn0v2v-StatusBadge-StyledStatusIndicator"></div>'
                   f'<div class="mui-10ym713-StatusBadge-StyledStatusLabel e1jh164b3">{E(spec["status"][1])}</div></div></div></div>'
                   f'<div class="mui-6rdxya-ActionContent-StyledProgressCard">{phases}</div></div>')
    if spec["description"]:
        top.append(f'<div class="action-main-top"><div class="text-content mui-1ux8qv4-ActionContent-ActionSection"><h2 class="visually-hidden">{L["desc"]}</h2>'
                   f'<div class="text-content clearfix "><div class="mui-1j39alh-RichText-StyledRichText">{paras(spec["description"])}</div></div></div></div>')
    if spec["official"]:
        top.append(f'<div class="mui-1op0zbm-ActionOfficialNameBlock-OfficialText"><h2>{L["official"]}</h2><div class="official-text-content"><div>'
                   f'{"<br>".join(E(x) for x in spec["official"])}</div><small>({E(spec["official_caption"])})</small></div></div>')
    groups = []
    for kind, items in drawn_tasks(spec, "app-router"):
        if not items:
            continue
        lis = []
        for t in items:
            done = t["state"] == "COMPLETED"
            day = t["completedAt"] if done else t["dueAt"]
            shown = fmt_date(day, lang, padded=done, fmt=None if done else (t.get("dateFormat") or task_format))
            details = (f'<button type="button" class="mui-cpmunj-TaskList-ToggleButton btn btn-link btn-sm"> Visa information{svg()}</button>'
                       f'<div class="collapse"><div class="task-details"><div class="text-content clearfix "><div class="mui-1j39alh-RichText-StyledRichText">'
                       f'{paras(t["comment"])}</div></div></div></div>' if t["comment"] else "")
            lis.append(f'<li class="state--{t["state"]} mui-pkap7s-TaskList-ListGroupItem eh8n3lz7 list-group-item"><div class="mui-155e1lw-TaskList-TaskWrapper">'
                       f'<div class="mui-1vqvfpu-TaskList-TaskMeta">{svg(alt=L["icon_done"] if done else L["icon_todo"])}'
                       f'<span class="mui-1ntgppz-TaskList-StyledDate eh8n3lz0">{shown}</span></div>'
                       f'<div class="mui-1lpxand-TaskList-TaskContent"><h4 class="task-title">{E(t["name"])}</h4>{details}</div></div></li>')
        groups.append(f'<h3 class="mui-1al2ms8-TaskList-ListGroupTitle">{L[kind]}</h3><ul class="mb-5 mui-1yhn6s4-TaskList-ListGroup list-group">{"".join(lis)}</ul>')
    bottom = []
    if spec["tasks"] is not None:
        bottom.append(f'<div><div class="row"><div class="col"><h2 class="mui-1xgk90e-ActionContent-SectionHeader e13jics7">{L["tasks"]}</h2></div></div>'
                      f'<div class="row"><div class="col"><div class="mui-1ux8qv4-ActionContent-ActionSection"><div>{"".join(groups) or "<p>" + L["none"] + "</p>"}</div></div></div></div></div>')
    if spec["indicators"]:
        cards = "".join(f'<div class="mb-4 mui-1lhxsuc-ActionRelatedIndicatorsBlock-Card card"><div class="card-body"><a href="{prefix}/indicators/{i}"><h3>{E(n)}{svg()}</h3></a></div></div>'
                        for i, n in spec["indicators"])
        bottom.append(f'<div><div class="row"><div class="col"><h2 class="mui-1xgk90e-ActionContent-SectionHeader">{L["indicators"]}</h2></div></div><div class="row"><div class="col-sm-12">{cards}</div></div></div>')
    bottom.append(f'<div class="mui-3w8yn8-ActionContent-ActionSection"><h2 class="mui-1xgk90e-ActionContent-SectionHeader">{L["updates"]}</h2>'
                  f'<div aria-busy="true" role="progressbar"><div class="visually-hidden">{L["loading"]}</div></div></div>')
    aside = [f'<h2 class="visually-hidden">{L["summary"]}</h2>']
    if spec["impact"]:
        aside.append(f'<div class="mui-1ux8qv4-ActionContent-ActionSection"><h3 class="mui-kbl4c7-ActionContent-SideHeader">{L["impact"]}</h3>'
                     f'<div><div class="d-flex">{svg()}{svg()}{svg()}<strong class="ml-2">{E(spec["impact"][1])}</strong></div></div></div>')
    if spec["schedule"]:
        aside.append(f'<div class="mui-1ux8qv4-ActionContent-ActionSection"><h3 class="mui-4emdag-ActionScheduleBlock-SideHeader">{L["timeline"]}</h3>'
                     f'<div role="presentation"><span class="visually-hidden">{spec["schedule"][0][0][:4]} - {spec["schedule"][-1][1][:4]}</span>'
                     f'<div aria-hidden="true"><!--$!--><template data-dgst="BAILOUT_TO_CLIENT_SIDE_RENDERING"></template><!--/$--></div></div></div>')
    lis = []
    for oid, ab, nm, role in spec["parties"]:
        label = f"{ab} {nm}" if role == "PRIMARY" else f'{L["primary_prefix"]}: {ab} {nm}'
        size = "lg" if role == "PRIMARY" else "sm"
        lis.append(f'<li class="mui-ge0s7t-ResponsibleList-ResponsibleItem"><a href="{prefix}/organizations/{oid}"><span id="bttorg-{oid.replace(":", "").lower()}">'
                   f'<button class="mui-aqzkyn" type="button"><span class="{size} mui-18klj9z-BadgeTooltip-StyledBadge" aria-label="{E(label)}">{E(ab)}</span></button></span></a></li>')
    if lis:
        aside.append(f'<div class="mui-1ux8qv4-ActionContent-ActionSection"><div class="mui-15t4yd2-ResponsibleList-Responsibles"><h3>{L["responsible"]}</h3>'
                     f'<ul class="mui-bonzek-ResponsibleList-ResponsiblesList">{"".join(lis)}</ul></div></div>')
    people = []
    for i, (pid, fn, ln, title, org) in enumerate(spec["contacts"]):
        label = f'{L["main"]} {fn} {ln}' if i == 0 else f" {fn} {ln}"
        people.append(f'<li><div class="mui-vsjki0-ContactPerson-Person"><div role="img" src="https://api.example.org/media/avatars/{pid}.jpg" aria-label="{E(label)}" class="mui-x3vdol-ContactPerson-Avatar"></div>'
                      f'<div class="mui-xx13ev-ContactPerson-PersonDetails"><div class="mui-11lhb7v-ContactPerson-Name">{E(fn)} {E(ln)}</div>'
                      f'<div class="mui-su8ccw-ContactPerson-PersonRole">{E(title or "")}</div><div class="mui-1jaa8ro-ContactPerson-PersonOrg">{E(org)}</div>'
                      f'<button type="button" aria-expanded="false" aria-controls="contact-{pid}" class="btn btn-link btn-sm">Kontaktinformation{svg()}</button>'
                      f'<div id="contact-{pid}" class="collapse"></div></div></div></li>')
    if people:
        aside.append(f'<div class="mui-1ux8qv4-ActionContent-ActionSection"><h3 class="mui-87zaov-ContactPersons-SectionHeader">{L["contacts"]}</h3>'
                     f'<ul class="mui-722fg6-ContactPersons-ContactList">{"".join(people)}</ul></div>')
    aside.append(f'<div class="mui-1ux8qv4-ActionContent-ActionSection"><div class="mui-1tu1vr1-ActionContent-LastUpdated e13jics0">'
                 f'{L["updated"]}<!-- --> <!-- -->{fmt_date(spec["updated_day"], lang, padded=False)}</div></div>')
    pager = ('<div class="container"><div class="mui-1m6nc4h-ActionPager-Pager">'
             + (f'<a href="{prefix}/actions/{spec["previous"]}"><button class="btn btn-outline-primary">{svg()}{L["prev"]}</button></a>' if spec["previous"] else "")
             + (f'<a href="{prefix}/actions/{spec["next"]}"><button class="btn btn-outline-primary">{L["next"]}{svg()}</button></a>' if spec["next"] else "")
             + "</div></div>")
    page = (f'<div data-testid="action-page">{hero}<div class="mui-oz8fom-ActionContent-StyledContentGrid container">'
            f'<div class="mui-ufckbe-ActionContent-StyledMainTop">{"".join(top)}</div>'
            f'<div class="mui-ze0r5e-ActionContent-StyledMainBottom col">{"".join(bottom)}</div>'
            f'<div class="mui-z5oi3x-ActionContent-StyledAside">{"".join(aside)}</div></div>{pager}</div>')
    data = rsc_scripts(spec, task_format) if with_json else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charSet="utf-8"/><meta name="env" content="BUILD_ID=kw2-63a8c4bf"/>'
            f'<title>{E(spec["name"])} | Ilmastovahti</title></head><body><div class="root">'
            f'<main id="main" data-testid="root-layout"><!--$?--><template id="B:4"></template><div aria-busy="true" role="progressbar">'
            f'<div class="visually-hidden">{L["loading"]}</div></div><!--/$--></main>'
            f'<footer class="site-footer"><a href="{prefix}/">Ilmastovahti</a></footer></div>'
            f'<div hidden id="S:4">{page}</div><script>$RC("B:4","S:4")</script>{data}</body></html>')
