-- Lets "confirm this hold" tell an expired hold (swept since) from one that never existed: the
-- outbox keeps each hold's creation event, with its customer and expiry, for the retention period.
create index events_entity_idx on events (entity_id) where entity_id is not null;
