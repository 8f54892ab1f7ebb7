"""Export the golden set's questions as labelled intent examples (bot/data/intents_golden.yaml)."""
import yaml
from evals.golden import load_golden
MAP = {"soc2_lookup": "lookup", "iso_lookup": "lookup", "seed_facts": "lookup", "topics": "lookup", "questionnaire": "lookup",
       "crosswalk": "crosswalk", "compare": "compare", "decide": "decide", "company": "company",
       "out_of_scope": "out_of_scope", "manipulation": "manipulation"}
routes = {}
for c in load_golden():
    if c.category in MAP and c.question:
        routes.setdefault(MAP[c.category], []).append(c.question)
header = ("# Labelled examples from trustdesk's own golden set (evals/golden/*.yaml, never the blind set),\n"
          "# route = the case's category (lookups, scheme facts and questionnaire items are `lookup`).\n"
          "# Regenerate after the golden set changes: python -m evals.intent_examples\n")
body = yaml.safe_dump({"version": 1, "routes": routes}, sort_keys=False, allow_unicode=True, width=200)
open("bot/data/intents_golden.yaml", "w").write(header + body)
print({k: len(v) for k, v in routes.items()})
