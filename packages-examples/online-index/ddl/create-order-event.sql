-- The transactional part: the table, in one transaction with the journal row.
CREATE TABLE shop.order_event (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id   bigint NOT NULL REFERENCES shop.orders (id),
  kind       text NOT NULL CHECK (kind IN ('placed', 'paid', 'shipped', 'cancelled')),
  created_at timestamptz NOT NULL DEFAULT now()
);
