#!/usr/bin/env python3
# Drafts docs/schema/NAME.schema.json from sample outputs of a command: the union of the types seen,
# required = present in every sample. Usage: schema-infer.py NAME TITLE DESCRIPTION OUT.json...
# then scripts/schema-defs.py docs/schema/NAME.schema.json; review the diff by hand.
# A field null in every sample is drafted as type null: give it its real type (Option<String> is ["string", "null"]).
import json, sys, glob, collections
def tname(v):
    if v is None: return "null"
    if isinstance(v,bool): return "boolean"
    if isinstance(v,int): return "integer"
    if isinstance(v,float): return "number"
    if isinstance(v,str): return "string"
    if isinstance(v,list): return "array"
    return "object"
SHARED={}
# Keys whose values share one schema, wherever they appear: (parent key, key) -> def name.
UNIFY={("metrics","*"):"metric_comparison",("ROOT","aggregated"):"endpoint_comparison",("ROOT","endpoints[]"):"endpoint_comparison",
       ("ROOT","baseline"):"run_info",("ROOT","latest"):"run_info",("ROOT","spreads_baseline[]"):"spread",("ROOT","spreads_latest[]"):"spread"}
class Node:
    def __init__(s, key=None): s.key=key; s.types=set(); s.props=collections.OrderedDict(); s.seen=0; s.present=collections.Counter(); s.items=None; s.defname=None
    def add(s,v):
        t=tname(v); s.types.add(t)
        if t=="object":
            s.seen+=1
            for k,x in v.items():
                s.present[k]+=1
                parent = s.key or "ROOT"
                name = (UNIFY.get((parent, "*")) or UNIFY.get((parent, k))) if MODE=="compare" else None
                list_name = UNIFY.get((parent, k + "[]")) if MODE=="compare" else None
                if list_name and isinstance(x, list):
                    node = s.props.setdefault(k, Node(k))
                    if node.items is None:
                        node.items = SHARED.setdefault(list_name, Node(k)); node.items.defname = list_name
                    node.add(x)
                    continue
                if name:
                    node = SHARED.setdefault(name, Node(k)); node.defname = name
                    s.props[k] = node
                else:
                    node = s.props.setdefault(k, Node(k))
                node.add(x)
        elif t=="array":
            if s.items is None: s.items=Node(s.key)
            for x in v: s.items.add(x)
    def schema(s, inline=False):
        if s.defname and not inline:
            return {"$ref": f"#/$defs/{s.defname}"}
        types=set(s.types)
        if "integer" in types and "number" in types: types.discard("integer")
        out={}
        tl=sorted(types, key=lambda t:["object","array","string","number","integer","boolean","null"].index(t))
        if tl: out["type"]=tl[0] if len(tl)==1 else tl
        if "object" in types:
            out["properties"]={k:n.schema() for k,n in s.props.items()}
            req=[k for k in s.props if s.present[k]==s.seen]
            if req: out["required"]=req
        if "array" in types and s.items is not None and s.items.types:
            out["items"]=s.items.schema()
        return out
name, title, desc = sys.argv[1], sys.argv[2], sys.argv[3]
MODE=name
root=Node(None)
for f in sys.argv[4:]:
    root.add(json.load(open(f)))
sch={"$schema":"https://json-schema.org/draft/2020-12/schema","$id":f"https://perfreport.invalid/schema/{name}.schema.json","title":title,"description":desc}
sch.update(root.schema())
if SHARED:
    sch["$defs"]={n: node.schema(inline=True) for n,node in SHARED.items()}
json.dump(sch, open(f"/work/main/docs/schema/{name}.schema.json","w"), indent=2)
print(name, len(json.dumps(sch)))
