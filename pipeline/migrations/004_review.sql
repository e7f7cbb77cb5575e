-- The AE's review: answers to and waivers of missing fields, who confirmed a
-- document, and items an AE added by hand (recording_id 'manual', no call).
CREATE TABLE document_resolutions (
    deal_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,          -- a key of REQUIRED in pipeline/draft.py
    resolution VARCHAR NOT NULL,     -- answer | waiver
    text VARCHAR NOT NULL,           -- the answer, or the reason it does not apply
    reviewer VARCHAR,
    resolved_at TIMESTAMP,
    PRIMARY KEY (deal_id, field)
);

ALTER TABLE documents ADD COLUMN confirmed_by VARCHAR;
ALTER TABLE items ADD COLUMN reviewed_by VARCHAR;
ALTER TABLE items ADD COLUMN reject_reason VARCHAR;
