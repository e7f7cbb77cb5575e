"""Deal metadata as CRM exports give it, and recordings linked to their deals."""

import datetime as dt
import json

import pytest

from pipeline.crm import CRMError, load_deals, to_deal
from pipeline.ingest import candidate_files, describe


def test_a_salesforce_style_csv_is_read_through_its_own_column_names(tmp_path):
    # Excel writes a byte-order mark; Salesforce names columns its own way and writes US dates.
    (tmp_path / "deals.csv").write_text(
        "\ufeffOpportunity ID,Account Name,Amount,Stage,Close Date,Contract Term,Opportunity Owner,"
        "Lead Source,Primary Competitor,Discount,Products,Win Reason\n"
        "006A1,Acme Corp,\"$120,000.00\",Closed Won,09/10/2026,2 years,Priya Shah,Partner,ClosePilot,"
        "15%,AP automation;Payments,Faster ERP connector\n", encoding="utf-8")
    deal = load_deals(tmp_path)["006A1"]
    assert (deal.account, deal.amount, deal.stage, deal.close_date) == \
        ("Acme Corp", 120000.0, "closed_won", dt.date(2026, 9, 10))
    assert deal.contract_term_months == 24 and deal.renewal_date == dt.date(2028, 9, 10)
    assert (deal.ae_name, deal.origin, deal.competitors) == ("Priya Shah", "Partner", ["ClosePilot"])
    assert (deal.discount, deal.scope, deal.win_reason) == ("15%", ["AP automation", "Payments"],
                                                            "Faster ERP connector")
    assert deal.closed_won and deal.crm_file == "deals.csv"


def test_json_exports_plain_and_hubspot_style(tmp_path):
    (tmp_path / "deals.json").write_text(json.dumps({"results": [
        {"id": "981", "properties": {"dealname": "Globex", "amount": "30000", "dealstage": "closedwon",
                                     "closedate": "2026-10-01T14:03:00.000Z", "hubspot_owner": "x"}},
        {"deal_id": "D-7", "account": "Initech", "amount": 5000, "close_date": 1790812800000,
         "competitors": ["Kronara", "CareShift"], "renewal_date": "2027-10-01"},
    ]}))
    deals = load_deals(tmp_path)
    assert deals["981"].account == "Globex" and deals["981"].stage == "closed_won"
    assert deals["981"].close_date == dt.date(2026, 10, 1) and deals["981"].amount == 30000
    assert deals["D-7"].close_date == dt.date(2026, 10, 1)  # epoch milliseconds
    assert deals["D-7"].competitors == ["Kronara", "CareShift"]
    assert deals["D-7"].renewal_date == dt.date(2027, 10, 1)  # read, not derived


def test_json_wins_over_csv_for_the_same_deal(tmp_path):
    (tmp_path / "deals.csv").write_text("deal_id,account,stage\nD-1,Acme,negotiation\n")
    (tmp_path / "deals.json").write_text('[{"deal_id": "D-1", "account": "Acme", "stage": "Closed Won"}]')
    assert load_deals(tmp_path)["D-1"].stage == "closed_won"


def test_bad_records_cost_their_deal_only_and_say_why(tmp_path):
    (tmp_path / "deals.json").write_text(json.dumps([
        {"deal_id": "D-1", "account": "Acme"},
        {"account": "No id"},
        {"deal_id": "D-3", "close_date": "someday soon"},
        "not an object",
    ]))
    problems: list[str] = []
    assert list(load_deals(tmp_path, problems)) == ["D-1"]
    assert problems == ["deals.json record 2: no deal id",
                        "deals.json record 3: not a date: 'someday soon'",
                        "deals.json record 4: no deal id"]
    with pytest.raises(CRMError, match="record 2"):
        load_deals(tmp_path)


def test_an_unreadable_json_export_is_one_problem(tmp_path):
    (tmp_path / "deals.json").write_text("{not json")
    problems: list[str] = []
    assert load_deals(tmp_path, problems) == {} and problems[0].startswith("deals.json: cannot be read")


def test_a_crm_change_is_a_change_of_facts_not_of_the_file_it_came_from():
    a = to_deal({"deal_id": "D-1", "stage": "Negotiation"}, source="deals.csv")
    b = to_deal({"deal_id": "D-1", "stage": "negotiation"}, source="deals.json")
    assert a.crm_facts() == b.crm_facts()
    assert to_deal({"deal_id": "D-1", "stage": "Won"}).crm_facts() != a.crm_facts()


def test_recordings_in_a_folder_named_after_a_deal_belong_to_it(tmp_path):
    (tmp_path / "deals.csv").write_text("deal_id,account\nD-1,Acme Corp\nD-2,Globex\n")
    (tmp_path / "D-1").mkdir()
    (tmp_path / "D-1" / "discovery.vtt").write_text("WEBVTT\n")
    (tmp_path / "acme-corp-old").mkdir()  # not a deal's name: not read
    (tmp_path / "acme-corp-old" / "x.vtt").write_text("WEBVTT\n")
    (tmp_path / "Globex" / "q3").mkdir(parents=True)  # by account name, at any depth
    (tmp_path / "Globex" / "q3" / "demo.txt").write_text("Dana: hello\n")
    (tmp_path / "reference").mkdir()
    (tmp_path / "reference" / "gold.json").write_text("{}")
    deals = load_deals(tmp_path)
    files = list(candidate_files(tmp_path, deals))
    assert sorted(p.name for p in files) == ["demo.txt", "discovery.vtt"]
    linked = {p.name: describe(p, deals, {}, tmp_path).deal_id for p in files}
    assert linked == {"discovery.vtt": "D-1", "demo.txt": "D-2"}
