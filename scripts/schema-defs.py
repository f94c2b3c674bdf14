#!/usr/bin/env python3
# Moves repeated sub-schemas of a drafted schema into $defs and adds the enums of known string fields.
import json, sys, collections
ENUMS = {
  "verdict": ["regressed","improved","unchanged","new","removed"],
  "mode": ["single","groups"],
  "judgement": ["significant","not_significant","below_threshold","too_few_requests","not_available","not_selected","shown_only"],
  "kind": ["missing","changed","extra","bad_manifest","unreadable"],
}
def walk(s, path, counter, seen):
    if isinstance(s, dict):
        if "properties" in s:
            for k, v in s["properties"].items():
                walk(v, path+[k], counter, seen)
            key = json.dumps(s, sort_keys=True)
            counter[key] += 1
            seen.setdefault(key, path[-1] if path else "root")
        if "items" in s:
            walk(s["items"], path, counter, seen)
def replace(s, defs_by_key, top=False):
    if isinstance(s, dict):
        if "properties" in s:
            for k in list(s["properties"]):
                s["properties"][k] = replace(s["properties"][k], defs_by_key)
        if "items" in s:
            s["items"] = replace(s["items"], defs_by_key)
        key = json.dumps(s, sort_keys=True) if not top else None
        if key in defs_by_key:
            return {"$ref": f"#/$defs/{defs_by_key[key]}"}
    return s
p = sys.argv[1]
ONLY = {"verify": ["kind"], "compare": ["verdict", "mode", "judgement"]}
stem = p.rsplit("/", 1)[-1].split(".")[0]
ENUMS = {k: v for k, v in ENUMS.items() if k in ONLY.get(stem, [])}
sch = json.load(open(p))
counter, seen = collections.Counter(), {}
walk(sch, [], counter, seen)
defs, by_key, used = {}, {}, set()
# Largest first, so nested repeats collapse inside their parents.
for key, n in sorted(counter.items(), key=lambda kv: -len(kv[0])):
    if n < 2: continue
    name = seen[key]
    base, i = name, 2
    while name in used: name = f"{base}{i}"; i += 1
    used.add(name); by_key[key] = name
for key, name in by_key.items():
    d = json.loads(key)
    defs[name] = replace(d, {k: v for k, v in by_key.items() if k != key})
sch = replace(sch, by_key, top=True)
def enums(s):
    if isinstance(s, dict):
        for k, v in s.get("properties", {}).items():
            if k in ENUMS and isinstance(v, dict) and v.get("type") in ("string", ["string","null"]):
                v["enum"] = ENUMS[k] + ([None] if v.get("type") != "string" else [])
            enums(v)
        if "items" in s: enums(s["items"])
        for v in s.get("$defs", {}).values(): enums(v)
if defs:
    kept = {k: replace(v, by_key, top=True) for k, v in sch.get("$defs", {}).items()}
    sch["$defs"] = {**kept, **defs}
enums(sch)
json.dump(sch, open(p, "w"), indent=2); open(p, "a").write("\n")
print(p, len(json.dumps(sch)))
