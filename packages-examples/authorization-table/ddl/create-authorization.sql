-- Who may do what, until when: one row per authorization, checked by constraints.
CREATE TABLE access.authorization_grant (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  principal_id bigint NOT NULL REFERENCES access.principal (id) ON DELETE RESTRICT,
  scope        text NOT NULL CONSTRAINT authorization_grant_scope_check
                 CHECK (scope IN ('read', 'write', 'admin')),
  granted_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  reason       text NOT NULL CONSTRAINT authorization_grant_reason_check
                 CHECK (length(btrim(reason)) >= 10),
  CONSTRAINT authorization_grant_period_check CHECK (expires_at > granted_at),
  CONSTRAINT authorization_grant_once UNIQUE (principal_id, scope, granted_at)
);

CREATE INDEX authorization_grant_expires_idx ON access.authorization_grant (expires_at);

COMMENT ON TABLE access.authorization_grant IS 'Time-boxed authorizations of principals; see the access review runbook.';
