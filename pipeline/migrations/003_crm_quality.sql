-- CRM facts the handoff needs, CS questions back to sales, per-run detail,
-- and the attributes the views did not expose yet. Columns are only added:
-- views keep their names and existing columns (analysts' queries keep working).
ALTER TABLE deals ADD COLUMN renewal_date DATE;
ALTER TABLE deals ADD COLUMN discount VARCHAR;
ALTER TABLE deals ADD COLUMN scope VARCHAR[];
ALTER TABLE deals ADD COLUMN win_reason VARCHAR;
ALTER TABLE deals ADD COLUMN crm_file VARCHAR;       -- the export the record came from
ALTER TABLE deals ADD COLUMN first_seen_at TIMESTAMP;

-- A CSM's question about a handoff, sent back to the AE (counted in handoff_quality).
CREATE TABLE cs_questions (
    question_id VARCHAR PRIMARY KEY,
    deal_id VARCHAR NOT NULL,
    item_id VARCHAR,                 -- the item it is about, if any
    asked_by VARCHAR,
    question VARCHAR NOT NULL,
    asked_at TIMESTAMP NOT NULL,
    answer VARCHAR,
    answered_at TIMESTAMP
);

ALTER TABLE runs ADD COLUMN files JSON;           -- names of the files processed
ALTER TABLE runs ADD COLUMN stage_seconds JSON;   -- summed seconds per stage

CREATE OR REPLACE VIEW item_evidence AS
SELECT i.item_id, i.deal_id, d.account, d.ae_name, i.kind, i.text, i.state, i.confidence,
       i.stated_by, i.quote, i.speaker, i.role, i.start_s, i.end_s,
       r.file_name AS call_file, r.call_date, i.attributes, i.extractor,
       d.segment, d.industry, i.recording_id
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
       stated_by, quote, speaker, call_file, call_date, start_s,
       attributes->>'$.type' AS commitment_type, segment, recording_id
FROM item_evidence WHERE kind = 'commitment';

CREATE OR REPLACE VIEW pain_points AS
SELECT item_id, deal_id, account, ae_name, text AS pain_point, state, confidence,
       attributes->>'$.cost' AS quantified_cost,
       stated_by, quote, speaker, call_file, call_date, start_s,
       attributes->>'$.severity' AS severity, segment, industry, recording_id
FROM item_evidence WHERE kind = 'pain_point';

CREATE OR REPLACE VIEW success_criteria AS
SELECT item_id, deal_id, account, ae_name, text AS criterion, state, confidence,
       attributes->>'$.metric' AS metric,
       attributes->>'$.baseline' AS baseline,
       attributes->>'$.target' AS target,
       attributes->>'$.timeframe' AS timeframe,
       TRY_CAST(attributes->>'$.quantified' AS BOOLEAN) AS quantified,
       stated_by, quote, speaker, call_file, call_date, start_s,
       attributes->>'$.validated_by' AS validated_by, segment, recording_id
FROM item_evidence WHERE kind = 'success_criterion';

CREATE OR REPLACE VIEW stakeholders AS
SELECT item_id, deal_id, account, ae_name, state, confidence,
       attributes->>'$.name' AS name,
       attributes->>'$.title' AS title,
       attributes->>'$.buying_role' AS buying_role,
       text AS note, stated_by, quote, speaker, call_file, call_date, start_s,
       attributes->>'$.side' AS side,
       attributes->>'$.contact_preference' AS contact_preference, segment, recording_id
FROM item_evidence WHERE kind = 'stakeholder';

CREATE OR REPLACE VIEW risks AS
SELECT item_id, deal_id, account, ae_name, text AS risk, state, confidence,
       attributes->>'$.category' AS category,
       stated_by, quote, speaker, call_file, call_date, start_s,
       attributes->>'$.owner' AS owner, segment, recording_id
FROM item_evidence WHERE kind = 'risk';

CREATE OR REPLACE VIEW competitors AS
SELECT item_id, deal_id, account, ae_name, state, confidence,
       attributes->>'$.name' AS competitor,
       text AS note, stated_by, quote, speaker, call_file, call_date, start_s,
       attributes->>'$.outcome' AS outcome,      -- incumbent | evaluated | chosen_against | other
       attributes->>'$.reason' AS reason, segment, recording_id
FROM item_evidence WHERE kind = 'competitor';

-- One row per deal: how good the handoff is and how much review it took.
CREATE OR REPLACE VIEW handoff_quality AS
WITH item_counts AS (
    SELECT deal_id,
           count(*) FILTER (WHERE state = 'suggested') AS items_suggested,
           count(*) FILTER (WHERE state = 'confirmed') AS items_confirmed,
           count(*) FILTER (WHERE state = 'edited') AS items_edited,
           count(*) FILTER (WHERE state = 'rejected') AS items_rejected
    FROM items GROUP BY deal_id
), questions AS (
    SELECT deal_id, count(*) AS cs_questions,
           count(*) FILTER (WHERE answered_at IS NULL) AS cs_questions_open
    FROM cs_questions GROUP BY deal_id
), calls AS (
    SELECT deal_id, count(*) AS calls, min(call_date) AS first_call_date
    FROM recordings WHERE status = 'done' GROUP BY deal_id
)
SELECT d.deal_id, d.account, d.ae_name, d.csm_name, d.close_date,
       doc.status, doc.completeness, doc.generated_at, doc.confirmed_at,
       date_diff('day', d.close_date, CAST(doc.confirmed_at AS DATE)) AS days_to_confirm,
       coalesce(ic.items_suggested, 0) AS items_suggested,
       coalesce(ic.items_confirmed, 0) AS items_confirmed,
       coalesce(ic.items_edited, 0) AS items_edited,
       coalesce(ic.items_rejected, 0) AS items_rejected,
       json_array_length(doc.missing) AS missing_fields,
       d.stage, d.segment, d.amount,
       coalesce(c.calls, 0) AS calls,
       date_diff('day', c.first_call_date, d.close_date) AS sales_cycle_days,
       coalesce(q.cs_questions, 0) AS cs_questions,
       coalesce(q.cs_questions_open, 0) AS cs_questions_open
FROM deals d
LEFT JOIN documents doc USING (deal_id)
LEFT JOIN item_counts ic USING (deal_id)
LEFT JOIN questions q USING (deal_id)
LEFT JOIN calls c USING (deal_id);
