-- Analyst views: stable names and columns (documented in docs/analysts.md).
-- Rejected items are left out: an AE said they are wrong.
CREATE OR REPLACE VIEW item_evidence AS
SELECT i.item_id, i.deal_id, d.account, d.ae_name, i.kind, i.text, i.state, i.confidence,
       i.stated_by, i.quote, i.speaker, i.role, i.start_s, i.end_s,
       r.file_name AS call_file, r.call_date, i.attributes, i.extractor
FROM items i
LEFT JOIN deals d USING (deal_id)
LEFT JOIN recordings r USING (recording_id)
WHERE i.state <> 'rejected';

CREATE OR REPLACE VIEW commitments AS
SELECT item_id, deal_id, account, ae_name, text AS commitment, state, confidence,
       attributes->>'$.owner' AS owner,
       attributes->>'$.side' AS side,
       attributes->>'$.action' AS action,
       attributes->>'$.due' AS due_phrase,
       TRY_CAST(attributes->>'$.due_date' AS DATE) AS due_date,
       TRY_CAST(attributes->>'$.firm' AS BOOLEAN) AS firm,
       TRY_CAST(attributes->>'$.vague' AS BOOLEAN) AS vague,
       stated_by, quote, speaker, call_file, call_date, start_s
FROM item_evidence WHERE kind = 'commitment';

CREATE OR REPLACE VIEW pain_points AS
SELECT item_id, deal_id, account, ae_name, text AS pain_point, state, confidence,
       attributes->>'$.cost' AS quantified_cost,
       stated_by, quote, speaker, call_file, call_date, start_s
FROM item_evidence WHERE kind = 'pain_point';

CREATE OR REPLACE VIEW success_criteria AS
SELECT item_id, deal_id, account, ae_name, text AS criterion, state, confidence,
       attributes->>'$.metric' AS metric,
       attributes->>'$.baseline' AS baseline,
       attributes->>'$.target' AS target,
       attributes->>'$.timeframe' AS timeframe,
       TRY_CAST(attributes->>'$.quantified' AS BOOLEAN) AS quantified,
       stated_by, quote, speaker, call_file, call_date, start_s
FROM item_evidence WHERE kind = 'success_criterion';

CREATE OR REPLACE VIEW stakeholders AS
SELECT item_id, deal_id, account, ae_name, state, confidence,
       attributes->>'$.name' AS name,
       attributes->>'$.title' AS title,
       attributes->>'$.buying_role' AS buying_role,
       text AS note, stated_by, quote, speaker, call_file, call_date, start_s
FROM item_evidence WHERE kind = 'stakeholder';

CREATE OR REPLACE VIEW risks AS
SELECT item_id, deal_id, account, ae_name, text AS risk, state, confidence,
       attributes->>'$.category' AS category,
       stated_by, quote, speaker, call_file, call_date, start_s
FROM item_evidence WHERE kind = 'risk';

CREATE OR REPLACE VIEW competitors AS
SELECT item_id, deal_id, account, ae_name, state, confidence,
       attributes->>'$.name' AS competitor,
       text AS note, stated_by, quote, speaker, call_file, call_date, start_s
FROM item_evidence WHERE kind = 'competitor';

CREATE OR REPLACE VIEW handoff_quality AS
SELECT d.deal_id, d.account, d.ae_name, d.csm_name, d.close_date,
       doc.status, doc.completeness, doc.generated_at, doc.confirmed_at,
       date_diff('day', d.close_date, CAST(doc.confirmed_at AS DATE)) AS days_to_confirm,
       count(i.item_id) FILTER (WHERE i.state = 'suggested') AS items_suggested,
       count(i.item_id) FILTER (WHERE i.state = 'confirmed') AS items_confirmed,
       count(i.item_id) FILTER (WHERE i.state = 'edited') AS items_edited,
       count(i.item_id) FILTER (WHERE i.state = 'rejected') AS items_rejected,
       json_array_length(doc.missing) AS missing_fields
FROM deals d
LEFT JOIN documents doc USING (deal_id)
LEFT JOIN items i USING (deal_id)
GROUP BY ALL;
