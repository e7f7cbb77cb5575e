-- Core tables. Every extracted row records the extractor that produced it.
CREATE TABLE deals (
    deal_id VARCHAR PRIMARY KEY,
    account VARCHAR,
    industry VARCHAR,
    segment VARCHAR,
    amount DOUBLE,
    currency VARCHAR,
    stage VARCHAR,
    close_date DATE,
    contract_term_months INTEGER,
    origin VARCHAR,
    ae_name VARCHAR,
    ae_email VARCHAR,
    csm_name VARCHAR,
    competitors VARCHAR[],
    updated_at TIMESTAMP
);

CREATE TABLE recordings (
    recording_id VARCHAR PRIMARY KEY,      -- sha256 of the content, 16 hex digits
    file_name VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                 -- audio | transcript
    size_bytes BIGINT,
    deal_id VARCHAR,
    call_date DATE,
    duration_s DOUBLE,
    status VARCHAR NOT NULL,               -- done | error
    error_stage VARCHAR,
    error VARCHAR,
    engine VARCHAR,
    warnings VARCHAR[],
    processed_at TIMESTAMP
);

CREATE TABLE segments (
    recording_id VARCHAR NOT NULL,
    idx INTEGER NOT NULL,
    start_s DOUBLE,
    end_s DOUBLE,
    speaker VARCHAR,
    role VARCHAR,
    text VARCHAR,
    PRIMARY KEY (recording_id, idx)
);

CREATE TABLE items (
    item_id VARCHAR PRIMARY KEY,           -- hash of recording, kind and quote
    deal_id VARCHAR,
    recording_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    text VARCHAR,
    confidence DOUBLE,
    stated_by VARCHAR,                     -- vendor | customer | unknown
    attributes JSON,
    quote VARCHAR,
    speaker VARCHAR,
    role VARCHAR,
    start_s DOUBLE,
    end_s DOUBLE,
    extractor VARCHAR,
    state VARCHAR NOT NULL DEFAULT 'suggested',  -- suggested | confirmed | edited | rejected
    created_at TIMESTAMP,
    updated_at TIMESTAMP
);

CREATE TABLE documents (
    deal_id VARCHAR PRIMARY KEY,
    status VARCHAR NOT NULL,               -- draft | confirmed
    completeness DOUBLE,
    missing JSON,
    document JSON,
    markdown_path VARCHAR,
    html_path VARCHAR,
    generated_at TIMESTAMP,
    confirmed_at TIMESTAMP
);

CREATE TABLE review_events (
    event_id VARCHAR PRIMARY KEY,
    deal_id VARCHAR,
    item_id VARCHAR,
    action VARCHAR NOT NULL,
    before JSON,
    after JSON,
    reviewer VARCHAR,
    occurred_at TIMESTAMP
);

CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    inbox VARCHAR,
    processed INTEGER,
    skipped INTEGER,
    errors INTEGER,
    items INTEGER,
    versions JSON
);

CREATE TABLE file_errors (
    run_id VARCHAR,
    recording_id VARCHAR,
    file_name VARCHAR,
    stage VARCHAR,
    message VARCHAR,
    occurred_at TIMESTAMP
);
