"""Audit checklists generated from the process map and the ISO 9001:2015 clauses it addresses.

Questions are specific to the process (its steps, who does them and how long they may take; its
forms, records, KPIs, risks and legal time limit) and are followed by generic questions for every
clause in scope, from the bilingual question bank shipped in ``data/questions.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from qms.analysis.people import Directory
from qms.i18n import format_number
from qms.models.audit import AuditPlan, ChecklistItem
from qms.models.common import Duration, Retention, Text, parse_retention_text
from qms.models.organisation import Manifest
from qms.models.process import Process
from qms.standards import normalise_clause
from qms.store.workspace import Workspace

SAMPLE_SIZE = 5


@dataclass(frozen=True, slots=True)
class BankQuestion:
    clause: str
    question: Text
    evidence: Text | None


@cache
def question_bank() -> dict[str, list[BankQuestion]]:
    """Generic questions per clause (package data)."""
    text = (resources.files("qms.auditing") / "data" / "questions.yaml").read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    bank: dict[str, list[BankQuestion]] = {}
    for clause, items in data["questions"].items():
        key = str(clause)
        for item in items:
            ev = item.get("evidence")
            bank.setdefault(key, []).append(BankQuestion(
                key, Text(vi=item["vi"], en=item["en"]), Text.model_validate(ev) if ev else None))
    return bank


def generic_questions(clause: str) -> list[BankQuestion]:
    """Questions for ``clause`` and its sub-clauses; without questions of its own, also those of the
    nearest parent clause (``7.5.3`` gets ``7.5.3.2`` and ``7.5``)."""
    bank = question_bank()
    cid = normalise_clause(clause)
    found = [q for key, qs in bank.items() if key == cid or key.startswith(cid + ".") for q in qs]
    if cid in bank:
        return found
    parts = cid.split(".")
    while len(parts) > 1:
        parts.pop()
        parent = ".".join(parts)
        if parent in bank:
            return [*bank[parent], *found]
    return found


# -- wording helpers -------------------------------------------------------------------------------


def duration_text(d: Duration) -> Text:
    if d.calendar_days:
        return Text(vi=f"{d.calendar_days} ngày (tính theo ngày lịch)", en=f"{d.calendar_days} calendar days")
    vi: list[str] = []
    en: list[str] = []
    if d.days:
        vi.append(f"{format_number(d.days, 'vi')} ngày làm việc")
        en.append(f"{format_number(d.days, 'en')} working day" + ("" if d.days == 1 else "s"))
    if d.hours:
        vi.append(f"{format_number(d.hours, 'vi')} giờ làm việc")
        en.append(f"{format_number(d.hours, 'en')} working hour" + ("" if d.hours == 1 else "s"))
    return Text(vi=" ".join(vi) or "0 ngày", en=" ".join(en) or "0 days")


def retention_text(retention: Retention | str) -> Text:
    """The retention period as it reads inside a sentence ("lưu giữ 5 năm", "kept for 5 years")."""
    if isinstance(retention, Retention):
        value: Retention | None = retention
    else:
        parsed = parse_retention_text(retention)
        value = parsed[0] if parsed is not None else None
    if value is None:
        text = str(retention).strip()
        return Text(vi=text, en=f"for {text}")
    if value.permanent:
        return Text(vi="vĩnh viễn", en="permanently")
    if value.until_superseded:
        return Text(vi="đến khi được thay thế", en="until superseded")
    return Text(vi=value.text("vi"), en="for " + value.text("en"))


FREQUENCY = {
    "daily": ("hằng ngày", "daily"),
    "weekly": ("hằng tuần", "weekly"),
    "monthly": ("hằng tháng", "monthly"),
    "quarterly": ("hằng quý", "quarterly"),
    "yearly": ("hằng năm", "yearly"),
}


def who(resp: str, directory: Directory, proc: Process) -> Text:
    """The role, unit or agency behind an id, with an article-free title."""
    if resp in directory.roles:
        return directory.roles[resp].title
    if resp in directory.units:
        return directory.units[resp].name
    if proc.administrative:
        for a in proc.administrative.agencies:
            if a.id == resp:
                return a.name
    return Text(vi=resp, en=resp)


def tracking_log(manifest: Manifest | None, proc: Process) -> Text:
    forms = [*proc.forms, *(manifest.forms if manifest else [])]
    for f in forms:
        if "tracking log" in f.title.en.lower() or "sổ theo dõi" in f.title.vi.lower():
            return Text(vi=f"sổ theo dõi hồ sơ ({f.code})", en=f"the dossier tracking log ({f.code})")
    return Text(vi="sổ theo dõi hồ sơ", en="the dossier tracking log")


def _form_title(code: str, manifest: Manifest | None, proc: Process) -> Text | None:
    for f in [*proc.forms, *(manifest.forms if manifest else [])]:
        if f.code == code:
            return f.title
    return None


# -- generation ----------------------------------------------------------------------------------


def process_questions(proc: Process, manifest: Manifest | None,
                      directory: Directory | None = None) -> list[tuple[str, str, Text]]:
    """(clause, source, question) for one process (``directory``: the index of ``manifest``'s people)."""
    out: list[tuple[str, str, Text]] = []
    log = tracking_log(manifest, proc)
    directory = directory or Directory.of(manifest)
    n = SAMPLE_SIZE
    dossiers = proc.administrative is not None
    # an administrative procedure is sampled from its dossiers; other processes from their own records
    step_clause = "8.5.1" if dossiers else (normalise_clause(proc.clauses[0]) if proc.clauses else "4.4.1")
    for step in proc.steps:
        name = step.name
        if dossiers:
            sample = Text(vi=f"Lấy mẫu {n} hồ sơ từ {log.vi}.", en=f"Sample {n} dossiers from {log.en}.")
        elif step.records:
            recs = ", ".join(step.records)
            sample = Text(vi=f"Xem {n} hồ sơ {recs} gần nhất.", en=f"Check the {n} latest {recs} records.")
        else:
            sample = Text(vi=f"Xem bằng chứng của {n} lần thực hiện gần nhất.",
                          en=f"Check the evidence of the {n} latest times it was done.")
        if step.responsible and step.duration:
            r = who(step.responsible, directory, proc)
            d = duration_text(step.duration)
            q = Text(
                vi=f"Bước {step.id} '{name.vi}' có do {r.vi} thực hiện trong vòng {d.vi} không? {sample.vi}",
                en=f"Is step {step.id} '{name.en}' done by the {r.en} within {d.en}? {sample.en}")
        elif step.responsible:
            r = who(step.responsible, directory, proc)
            q = Text(vi=f"Bước {step.id} '{name.vi}' có do {r.vi} thực hiện như quy trình mô tả không? {sample.vi}",
                     en=f"Is step {step.id} '{name.en}' done by the {r.en} as the procedure says? {sample.en}")
        else:
            continue
        out.append((step_clause, f"steps/{step.id}", q))
        if step.decision is not None:
            dq = step.decision.question
            out.append(("8.6" if dossiers else step_clause, f"steps/{step.id}/decision", Text(
                vi=f"Quyết định '{dq.vi}' tại bước {step.id} có được ghi nhận và các hướng xử lý có đúng quy trình "
                   f"không (kể cả trường hợp không đạt)?",
                en=f"Is the decision '{dq.en}' at step {step.id} recorded, and is each branch followed as the "
                   f"procedure says (including the cases that fail)?")))
        if step.handover_to:
            a = who(step.handover_to, directory, proc)
            out.append(("8.4", f"steps/{step.id}/handover_to", Text(
                vi=f"Hồ sơ có được chuyển cho {a.vi} tại bước {step.id} và được theo dõi thời hạn không?",
                en=f"Are dossiers handed over to {a.en} at step {step.id}, and is their time limit tracked?")))
    adm = proc.administrative
    if adm is not None:
        d = duration_text(adm.time_limit)
        out.append(("8.5.1", "administrative/time_limit", Text(
            vi=f"Hồ sơ có được giải quyết trong thời hạn luật định {d.vi} không? Đối chiếu ngày hẹn và ngày trả "
               f"kết quả của {n} hồ sơ trong {log.vi}.",
            en=f"Are dossiers resolved within the legal time limit of {d.en}? Compare the appointment and "
               f"return dates of {n} dossiers in {log.en}.")))
        place = adm.place or Text(vi="Bộ phận Một cửa", en="the one-stop desk")
        code = f" {adm.code}" if adm.code else ""
        out.append(("8.2.1", "administrative", Text(
            vi=f"Thành phần hồ sơ, thời hạn và phí, lệ phí của thủ tục{code} có được niêm yết đúng, đủ tại "
               f"{place.vi} và trên Cổng dịch vụ công không?",
            en=f"Are the dossier requirements, time limit and fees of procedure{code} posted correctly at "
               f"{place.en} and on the public-service portal?")))
    legal = [r.id for r in proc.references if r.legal_basis]
    if legal:
        refs = "; ".join(legal)
        out.append(("8.2.2", "references", Text(
            vi=f"Quy trình có phù hợp với căn cứ pháp lý hiện hành ({refs}) không; có văn bản mới thay thế không?",
            en=f"Is the procedure consistent with its current legal basis ({refs}), and has any of it been "
               f"replaced?")))
    codes: list[str] = []
    for f in proc.forms:
        codes.append(f.code)
    for step in proc.steps:
        codes.extend(c for c in step.forms if c not in codes)
    for code in dict.fromkeys(codes):
        title = _form_title(code, manifest, proc) or Text(vi=code, en=code)
        out.append(("7.5.3", f"forms/{code}", Text(
            vi=f"Biểu mẫu {code} '{title.vi}' có được dùng đúng phiên bản hiện hành và điền đầy đủ trong "
               f"{n} hồ sơ lấy mẫu không?",
            en=f"Is form {code} '{title.en}' used in its current version and filled in completely in the "
               f"{n} sampled dossiers?")))
    for rec in proc.records:
        keep = retention_text(rec.retention)
        out.append(("7.5.3.2", f"records/{rec.code}", Text(
            vi=f"Hồ sơ {rec.code} '{rec.title.vi}' có được lưu giữ {keep.vi} tại {rec.location.vi} như quy định "
               f"và truy xuất được không?",
            en=f"Are records {rec.code} '{rec.title.en}' kept {keep.en} at the stated location "
               f"({rec.location.en}) and can they be retrieved?")))
    for kpi in proc.kpis:
        fvi, fen = FREQUENCY[kpi.frequency]
        out.append(("9.1.1", f"kpis/{kpi.id}", Text(
            vi=f"Chỉ tiêu {kpi.id} '{kpi.name.vi}' có được đo lường {fvi} và so sánh với mục tiêu {kpi.target} "
               f"không? Xem kết quả của các kỳ gần nhất.",
            en=f"Is the KPI {kpi.id} '{kpi.name.en}' measured {fen} and compared with its target {kpi.target}? "
               f"Look at the latest periods.")))
    for risk in proc.risks:
        kind_vi, kind_en = ("rủi ro", "risk") if risk.kind == "risk" else ("cơ hội", "opportunity")
        treat = risk.treatment
        tvi = f" ({treat.vi})" if treat else ""
        ten = f" ({treat.en})" if treat else ""
        out.append(("6.1.2", f"risks/{risk.id}", Text(
            vi=f"Biện pháp xử lý {kind_vi} {risk.id} '{risk.description.vi}'{tvi} có được thực hiện và xem xét "
               f"hiệu lực không?",
            en=f"Is the action on {kind_en} {risk.id} '{risk.description.en}'{ten} in place, and has its "
               f"effectiveness been reviewed?")))
    return out


def generate(ws: Workspace, plan: AuditPlan) -> list[ChecklistItem]:
    """The checklist for an audit plan: process questions, then generic questions per clause."""
    manifest = ws.manifest
    directory = Directory.of(manifest)
    procs = {pid: p for pid, (_d, p) in ws.process_by_id().items()}
    rows: list[tuple[str, str | None, str, Text]] = []
    clauses: dict[str, str | None] = {}
    for pid in plan.processes:
        proc = procs.get(pid)
        if proc is None:
            continue
        for clause, source, q in process_questions(proc, manifest, directory):
            rows.append((clause, pid, source, q))
        for c in proc.clauses:
            clauses.setdefault(normalise_clause(c), pid)
    for c in plan.clauses:
        clauses.setdefault(normalise_clause(c), None)
    seen: set[str] = set()
    for clause, owner in clauses.items():
        for bq in generic_questions(clause):
            if bq.question.en in seen:
                continue
            seen.add(bq.question.en)
            q = bq.question
            if bq.evidence is not None:
                q = Text(vi=f"{q.vi} (Bằng chứng: {bq.evidence.vi})", en=f"{q.en} (Evidence: {bq.evidence.en})")
            rows.append((bq.clause, owner, f"clause/{bq.clause}", q))
    return [ChecklistItem(id=f"Q{i:02d}", clause=clause, process=pid, source=source, question=q)
            for i, (clause, pid, source, q) in enumerate(rows, start=1)]
