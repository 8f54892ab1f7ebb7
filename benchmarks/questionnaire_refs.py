"""The standards references of questionnaire rows (evals/questionnaire_refs, written blind, keyed to SOC 2 and
ISO/IEC 27001:2022): does a filled row cite an item that covers its practice?

Each row is answered as `trustdesk questionnaire fill` answers it (Assistant.answer_for_company, for the sample
company), and as a standards question with no tenant (Assistant.ask); the dense-only and BM25-only baselines rank
the standards index's documents for the same text. Printed for each, in one run:

- refs@5: an acceptable SOC 2 or ISO item among the first five standards citations (or documents);
- both@5: an acceptable SOC 2 criterion and an acceptable ISO item, both among them.

Prints figures only, overall and by row kind.

    python benchmarks/questionnaire_refs.py [--limit N]
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from questionnaire_blind import TENANT, rows_and_assistant  # the shared set-up of the blind questionnaire benchmarks

ROWS = Path(__file__).resolve().parents[1] / "evals" / "questionnaire_refs" / "rows.yaml"
STANDARDS = ("soc2", "iso27001")
TOP = 5


def _standards_cited(answer) -> list[str]:
    return [c.id for c in answer.citations if c.framework in STANDARDS][:TOP]


def _ranked(retriever, text: str, mode: str) -> list[str]:
    docs = []
    for ev in retriever.top_chunks(text, k=40, mode=mode):
        if ev.framework in STANDARDS and ev.doc_id not in docs:
            docs.append(ev.doc_id)
    return docs[:TOP]


def _score(found: list[str], row: dict) -> tuple[float, float]:
    soc2, iso = set(row["soc2"]), set(row["iso"])
    return float(bool(set(found) & (soc2 | iso))), float(bool(set(found) & soc2) and bool(set(found) & iso))


def main() -> None:
    rows, assistant, _ = rows_and_assistant(ROWS, __doc__.splitlines()[0])
    retriever = assistant.retriever()
    systems = {
        "fill (answer_for_company)": lambda text: _standards_cited(assistant.answer_for_company(text, TENANT)),
        "ask, no tenant": lambda text: _standards_cited(assistant.ask(text)),
        "dense only": lambda text: _ranked(retriever, text, "dense"),
        "BM25 only": lambda text: _ranked(retriever, text, "bm25"),
    }
    scores: dict[str, dict[str, list[tuple[float, float]]]] = {name: defaultdict(list) for name in systems}
    for row in rows:
        for name, system in systems.items():
            result = _score(system(row["text"]), row)
            scores[name][row["kind"]].append(result)
            scores[name]["all"].append(result)
    kinds = ["all"] + sorted({r["kind"] for r in rows})
    print(f"{len(rows)} rows; refs@5 / both@5")
    print(f"{'system':28}" + "".join(f"{k + f' ({len(scores[next(iter(systems))][k])})':>22}" for k in kinds))
    for name in systems:
        cells = []
        for k in kinds:
            got = scores[name][k]
            cells.append(f"{sum(a for a, _ in got) / len(got):.3f} / {sum(b for _, b in got) / len(got):.3f}")
        print(f"{name:28}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
