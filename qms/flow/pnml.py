"""The process map as a Petri net (PNML), for process-mining tools (PM4Py's token-based replay).

Each step is a visible transition labelled with its id, between its own input and output places. A
step with several next steps and no ``parallel`` flag is an exclusive choice (one silent transition
per next step); a ``parallel: true`` step forks (one silent transition putting a token on every
branch), and the step where the branches meet waits for one token from each branch. End steps (and
steps without next steps) lead to the final place; the start steps take the initial token.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from qms.flow.procmap import ProcMap


def _join_of(m: ProcMap, fork: str) -> tuple[str | None, list[frozenset[str]]]:
    heads = sorted(m.succ[fork])
    areas = [m.reach[h] | {h} for h in heads]
    common = frozenset.intersection(*areas)
    joins = [s for s in common if not any(s in m.reach[o] for o in common if o != s)]
    return (sorted(joins)[0] if joins else None), [a - common for a in areas]


def to_pnml(m: ProcMap) -> str:
    """The workflow net of one process map, as PNML text (initial marking: one token in ``source``;
    final marking: one token in ``sink``)."""
    places: list[str] = ["source", "sink"]
    transitions: list[tuple[str, str | None]] = []  # id, label (None: silent)
    arcs: list[tuple[str, str]] = []
    # AND-joins: join step -> one input place per branch, and which branch each step belongs to
    join_inputs: dict[str, dict[str, str]] = {}
    for fork in m.ids:
        step = m.process.step(fork)
        if step is None or not step.parallel or len(m.succ[fork]) < 2:
            continue
        join, branches = _join_of(m, fork)
        if join is None:
            continue
        for i, area in enumerate(branches):
            place = f"in_{join}_{fork}_{i}"
            places.append(place)
            for s in area:
                join_inputs.setdefault(join, {})[s] = place
            if not area:  # a branch that goes straight from the fork to the join
                join_inputs.setdefault(join, {})[f"{fork}#{i}"] = place
    for sid in m.ids:
        places += [f"p_{sid}", f"o_{sid}"]
        transitions.append((f"t_{sid}", sid))
        arcs += [(f"t_{sid}", f"o_{sid}")]
        if sid in join_inputs:
            arcs += [(place, f"t_{sid}") for place in sorted(set(join_inputs[sid].values()))]
        else:
            arcs.append((f"p_{sid}", f"t_{sid}"))

    def target(src: str, nxt: str) -> str:
        inputs = join_inputs.get(nxt)
        return inputs.get(src, f"p_{nxt}") if inputs else f"p_{nxt}"

    for sid in m.ids:
        step = m.process.step(sid)
        succ = sorted(m.succ[sid])
        if sid in m.starts:
            transitions.append((f"start_{sid}", None))
            arcs += [("source", f"start_{sid}"), (f"start_{sid}", f"p_{sid}")]
        if not succ or sid in m.ends:
            transitions.append((f"end_{sid}", None))
            arcs += [(f"o_{sid}", f"end_{sid}"), (f"end_{sid}", "sink")]
        if not succ:
            continue
        if step is not None and step.parallel and len(succ) > 1:
            tau = f"fork_{sid}"
            transitions.append((tau, None))
            arcs.append((f"o_{sid}", tau))
            join, _b = _join_of(m, sid)
            for i, nxt in enumerate(sorted(m.succ[sid])):
                arcs.append((tau, join_inputs[join][f"{sid}#{i}"] if nxt == join and join in join_inputs
                             else target(sid, nxt)))
            continue
        for nxt in succ:
            tau = f"go_{sid}_{nxt}"
            transitions.append((tau, None))
            arcs += [(f"o_{sid}", tau), (tau, target(sid, nxt))]
    out = ['<?xml version="1.0" encoding="UTF-8"?>', "<pnml>",
           f'<net id={quoteattr(m.process.id)} type="http://www.pnml.org/version-2009/grammar/pnmlcoremodel">',
           f"<name><text>{_text(m.process.id)}</text></name>", '<page id="page">']
    for p in places:
        mark = "<initialMarking><text>1</text></initialMarking>" if p == "source" else ""
        out.append(f"<place id={quoteattr(p)}><name><text>{_text(p)}</text></name>{mark}</place>")
    for tid, label in transitions:
        if label is None:
            out.append(f'<transition id={quoteattr(tid)}><name><text>{_text(tid)}</text></name>'
                       f'<toolspecific tool="ProM" version="6.4" activity="$invisible$" localNodeID={quoteattr(tid)}/>'
                       "</transition>")
        else:
            out.append(f"<transition id={quoteattr(tid)}><name><text>{_text(label)}</text></name></transition>")
    for i, (src, dst) in enumerate(arcs):
        out.append(f'<arc id="a{i}" source={quoteattr(src)} target={quoteattr(dst)}/>')
    out += ["</page>", '<finalmarkings><marking><place idref="sink"><text>1</text></place></marking></finalmarkings>',
            "</net>", "</pnml>"]
    return "\n".join(out) + "\n"


def _text(value: str) -> str:
    from xml.sax.saxutils import escape

    return escape(value)
