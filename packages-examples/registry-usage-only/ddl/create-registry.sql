-- Governance registry: twelve tables in schema governance, owned by gov_owner.
-- Runs as gov_owner (target.apply_role); every object it creates is owned by that role.

CREATE TABLE governance.registry_owner (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  email_alias text
);

CREATE TABLE governance.registry_domain (
  id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name     text NOT NULL UNIQUE,
  owner_id bigint NOT NULL REFERENCES governance.registry_owner (id)
);

CREATE TABLE governance.registry_system (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  domain_id bigint NOT NULL REFERENCES governance.registry_domain (id),
  name      text NOT NULL,
  tier      smallint NOT NULL CHECK (tier BETWEEN 1 AND 4)
);

CREATE TABLE governance.registry_dataset (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_id bigint NOT NULL REFERENCES governance.registry_system (id),
  name      text NOT NULL
);

CREATE TABLE governance.registry_control (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code  text NOT NULL,
  title text NOT NULL
);

CREATE TABLE governance.registry_policy (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  control_id bigint NOT NULL REFERENCES governance.registry_control (id),
  owner_id   bigint NOT NULL REFERENCES governance.registry_owner (id),
  text       text NOT NULL
);

CREATE TABLE governance.registry_risk (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dataset_id bigint NOT NULL REFERENCES governance.registry_dataset (id),
  rating     text NOT NULL
);

CREATE TABLE governance.registry_review (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  policy_id   bigint NOT NULL REFERENCES governance.registry_policy (id),
  reviewer_id bigint NOT NULL REFERENCES governance.registry_owner (id),
  reviewed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE governance.registry_finding (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  review_id bigint NOT NULL REFERENCES governance.registry_review (id),
  risk_id   bigint REFERENCES governance.registry_risk (id),
  summary   text NOT NULL
);

CREATE TABLE governance.registry_exception (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  finding_id bigint NOT NULL REFERENCES governance.registry_finding (id),
  expires_on date NOT NULL
);

CREATE TABLE governance.registry_evidence (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  finding_id bigint NOT NULL REFERENCES governance.registry_finding (id),
  uri        text NOT NULL
);

CREATE TABLE governance.registry_attestation (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_id   bigint NOT NULL REFERENCES governance.registry_system (id),
  owner_id    bigint NOT NULL REFERENCES governance.registry_owner (id),
  attested_on date NOT NULL
);

GRANT SELECT ON ALL TABLES IN SCHEMA governance TO gov_reader;
