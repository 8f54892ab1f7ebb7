"""The regression gate: the golden set through the default extractive trustdesk, against evals/thresholds.yaml
and the accepted per-category metrics in evals/accepted.json."""

from __future__ import annotations

import pytest

from bot import Settings
from evals.golden import CATEGORIES, load_golden
from evals.runner import evaluate, gate, load_accepted
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow


def test_golden_set_is_large_and_covers_every_category_and_id():
    cases = load_golden()
    assert len(cases) >= 300
    by_category = {c: [x for x in cases if x.category == c] for c in CATEGORIES}
    assert all(by_category[c] for c in CATEGORIES), [c for c in CATEGORIES if not by_category[c]]
    from ingest.catalog import ISO_CLAUSE_IDS, ISO_CONTROL_IDS, SOC2_IDS

    by_id = {c.expect.citations[0] for c in by_category["soc2_lookup"] if c.id.startswith("soc2-id-")}
    by_description = {c.expect.citations[0] for c in by_category["soc2_lookup"] if c.id.startswith("soc2-desc-")}
    assert by_id == set(SOC2_IDS) and by_description == set(SOC2_IDS), "every criterion by ID and by description"
    iso = {c.expect.citations[0] for c in by_category["iso_lookup"]}
    assert set(ISO_CLAUSE_IDS) <= iso
    assert len(iso & set(ISO_CONTROL_IDS)) >= 60


def test_expected_citations_name_real_documents():
    from ingest.load import load_company, load_corpus

    known = {d.meta.id for d in load_corpus(CORPUS)} | {d.meta.id for d in load_company(CORPUS / "examples" / "northwind")}
    for case in load_golden():
        for doc in case.expect.citations + case.expect.required_citations:
            assert doc in known, f"{case.id}: {doc} is not a corpus document"


def test_gate(standards_data):
    report = evaluate(Settings(data_dir=standards_data, corpus_dir=CORPUS), systems=("trustdesk",))
    failures = gate(report, load_accepted())
    assert failures == [], "\n".join(failures)


def test_the_frozen_sets_load_and_name_real_documents():
    """The blind sets and the NIST check load as cases whose keys are documents of the corpus."""
    from evals.golden import load_set
    from ingest.catalog import CATALOG

    blind, holdout2, holdout3, holdout4, holdout5, holdout6, nist = (
        load_set(name) for name in ("blind", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "nist"))
    assert len(blind) >= 300 and all(c.route for c in blind)
    assert len(holdout2) == 158 and all(c.route for c in holdout2)
    assert len(holdout3) == 79 and all(c.route for c in holdout3)
    assert len(holdout4) == 265 and all(c.route for c in holdout4)
    assert len(holdout5) == 279 and all(c.route for c in holdout5)
    assert len(holdout6) == 270 and all(c.route for c in holdout6)
    ids = [c.id for c in (*blind, *holdout2, *holdout3, *holdout4, *holdout5, *holdout6)]
    assert len(ids) == len(set(ids))
    assert len(nist) >= 100 and all(set(c.expect.citations) <= set(CATALOG) for c in nist)
    with pytest.raises(ValueError, match="unknown case set"):
        load_set("tuned")
