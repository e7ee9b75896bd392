// The one presenter of an override: the SQL function kb_override_json (sql/000004). The outbox
// trigger puts its result into every override event (so `override:changed` and a replay describe
// an override whose row is gone), and every HTTP answer selects the same column, so REST, socket
// and replay carry one shape by construction.
import type { OverrideDto } from '../contract/admin.ts';
import type { OverrideRow } from '../slots/engine.ts';

/** Select list item (table alias `o`) giving the OverrideDto as `dto`. */
export const OVERRIDE_DTO = 'kb_override_json(o) as dto';

/**
 * Select list items (alias `o`) of the engine's form of an override, read by `toOverrideRow`:
 * `created_at_ms` keeps Postgres' sub-millisecond order between overrides.
 */
export const OVERRIDE_ENGINE_COLUMNS = `o.id, o.kind, o.start_date, o.end_date, to_char(o.start_time, 'HH24:MI') as start,
  to_char(o.end_time, 'HH24:MI') as "end", o.priority, (extract(epoch from o.created_at) * 1000)::float8 as created_at_ms`;

/** A row selected with OVERRIDE_ENGINE_COLUMNS. */
export interface OverrideEngineColumns {
  id: string;
  kind: OverrideRow['kind'];
  /** DATE, read as YYYY-MM-DD (server/db/pool.ts). */
  start_date: string;
  end_date: string;
  start: string | null;
  end: string | null;
  priority: number;
  created_at_ms: number;
}

/** The DTO of a row selected with OVERRIDE_DTO. */
export function overrideDto(row: { dto: unknown }): OverrideDto {
  return row.dto as OverrideDto;
}

/** The engine's form of an override row selected with OVERRIDE_ENGINE_COLUMNS. */
export function toOverrideRow(r: OverrideEngineColumns): OverrideRow {
  return {
    id: r.id,
    kind: r.kind,
    startDate: r.start_date,
    endDate: r.end_date,
    start: r.start,
    end: r.end,
    priority: r.priority,
    createdAtMs: r.created_at_ms,
  };
}
