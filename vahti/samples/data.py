"""The data a sample page embeds: the Action as GraphQL answers it, Apollo caches, the RSC payload."""

from __future__ import annotations

import html
import json
from typing import Any


def paras(ps: list[str] | None) -> str:
    """Paragraphs as the platform's rich text sends them (HTML)."""
    return "\n".join(f"<p>{html.escape(p)}</p>" for p in ps or [])


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
        "previousAction": ({"__typename": "Action", "id": "p", "identifier": spec["previous"]}
                           if spec["previous"] else None),
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
    if gen == "app-router":
        a["plan"] = {"__typename": "Plan", "id": "hnh2035", "name": spec["plan"]}  # as the 2026 payload carries it
        log = spec.get("change_log")
        a["changeLogMessage"] = {
            "__typename": "ActionChangeLogMessage", "content": log[3], "updatedAt": log[0],
            "createdBy": {"__typename": "Person", "firstName": log[1], "lastName": log[2], "avatarUrl": None},
        } if log else None
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
