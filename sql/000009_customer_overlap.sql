-- One customer is in one chair at a time: no two active bookings of one customer overlap, whatever
-- their stylists (docs/domain.md §5). Only the appointment itself counts, [start_at, end_at): the
-- stylist's buffer after it is the stylist's time, not the customer's.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

-- Bookings made before this rule may already overlap. Exclusion constraints cannot be added
-- NOT VALID, so the migration marks each active booking that overlaps an earlier-made active
-- booking of the same customer as exempt (the earliest stays under the rule), and the constraint
-- skips exempt rows. Rescheduling a booking clears its mark: its new time is checked like any other.
-- docs/operations.md lists them.
alter table bookings add column customer_overlap_exempt boolean not null default false;

update bookings b set customer_overlap_exempt = true
 where b.status in ('pending', 'confirmed', 'in_progress')
   and exists (
     select 1 from bookings a
      where a.customer_id = b.customer_id
        and a.status in ('pending', 'confirmed', 'in_progress')
        and (a.created_at, a.id) < (b.created_at, b.id)
        and tstzrange(a.start_at, a.end_at, '[)') && tstzrange(b.start_at, b.end_at, '[)'));

alter table bookings add constraint bookings_customer_no_overlap exclude using gist (
  customer_id with =,
  tstzrange(start_at, end_at, '[)') with &&
) where (status in ('pending', 'confirmed', 'in_progress') and not customer_overlap_exempt);
