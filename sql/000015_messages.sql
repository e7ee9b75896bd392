-- Messages (e-mail) to customers, fed by the same writes as the outbox: a booking created,
-- rescheduled or cancelled, a booking flagged by an override, and a reminder 24 hours before.
-- Each is a graphile-worker job (the `graphile_worker` schema is installed by graphile-worker's own
-- migrator at start, server/jobs/schema.ts) added by a trigger in the SAME transaction as the write:
-- a rolled-back write adds no job, a committed one cannot lose it. The `messages` table records
-- every message composed (sent over SMTP or kept in the local mailbox), with its delivery state.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.

create table messages (
  id bigserial primary key,
  -- The message's identity (kind, booking, version): a message is composed and sent at most once
  -- per key, however many times its job runs.
  dedupe_key text not null unique check (length(dedupe_key) between 1 and 200),
  kind text not null check (kind ~ '^[a-z][a-z_.]{0,39}$'),
  booking_id uuid references bookings (id) on delete set null,
  to_address text not null check (length(to_address) between 3 and 254),
  subject text not null check (length(subject) between 1 and 300),
  text_body text not null,
  html_body text not null,
  -- [{filename, contentType, content}] (content as text: calendar files).
  attachments jsonb not null default '[]'::jsonb,
  status text not null default 'pending'
    check (status in ('pending', 'sent', 'retrying', 'failed', 'skipped')),
  -- 'smtp' or 'mailbox' once delivered.
  transport text check (transport in ('smtp', 'mailbox')),
  attempts int not null default 0,
  last_error text,
  -- The RFC 5322 Message-ID it was sent with (the same on every attempt).
  message_id text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  sent_at timestamptz
);
create index messages_booking_idx on messages (booking_id);
create index messages_status_idx on messages (status) where status in ('pending', 'retrying', 'failed');

-- Adds the job that composes and sends one message. `kb.messages = off` (set by the demo seed)
-- adds none. Key `message:<kind>:<booking>:<version>`: one job per booking, kind and version.
create function kb_enqueue_message(p_kind text, p_booking uuid, p_version text, p_data jsonb) returns void
language plpgsql as $$
begin
  perform graphile_worker.add_job('message',
    (coalesce(p_data, '{}'::jsonb) || jsonb_build_object('kind', p_kind, 'bookingId', p_booking, 'version', p_version))::json,
    job_key => 'message:' || p_kind || ':' || p_booking || ':' || p_version,
    max_attempts => 25);
end
$$;

-- The reminder of a booking at its current time: one job per booking (key
-- `message:reminder:<booking>`, replaced by a reschedule), due 24 hours before the start. None
-- when that moment has passed (booked less than a day ahead); an earlier one is then removed.
create function kb_schedule_reminder(p_booking uuid, p_start timestamptz, p_version text) returns void
language plpgsql as $$
begin
  if p_start - interval '24 hours' > now() then
    perform graphile_worker.add_job('message',
      json_build_object('kind', 'reminder', 'bookingId', p_booking, 'version', p_version, 'startAt', p_start),
      run_at => p_start - interval '24 hours',
      job_key => 'message:reminder:' || p_booking,
      job_key_mode => 'replace',
      max_attempts => 25);
  else
    perform graphile_worker.remove_job('message:reminder:' || p_booking);
  end if;
end
$$;

-- The version of a booking change is the writing transaction's id: unique per change.
create function kb_bookings_messages() returns trigger language plpgsql as $$
declare
  v_version text := pg_current_xact_id()::text;
  v_was_active boolean;
  v_active boolean;
begin
  if coalesce(current_setting('kb.messages', true), '') = 'off' then
    return null;
  end if;
  if tg_op = 'DELETE' then
    perform graphile_worker.remove_job('message:reminder:' || old.id);
    return null;
  end if;
  v_active := new.status in ('pending', 'confirmed');
  if tg_op = 'INSERT' then
    -- A booking of the past (an import, a back-dated entry) needs no message.
    if v_active and new.start_at > now() then
      perform kb_enqueue_message('confirmed', new.id, v_version,
        jsonb_build_object('startAt', new.start_at, 'stylistId', new.stylist_id));
      perform kb_schedule_reminder(new.id, new.start_at, v_version);
    end if;
    return null;
  end if;
  v_was_active := old.status in ('pending', 'confirmed');
  if v_was_active and not v_active then
    -- Cancelled, started, no-show: its reminder never fires.
    perform graphile_worker.remove_job('message:reminder:' || new.id);
    if new.status = 'cancelled' and old.start_at > now() then
      -- `txAt` (the transaction's time) finds the audit row of the same transaction: who cancelled.
      perform kb_enqueue_message('cancelled', new.id, v_version,
        jsonb_build_object('startAt', old.start_at, 'stylistId', old.stylist_id, 'txAt', now()));
    end if;
  elsif v_active and (old.start_at <> new.start_at or old.stylist_id <> new.stylist_id) and new.start_at > now() then
    perform kb_enqueue_message('rescheduled', new.id, v_version,
      jsonb_build_object('startAt', new.start_at, 'stylistId', new.stylist_id,
                         'previousStartAt', old.start_at, 'previousStylistId', old.stylist_id));
    perform kb_schedule_reminder(new.id, new.start_at, v_version);
  end if;
  return null;
end
$$;
create trigger _200_enqueue_messages after insert or update or delete on bookings
  for each row execute function kb_bookings_messages();

-- A booking an override puts outside the hours (server/bookings/attention.ts records a
-- `booking.updated` event with its new `attention`): tell the customer, once per such change (the
-- event's row id is the version). A cleared flag (attention null) sends nothing.
create function kb_events_flagged_message() returns trigger language plpgsql as $$
begin
  if coalesce(current_setting('kb.messages', true), '') = 'off' then
    return null;
  end if;
  if new.kind = 'booking.updated' and jsonb_typeof(new.data -> 'attention') = 'object'
     and exists (select 1 from bookings b where b.id = new.entity_id and b.start_at > now()
                 and b.status in ('pending', 'confirmed')) then
    perform kb_enqueue_message('flagged', new.entity_id, new.row_id::text,
      jsonb_build_object('attention', new.data -> 'attention'));
  end if;
  return null;
end
$$;
create trigger _200_enqueue_flagged_message after insert on events
  for each row execute function kb_events_flagged_message();
