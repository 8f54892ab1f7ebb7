"""Many conversations at once through one engine: every answer is the one its script gets alone, and no
tenant's facts reach another tenant (benchmarks/conversations.py runs the full 32 x 20 load and prints figures)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import conversations  # noqa: E402  (the benchmark module: the test runs the same load, smaller)


@pytest.fixture(scope="module")
def two_tenants(northwind_assistant, tmp_path_factory):
    from bot.sales.tenant import load_pack
    from ingest.records import Records

    records = Records.open(northwind_assistant.settings)
    load_pack(conversations.contoso_pack(tmp_path_factory.mktemp("contoso")), "contoso-load", records,
              northwind_assistant.store)
    records.dispose()
    return northwind_assistant


@pytest.mark.slow
def test_concurrent_conversations_answer_as_if_alone(two_tenants):
    figures = conversations.run(two_tenants, conversations=12, questions=8)
    assert figures["answered"] == 12 * 8
    assert figures["errors"] == [] and figures["crosstalk"] == []
    assert figures["references"] == 12  # every script differs: a follow-up answered from another's history shows


def test_the_script_really_follows_up_and_asks_both_tenants():
    steps = conversations.script(3, 8)
    assert steps[0] == ("What does CC6.3 require?", "CC6.3") and steps[1][0] == "what evidence do auditors want for it?"
    assert [s for _, s in steps].count(None) == 2 and conversations.tenant_of(3) != conversations.tenant_of(4)


def test_a_leaked_fact_counts_as_crosstalk(two_tenants, monkeypatch):
    real = two_tenants.ask

    def leaky(question, history=(), tenant=None):
        answer = real(question, history, tenant)
        if tenant == "contoso-load" and "hosted" in question:
            return answer.model_copy(update={"text": answer.text + " Also on AWS."})
        return answer

    monkeypatch.setattr(two_tenants, "ask", leaky)
    figures = conversations.run(two_tenants, conversations=2, questions=4)
    assert any("carries northwind's ['AWS']" in line for line in figures["crosstalk"]), figures["crosstalk"]
