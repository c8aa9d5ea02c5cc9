-- The hub's schema, version 1. Applied once, in order, under an advisory lock (any number of nodes may start at once).
CREATE TABLE clinics (
  clinic_id text PRIMARY KEY CHECK (length(clinic_id) BETWEEN 1 AND 64),
  name text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A kiosk, bound to one clinic by the enrolment token IT issued for it.
CREATE TABLE devices (
  device_id text PRIMARY KEY CHECK (length(device_id) BETWEEN 1 AND 128),
  clinic_id text NOT NULL REFERENCES clinics,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);

-- The rate limit: items a device sent in the current one-minute window, shared by every node.
-- UNLOGGED: no WAL, so counting costs no disk flush per batch; a crash resets the counters (harmless).
CREATE UNLOGGED TABLE device_rate (
  device_id text PRIMARY KEY,
  window_start timestamptz NOT NULL,
  items integer NOT NULL
);

-- Several keys per device: a new one is added by a new enrolment token (rotation), an old one revoked.
CREATE TABLE device_keys (
  device_id text NOT NULL REFERENCES devices,
  public_key bytea NOT NULL CHECK (length(public_key) = 32),
  added_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz,
  PRIMARY KEY (device_id, public_key)
);

-- One-time enrolment tokens; only their SHA-256 is kept.
CREATE TABLE enrolment_tokens (
  token_hash bytea PRIMARY KEY,
  clinic_id text NOT NULL REFERENCES clinics,
  device_id text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

-- What stays of a visit once judged: no sealed envelope, no descriptor, no code, no full IIN.
CREATE TABLE verdicts (
  visit_id uuid PRIMARY KEY,
  seq bigserial NOT NULL,
  -- The inserting transaction: the MIS cursor orders by (tx, seq) and reads only finished transactions.
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  clinic_id text NOT NULL,
  device_id text NOT NULL,
  method text NOT NULL,
  iin_masked text NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  verdict text NOT NULL,
  distance real,
  evidence jsonb NOT NULL
);
CREATE INDEX verdicts_cursor ON verdicts (clinic_id, tx, seq);
CREATE INDEX verdicts_received ON verdicts (received_at);

-- The clinic MIS (or any reader of verdicts): a key per consumer, only its SHA-256 kept.
CREATE TABLE consumers (
  consumer_id text PRIMARY KEY,
  clinic_id text NOT NULL REFERENCES clinics,
  key_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Face references, encrypted (secretbox) with a key kept outside the database; looked up by a keyed hash of the IIN.
CREATE TABLE face_references (
  iin_key bytea NOT NULL,
  model_id text NOT NULL,
  sealed bytea NOT NULL,
  photos integer NOT NULL,
  visits integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (iin_key, model_id)
);

-- Every change to a reference: who/what, when, how many photos and visit descriptors after it.
CREATE TABLE reference_audit (
  id bigserial PRIMARY KEY,
  iin_key bytea NOT NULL,
  model_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL,
  visit_id uuid,
  actor text NOT NULL,
  photos integer NOT NULL,
  visits integer NOT NULL
);

-- eGov one-time codes (a stand-in for the eGov service), keyed hashes only.
CREATE TABLE egov_codes (
  iin_key bytea NOT NULL,
  code_hash bytea NOT NULL,
  PRIMARY KEY (iin_key, code_hash)
);
