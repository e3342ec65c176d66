"""The step graph of a process: reachability, strongly connected components, loops without exit and
the longest path — the algorithms behind the QMS2xx process-map rules, usable by any other layer.

The graph has one node per step and an edge for every ``next`` and every decision branch. Unknown
targets are kept aside in ``dangling`` (QMS110 reports them); duplicate step ids use the first step
(QMS101 reports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qms.models.process import Process, Step


@dataclass(slots=True)
class StepGraph:
    """Steps of one process as a directed graph (ids in document order)."""

    order: list[str]
    index: dict[str, int]
    steps: dict[str, Step]
    succ: dict[str, list[str]]
    pred: dict[str, list[str]] = field(default_factory=dict)
    #: steps whose `next` or branches name a step that does not exist (QMS110 reports them)
    dangling: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, proc: Process) -> StepGraph:
        order: list[str] = []
        index: dict[str, int] = {}
        steps: dict[str, Step] = {}
        for i, s in enumerate(proc.steps):
            if s.id not in index:
                order.append(s.id)
                index[s.id] = i
                steps[s.id] = s
        succ: dict[str, list[str]] = {}
        dangling: set[str] = set()
        for sid in order:
            targets: list[str] = []
            for t in steps[sid].successors():
                if t not in steps:
                    dangling.add(sid)
                elif t not in targets:
                    targets.append(t)
            succ[sid] = targets
        pred: dict[str, list[str]] = {sid: [] for sid in order}
        for sid in order:
            for t in succ[sid]:
                pred[t].append(sid)
        return cls(order, index, steps, succ, pred, dangling)

    def starts(self) -> list[str]:
        return [s for s in self.order if self.steps[s].kind == "start"]

    def ends(self) -> list[str]:
        return [s for s in self.order if self.steps[s].kind == "end"]

    def reachable(self, roots: list[str], backwards: bool = False) -> set[str]:
        edges = self.pred if backwards else self.succ
        seen: set[str] = set(roots)
        stack = list(roots)
        while stack:
            node = stack.pop()
            for nxt in edges[node]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    def components(self) -> list[list[str]]:
        """Strongly connected components (Tarjan, iterative), each in document order."""
        counter = 0
        num: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        result: list[list[str]] = []
        for root in self.order:
            if root in num:
                continue
            work: list[tuple[str, int]] = [(root, 0)]
            num[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, i = work[-1]
                edges = self.succ[node]
                if i < len(edges):
                    work[-1] = (node, i + 1)
                    nxt = edges[i]
                    if nxt not in num:
                        num[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, 0))
                    elif nxt in on_stack:
                        low[node] = min(low[node], num[nxt])
                    continue
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == num[node]:
                    comp: list[str] = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    result.append(sorted(comp, key=self.index.__getitem__))
        return result

    def cycles_without_exit(self) -> list[list[str]]:
        """Loops (a component with a cycle) that no edge leaves."""
        out: list[list[str]] = []
        for comp in self.components():
            members = set(comp)
            looping = len(comp) > 1 or comp[0] in self.succ[comp[0]]
            if not looping:
                continue
            if all(t in members for s in comp for t in self.succ[s]):
                out.append(comp)
        out.sort(key=lambda c: self.index[c[0]])
        return out

    def longest_path(self, start: str, weight: dict[str, float]) -> tuple[float, list[str]]:
        """The heaviest path from ``start`` to an end step (or to a sink if there is no end step).

        Finding the longest *simple* path in a graph with cycles is NP-hard, and an exhaustive search
        is exponential. Procedures are small but branchy, so we bound the work instead: a depth-first
        search from the start (successors in written order) drops every back edge — an edge to a step
        still on the DFS stack, i.e. the edge that closes a loop — and what remains is a DAG on which
        dynamic programming in topological order finds the heaviest path in O(steps + edges). A loop
        is therefore traversed at most once, which is exactly the "cycles can't be traversed twice"
        rule; for the usual rework loop (a decision sending the dossier back) the result is exact.
        """
        back: set[tuple[str, str]] = set()
        post: list[str] = []
        state: dict[str, int] = {start: 1}  # 1 on stack, 2 done
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, i = work[-1]
            edges = self.succ[node]
            if i < len(edges):
                work[-1] = (node, i + 1)
                nxt = edges[i]
                if state.get(nxt) == 1:
                    back.add((node, nxt))
                elif nxt not in state:
                    state[nxt] = 1
                    work.append((nxt, 0))
                continue
            work.pop()
            state[node] = 2
            post.append(node)
        topo = list(reversed(post))
        best: dict[str, float] = {start: weight.get(start, 0.0)}
        via: dict[str, str] = {}
        for node in topo:
            if node not in best:
                continue
            for nxt in self.succ[node]:
                if (node, nxt) in back:
                    continue
                cand = best[node] + weight.get(nxt, 0.0)
                if nxt not in best or cand > best[nxt] + 1e-9:
                    best[nxt] = cand
                    via[nxt] = node
        targets = [s for s in self.ends() if s in best] or [s for s in best if not self.succ[s]]
        if not targets:
            return 0.0, []
        target = max(targets, key=lambda s: (best[s], -self.index[s]))
        path = [target]
        while path[-1] != start:
            path.append(via[path[-1]])
        path.reverse()
        return best[target], path
