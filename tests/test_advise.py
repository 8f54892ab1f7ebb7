"""The framework-fit advisor, table-driven: profiles in, recommendations and cited reasons out."""

from __future__ import annotations

import pytest

from bot.advise import Advisor
from bot.judge import supported
from ingest.load import load_corpus
from tests.conftest import CORPUS

advisor = Advisor.load()

# (what the user said, expected recommendation, expected first in order or None)
PROFILES = [
    (["We sell to US enterprises"], "soc2", "soc2"),
    (["Our customers are mostly American mid-market companies"], "soc2", "soc2"),
    (["A US prospect asked us for a SOC 2 report"], "soc2", "soc2"),
    (["We sell in Germany"], "iso27001", "iso27001"),
    (["Our customers are in the DACH region"], "iso27001", "iso27001"),
    (["We sell to French and Spanish retailers"], "iso27001", "iso27001"),
    (["Most customers are in the UK"], "iso27001", "iso27001"),
    (["We sell to Japanese manufacturers"], "iso27001", "iso27001"),
    (["Our market is Singapore and Australia"], "iso27001", "iso27001"),
    (["We sell worldwide"], "iso27001", "iso27001"),
    (["Customers on multiple continents, many of them multinationals"], "iso27001", "iso27001"),
    (["We sell in the US and Europe"], "both", None),
    (["We sell to banks in Germany and the US"], "both", None),
    (["US and Japan are our two markets"], "both", None),
    (["We sell to the UK and the United States"], "both", None),
    (["We are a US startup and a European customer requires ISO 27001"], "both", None),
    (["Our European buyers ask for ISO 27001"], "iso27001", "iso27001"),
    (["Our buyers in Europe require ISO 27001 and some US ones ask for SOC 2"], "both", None),
    (["We already have a SOC 2 report and now sell in Europe"], "both", None),
    (["We already have SOC 2 and sell only in the US"], "soc2", "soc2"),
    (["We are ISO 27001 certified and expanding into the US"], "both", None),
    (["We already hold ISO 27001 and sell in Germany"], "iso27001", "iso27001"),
    (["We have SOC 2 and we are ISO 27001 certified"], "both", None),
    (["US healthcare startup selling to hospitals"], "soc2", "soc2"),
    (["We sell to US federal agencies"], "soc2", "soc2"),
    (["Fintech selling to banks in the US"], "soc2", "soc2"),
    (["We sell to insurers in Europe"], "iso27001", "iso27001"),
    (["Canadian and US customers"], "soc2", "soc2"),
    (["Early-stage startup, our first enterprise prospect in the US asked for SOC 2, deal closes in 3 months"], "soc2", "soc2"),
    (["Should we do SOC 2 or ISO?", "mostly Europe", "and a few US customers too"], "both", None),
    (["Which framework?", "Our customers are in Japan"], "iso27001", "iso27001"),
    (["Which framework?", "We sell to American hospitals"], "soc2", "soc2"),
]


@pytest.mark.parametrize("said,recommendation,first", PROFILES, ids=[" | ".join(p[0])[:60] for p in PROFILES])
def test_profiles(said, recommendation, first):
    advice = advisor.advise(advisor.profile(said))
    assert advice.clarify is None
    assert advice.recommendation == recommendation, advice.scores
    if first:
        assert advice.order[0] == first
    assert advice.reasons, "every recommendation carries reasons"


@pytest.mark.parametrize("said", [["Should we do SOC 2 or ISO 27001?"], ["Which framework is right for us?"],
                                  ["We are a 40-person SaaS company"], ["We sell to hospitals"]])
def test_missing_market_asks_one_clarifying_question(said):
    advice = advisor.advise(advisor.profile(said))
    assert advice.recommendation is None and advice.clarify and advice.clarify.count("?") <= 2


def test_profile_fields():
    p = advisor.profile(["We're a fintech selling to banks in Germany and the US; a customer asked for ISO 27001; "
                         "we need it in 6 months. We already have a SOC 2 report."])
    assert p.markets == {"dach", "us"}
    assert "financial_services" in p.segments and p.industry == "financial services"
    assert p.customer_asks == {"iso27001"} and p.existing == {"soc2"}
    assert p.deadline_months == 6
    assert advisor.profile(["Which framework is right for us?"]).markets == set()


def test_deadline_in_weeks_and_tight_deadline_reason():
    p = advisor.profile(["US enterprise prospect wants SOC 2 within 8 weeks"])
    assert p.deadline_months == 2
    reasons = [r for r, _ in advisor.advise(p).reasons]
    assert any("Type 1" in r for r in reasons)


@pytest.fixture(scope="module")
def guidance():
    return {d.meta.id: d.body for d in load_corpus(CORPUS) if d.meta.framework == "guidance"}


def test_every_reason_is_supported_by_the_document_it_cites(guidance):
    for rule in advisor.data["rules"]:
        assert rule["cite"] in guidance, rule["id"]
        assert supported(rule["reason"], guidance[rule["cite"]]), f"{rule['id']}: reason not supported by {rule['cite']}"
    lead = advisor.data["clarify_lead"]
    assert supported(lead["reason"], guidance[lead["cite"]]), "the clarifying answer's rule of thumb"
    for scheme in advisor.data["schemes"]:
        assert supported(scheme["reason"], guidance[scheme["cite"]]), f"{scheme['id']}: not supported by {scheme['cite']}"


@pytest.mark.parametrize("said, scheme", [
    ("we sell to German automotive suppliers (Tier 1s) in Stuttgart", "TISAX"),
    ("our customers are Bundesbehörden and Landesministerien", "C5"),
    ("our buyers are insurers in Spain and Portugal", "DORA"),
    ("we run payroll for US mid-market companies", "SOC 1"),
    ("we sell to chaebol affiliates in Seoul", "ISMS-P"),
])
def test_a_scheme_some_buyers_require_is_named_beside_the_advice(said, scheme):
    named = " ".join(reason for reason, _ in advisor.schemes(advisor.profile([said]), [said]))
    assert scheme in named


def test_no_scheme_for_a_market_that_has_none():
    said = "our customers are US dental practices"
    assert advisor.schemes(advisor.profile([said]), [said]) == []


def test_comparison_and_roadmap_cite_existing_documents(guidance):
    for row in advisor.data["comparison"]:
        for cite in row["cite"]:
            assert cite in guidance
        assert supported(row["soc2"] + " " + row["iso27001"], " ".join(guidance[c] for c in row["cite"]), 0.5), row["aspect"]
    for steps in advisor.data["roadmap"].values():
        for step in steps:
            assert step["cite"] in guidance
    table, cites = advisor.comparison_table()
    assert table.count("\n") == len(advisor.data["comparison"]) + 1 and cites
    title, steps, _ = advisor.roadmap(["iso27001", "soc2"])
    plan = "\n".join([title] + steps)
    assert "estimate" in plan and "Reuse the controls already running for ISO/IEC 27001" in plan
    assert plan.index("Reuse") < plan.index("SOC 2 Type 1"), "reuse comes before the second framework's steps"


@pytest.mark.parametrize("question,aspect", [("which one takes longer?", "timeline"), ("which is cheaper", "cost"),
                                             ("who audits each", "auditor"), ("how often do they renew", "renewal"),
                                             ("what do we get at the end, a report or certificate?", "deliverable"),
                                             ("soc 2 exceptions vs iso major nonconformity, consequences?", "findings"),
                                             ("are both voluntary? neither is a law right", "obligation"),
                                             ("can one audit firm do both our soc 2 and iso audits?", "one_firm")])
def test_aspects(question, aspect):
    assert aspect in advisor.aspects(question)


@pytest.mark.parametrize("said,markets", [
    (["no US business at all, our customers are banks in brazil and mexico"], {"latam"}),
    (["we're based in London but sell almost exclusively to US tech companies"], {"us"}),
    (["~200 customers, nearly all American, and one in Ireland"], {"us"}),
    (["we sell to automotive suppliers in bavaria"], {"dach"}),
    (["retail brands in paris, milan and madrid"], {"europe"}),
    (["we don't sell in the US, only Europe"], {"europe"}),
])
def test_places_count_as_markets_only_where_customers_are(said, markets):
    assert advisor.profile(said).markets == markets


def test_a_question_of_ours_is_not_a_customer_asking():
    profile = advisor.profile(["our customers are all American. do we also need ISO 27001?"])
    assert profile.customer_asks == set()


def test_buyers_listing_both_ask_for_both():
    profile = advisor.profile(["their procurement portals have checkboxes for both SOC 2 Type 2 and ISO 27001"])
    assert profile.customer_asks == {"soc2", "iso27001"}
    assert advisor.advise(profile).recommendation == "both"


def test_no_us_business_means_iso():
    profile = advisor.profile(["fintech selling to banks in Brazil and Colombia, no US customers"])
    assert advisor.advise(profile).recommendation == "iso27001"


@pytest.mark.parametrize("said,expected", [
    (["We already have SOC 2, mostly US customers, and now 40% of the pipeline is in the EU"], "both"),
    (["We already have a SOC 2 report and now sell in Europe"], "both"),
    (["We are ISO 27001 certified, sell across Germany, and are opening the US market"], "both"),
])
def test_a_held_framework_with_customers_on_both_sides_means_both(said, expected):
    advice = advisor.advise(advisor.profile(said))
    assert advice.recommendation == expected
    if expected == "both":
        assert advice.order[0] == next(iter(advisor.profile(said).existing))


def test_words_about_the_standard_or_the_past_are_not_markets_or_deadlines():
    profile = advisor.profile(["we pivoted 18 months ago; ISO is the real international standard; customers are US brands"])
    assert profile.markets == {"us"} and profile.deadline_months is None


@pytest.mark.parametrize("said,expected", [
    # a held report is kept: the other side's buyers make it both
    (["we already have SOC 2 Type II. now about half of new pipeline is Germany and Austria"], "both"),
    (["we're a UK firm, ISO 27001 certified since 2022. our first customers in New York and Chicago ask for SOC 2"], "both"),
    # ... unless every customer is now on the other side
    (["we have SOC 2, but all of our customers are Bavarian mid-market companies now"], "iso27001"),
    (["our ISO 27001 certificate is current; all of our customers are property managers in Denver"], "soc2"),
])
def test_a_held_framework_is_kept_unless_every_customer_left_its_side(said, expected):
    assert advisor.advise(advisor.profile(said)).recommendation == expected


@pytest.mark.parametrize("said", [
    "French medtech selling to hôpitaux publics in Lyon; our lead investor wants SOC 2 because US VCs understand it",
    "All our customers are clinics in Lyon and Marseille. Our parent company is in Boston.",
])
def test_a_place_attached_to_an_investor_or_parent_company_is_not_a_market(said):
    profile = advisor.profile([said])
    assert "us" not in profile.markets
    assert advisor.advise(profile).recommendation == "iso27001"


def test_both_cites_the_guidance_on_running_both():
    advice = advisor.advise(advisor.profile(["half our customers are in Texas, half in Germany"]))
    assert advice.recommendation == "both"
    assert "pursuing-both-frameworks" in [cite for _, cite in advice.reasons]


@pytest.mark.parametrize("said,expected", [
    (["revenue is split roughly half us, half eu"], "both"),
    (["we're about 30% the netherlands, 70% us by revenue"], "both"),
    (["context: edtech, customers are US school districts", "a board member keeps saying iso 27001 looks better "
      "internationally", "we have no plans outside the us. which first?"], "soc2"),
])
def test_lowercase_us_after_a_share_and_a_board_members_pitch(said, expected):
    profile = advisor.profile(said)
    assert advisor.advise(profile).recommendation == expected


@pytest.mark.parametrize("question, said", [
    ("A competitor put an ISO 27001 badge on their site. our customers are all US dental chains in Arizona. "
     "should we switch our plan from soc 2 to iso?", "No. "),
    ("is iso 27001 enough if our customers are all dutch municipalities?", "Yes. "),
    ("we sell to US banks. do we need soc 2 or iso?", ""),
])
def test_a_yes_or_no_about_one_framework_is_answered_first(question, said):
    from bot.routes.decide import _yes_no
    assert _yes_no(question, advisor.advise(advisor.profile([question]))) == said
