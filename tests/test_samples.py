"""The bundled sample deals are consistent: every file is linked, every gold
quote is verbatim evidence from the script, and the evaluation matcher works."""

import csv
import json

from pipeline.evaluation import match, overlap
from pipeline.ingest import load_call_facts, load_deals
from tests.conftest import ROOT

SAMPLES = ROOT / "data" / "samples"


def test_every_recording_in_deals_csv_exists_and_has_a_date():
    deals = load_deals(SAMPLES)
    facts = load_call_facts(SAMPLES)
    assert len(deals) >= 3
    files = [f for d in deals.values() for f in d.recordings]
    assert len(files) >= 9
    for name in files:
        assert (SAMPLES / name).exists(), name
        assert facts[name]["call_date"], name


def test_gold_quotes_are_verbatim_turns_of_the_named_speaker():
    for gold_path in sorted((SAMPLES / "gold").glob("*.json")):
        script = json.loads((SAMPLES / "scripts" / gold_path.name).read_text())
        turns = [(t["speaker"], t["text"]) for t in script["turns"]]
        for item in json.loads(gold_path.read_text())["items"]:
            assert any(item["quote"] in text and speaker == item["speaker"] for speaker, text in turns), \
                (gold_path.name, item["quote"])


def test_matching_tolerates_asr_noise_but_not_another_kind():
    gold = [{"kind": "commitment", "quote": "I'll send you the SOC 2 report by Friday"}]
    asr = [{"kind": "commitment", "quote": "I'll send you this OC2 report by Friday."}]
    assert overlap(gold[0]["quote"], asr[0]["quote"]) >= 0.5
    assert match(gold, asr)[2]["commitment"] == 1
    assert match(gold, [{"kind": "risk", "quote": asr[0]["quote"]}])[2]["commitment"] == 0


def test_deals_csv_has_the_crm_columns():
    with (SAMPLES / "deals.csv").open() as f:
        columns = next(csv.reader(f))
    assert columns[:3] == ["deal_id", "account", "industry"] and "recordings" in columns


def test_eval_table_on_a_tiny_fixed_fixture():
    from pipeline.evaluation import table

    gold = [{"kind": "commitment", "quote": "I'll send the SOC 2 report by Friday"},
            {"kind": "risk", "quote": "legal needs three weeks to review the MSA"},
            {"kind": "risk", "quote": "our IT team is short two people until March"}]
    found = [{"kind": "commitment", "quote": "yeah I'll send the SOC 2 report by Friday okay"},
             {"kind": "risk", "quote": "legal needs three weeks to review the MSA"},
             {"kind": "risk", "quote": "we love the weather in Denver"}]
    rows = {r["kind"]: r for r in table(*match(gold, found))}
    assert (rows["commitment"]["precision"], rows["commitment"]["recall"]) == (1.0, 1.0)
    assert (rows["risk"]["precision"], rows["risk"]["recall"], rows["risk"]["f1"]) == (0.5, 0.5, 0.5)
    assert (rows["micro"]["matched"], rows["micro"]["f1"]) == (2, 0.67)


def test_attribute_accuracy_counts_matched_items_only():
    from pipeline.evaluation import attribute_accuracy

    gold = [{"kind": "commitment", "quote": "I'll send the SSO guide by Friday",
             "attributes": {"side": "vendor", "firm": True, "vague": False}},
            {"kind": "stakeholder", "quote": "Dana Ruiz our CFO signs", "attributes": {"name": "Dana Ruiz",
                                                                                      "buying_role": "economic_buyer"}},
            {"kind": "commitment", "quote": "we'll look at the API", "attributes": {"side": "vendor", "firm": False}}]
    found = [{"kind": "commitment", "quote": "I'll send the SSO guide by Friday.",
              "attributes": {"side": "vendor", "firm": True, "vague": True}},
             {"kind": "stakeholder", "quote": "Dana Ruiz, our CFO, signs.", "attributes": {"name": "Dana",
                                                                                          "buying_role": "champion"}}]
    pairs: list = []
    match(gold, found, pairs)
    acc = {a["attribute"]: (a["checked"], a["right"]) for a in attribute_accuracy(pairs)}
    assert acc["commitment.side"] == (1, 1) and acc["commitment.vague"] == (1, 0)
    assert acc["stakeholder.name"] == (1, 1) and acc["stakeholder.buying_role"] == (1, 0)
    assert acc["competitor.name"] == (0, 0)
    pairs = []  # an item stored without attributes counts as wrong, not as an error
    match(gold[:1], [{"kind": "commitment", "quote": gold[0]["quote"]}], pairs)
    assert {a["attribute"]: a["right"] for a in attribute_accuracy(pairs)}["commitment.side"] == 0


def test_names_compare_without_case_spacing_or_punctuation():
    from pipeline.evaluation import _same_value

    assert _same_value("NexHealth", "nex health") and _same_value("Raiser's Edge", "raisers edge")
    assert _same_value("Dana Ruiz", "dana") and not _same_value("Dana Ruiz", "ruiz")
    assert not _same_value("NexHealth", "next health") and not _same_value("Weave", None)


def test_a_bad_crm_row_costs_one_deal_not_the_batch(tmp_path):
    (tmp_path / "deals.csv").write_text(
        "deal_id,account,amount,contract_term_months,close_date,recordings\n"
        "D-1,Acme,\"$45,000\",12,2026-09-01,a.mp3\n"
        "D-2,Globex,lots,12,2026-09-01,b.mp3\n"
        "D-3,Initech,1000,12,not a date,c.mp3\n")
    problems: list[str] = []
    deals = load_deals(tmp_path, problems)
    assert list(deals) == ["D-1"] and deals["D-1"].amount == 45000
    assert [p.split(":")[0] for p in problems] == ["deals.csv line 3", "deals.csv line 4"]
