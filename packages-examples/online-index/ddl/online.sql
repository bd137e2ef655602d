-- The online part: runs after the table committed, each statement in its own autocommit.
-- An index built CONCURRENTLY does not block writes; a failed build is dropped by cutter.
CREATE INDEX CONCURRENTLY order_event_order_id_idx ON shop.order_event (order_id);
CREATE INDEX CONCURRENTLY order_event_created_at_idx ON shop.order_event (created_at);
ANALYZE shop.order_event;
