// fast-check arbitraries for the contract fuzz: values of each field kind (valid ones, seeded ids
// so valid requests reach the domain, and boundary values that are well-formed but extreme), and
// garbage to put where they go. Requests are built from the JSON Schema that zod emits for the
// route table's schemas, then classified valid or invalid by the zod schema itself.
import fc from 'fast-check';
import { DateTime } from 'luxon';

/** Real rows of the fuzz database, so that generated ids sometimes name something that exists. */
export interface Seeded {
  stylistIds: string[];
  serviceIds: string[];
  customerIds: string[];
  bookingIds: string[];
  /** Active bookings of the customer the fuzz logs in as. */
  ownBookingIds: string[];
  holdIds: string[];
  overrideIds: string[];
  emails: string[];
  password: string;
  /** Local dates near the fake clock's today, inside the stylists' horizon. */
  nearDates: string[];
  zone: string;
}

/** Well-formed local dates at the edges of the calendar (the schema's YYYY-MM-DD accepts them all). */
export const BOUNDARY_DATES = ['0001-01-01', '0000-01-01', '1999-12-31', '2000-02-29', '2100-01-01', '9999-12-31'];
/** The boundary dates sent to the admin override routes (create and preview), year 9999 included. */
export const OVERRIDE_BOUNDARY_DATES = [...BOUNDARY_DATES, '9999-01-01'];
/** Malformed or non-existent dates. */
export const BAD_DATES = [
  '10000-01-01',
  '-0001-01-01',
  '+002027-03-10',
  '2027-02-29',
  '2027-13-01',
  '2027-00-10',
  '2027-3-1',
  '20270310',
  '2027-03-10T00:00:00Z',
  '',
];

/**
 * Instants the schema accepts whose UTC value is at or past the ends of four-digit years:
 * 9999-12-31T23:59:59-23:59 is 10000-01-01T23:58:59Z; 0000-01-01T00:00:00+23:59 is in year -1.
 */
export const EXTREME_INSTANTS = [
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59-23:59',
  '9999-12-31T23:59:59.999999999Z',
  '0000-01-01T00:00:00Z',
  '0000-01-01T00:00:00+23:59',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2038-01-19T03:14:08Z',
];
/** Instants the schema refuses. */
export const BAD_INSTANTS = [
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '10000-01-01T00:00:00Z',
  '2027-03-10T09:00:00',
  '2027-03-10 09:00:00Z',
  '2027-03-10T24:00:00Z',
  '2027-02-29T09:00:00Z',
  '2027-03-10T09:00:00+24:00',
  'now',
  '',
];

export const ZONES = [
  'Asia/Kathmandu',
  'UTC',
  'America/New_York',
  'Pacific/Kiritimati',
  'Etc/GMT+12',
  'America/St_Johns',
  'Not/AZone',
  'A',
  'x'.repeat(64),
  'Etc/../../etc/passwd',
];

/** Strings that have broken servers: NUL, lone surrogates, RTL and combining marks, emoji, SQL, long. */
export const NASTY_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDFFFy',
  '\uDBFF\uDFFF',
  '\u202Eevil',
  'e\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦',
  '\uFEFF',
  '\\',
  '"',
  "'; drop table users; --",
  '%00',
  '${7*7}',
  '<script>alert(1)</script>',
  '\r\n',
  ' ',
  '\t',
];

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function localDate(s: Seeded, boundary: readonly string[] = BOUNDARY_DATES, realOnly = false): fc.Arbitrary<string> {
  if (realOnly) return fc.constantFrom(...s.nearDates);
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...s.nearDates) },
    {
      weight: 2,
      arbitrary: fc
        .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString().slice(0, 10)),
    },
    { weight: 2, arbitrary: fc.constantFrom(...boundary) },
  );
}

/** Instants: on the seeded stylists' grid near today, anywhere in 1970–2100, or extreme. */
export function instant(s: Seeded, realOnly = false): fc.Arbitrary<string> {
  const onGrid = fc
    .tuple(fc.constantFrom(...s.nearDates), fc.integer({ min: realOnly ? 18 : 0, max: realOnly ? 31 : 47 }))
    .map(([d, half]) =>
      DateTime.fromISO(`${d}T${pad(Math.floor(half / 2), 2)}:${half % 2 ? '30' : '00'}`, { zone: s.zone })
        .toUTC()
        .toISO()!,
    );
  if (realOnly) return onGrid;
  return fc.oneof(
    { weight: 5, arbitrary: onGrid },
    {
      weight: 2,
      arbitrary: fc
        .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
        .map((d) => d.toISOString()),
    },
    { weight: 2, arbitrary: fc.constantFrom(...EXTREME_INSTANTS) },
  );
}

export const wallTime: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h, 2)}:${pad(m, 2)}`),
  fc.constantFrom('00:00', '09:00', '12:00', '17:00', '23:59', '24:00'),
);

export const uuidOf = (ids: string[], realOnly = false): fc.Arbitrary<string> =>
  ids.length && realOnly
    ? fc.constantFrom(...ids)
    : ids.length
      ? fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...ids) },
          { weight: 1, arbitrary: fc.uuid() },
          { weight: 1, arbitrary: fc.constantFrom(...ids).map((i) => i.toUpperCase()) },
        )
      : fc.uuid();

/** A string of `min`–`max` characters: plain, any code point, nasty, or exactly `max` long. */
export function text(min: number, max: number, realOnly = false): fc.Arbitrary<string> {
  if (realOnly) return fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,30}[a-z]$/).map((x) => x.padEnd(min, 'x').slice(0, max));
  const fit = (x: string) => (x.length < min ? x.padEnd(min, 'x') : x.slice(0, max));
  const small = Math.min(max, 40);
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: small }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: small }).map(fit) },
    { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS).map(fit) },
    { weight: 1, arbitrary: fc.constantFrom('x', 'é', '😀').map((c) => fit(c.repeat(max))) },
  );
}

/** Anything at all where a value goes: wrong types, huge and deep values, nasty strings. */
export function garbage(bodyLimitBytes: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, Number.MAX_SAFE_INTEGER + 2, '', [], {}, [null], { '': '' }),
    fc.constantFrom(...NASTY_STRINGS, ...BAD_DATES, ...BAD_INSTANTS),
    fc.string({ unit: 'binary', maxLength: 50 }),
    fc.integer({ min: 1, max: 20 }).map((n) => 'x'.repeat(Math.floor(bodyLimitBytes / n))),
    fc.integer({ min: 1, max: 800 }).map((d) => nest(d)),
    fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
    fc.anything({ maxDepth: 3 }),
  );
}

/** An object nested `depth` deep. */
export function nest(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
};

export interface FieldContext {
  seeded: Seeded;
  /** Which boundary dates this route may be sent. */
  boundaryDates: readonly string[];
  /** Only seeded ids, near dates, on-grid instants and plain text: a base for the boundary sweep. */
  realOnly?: boolean;
  /** The seeded rows an `:id` path parameter of this route names. */
  pathIds?: string[];
}

/**
 * A value shaped by a JSON Schema (as zod emits it for a request schema), with field kinds picked
 * by format, pattern and name. Not every value is valid: cross-field rules and calendar checks are
 * zod's, and the caller classifies with the zod schema.
 */
export function fromJsonSchema(js: JsonSchema, name: string, ctx: FieldContext): fc.Arbitrary<unknown> {
  if (js.enum) return fc.constantFrom(...js.enum);
  if (js.anyOf) return fc.oneof(...js.anyOf.map((x) => fromJsonSchema(x, name, ctx)));
  switch (js.type) {
    case 'object': {
      const props = Object.entries(js.properties ?? {});
      const model = Object.fromEntries(props.map(([k, v]) => [k, fromJsonSchema(v, k, ctx)]));
      return fc.record(model, { requiredKeys: js.required ?? [] });
    }
    case 'array':
      return fc.array(fromJsonSchema(js.items ?? {}, name, ctx), {
        minLength: js.minItems ?? 0,
        maxLength: ctx.realOnly ? 1 : Math.min(js.maxItems ?? 3, 3),
      });
    case 'integer': {
      const min = js.minimum ?? -1_000_000;
      const max = js.maximum ?? 1_000_000;
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 1000) }), fc.constantFrom(min, max));
    }
    case 'number':
      return fc.double({ min: js.minimum ?? -1e6, max: js.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringField(js, name, ctx);
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

function stringField(js: JsonSchema, name: string, ctx: FieldContext): fc.Arbitrary<string> {
  const s = ctx.seeded;
  if (js.format === 'uuid') {
    const ids = /^stylistId$/.test(name)
      ? s.stylistIds
      : /^serviceId$/.test(name)
        ? s.serviceIds
        : /^(customerId|actorId)$/.test(name)
          ? s.customerIds
          : /^holdId$/.test(name)
            ? s.holdIds
            : (ctx.pathIds ?? [...s.bookingIds, ...s.holdIds, ...s.overrideIds, ...s.stylistIds]);
    return uuidOf(ids, ctx.realOnly);
  }
  if (js.format === 'date-time') return instant(s, ctx.realOnly);
  if (js.pattern === '^\\d{4}-\\d{2}-\\d{2}$') return localDate(s, ctx.boundaryDates, ctx.realOnly);
  if (js.pattern?.includes('24:00')) return wallTime;
  if (/[Tt]imezone$/.test(name)) return ctx.realOnly ? fc.constant(s.zone) : fc.constantFrom(...ZONES);
  if (name === 'email' && ctx.realOnly) return fc.uuid().map((u) => `fuzz-${u.slice(0, 8)}@example.test`);
  if (name === 'email')
    return fc.oneof(
      fc.constantFrom(...s.emails),
      fc.emailAddress().filter((e) => e.length <= 254),
      fc.constantFrom('A@B.CO', ' x@y.test ', 'no-at-sign', '@', 'a@b'),
    );
  if (name === 'password')
    return ctx.realOnly ? fc.constant(s.password) : fc.oneof(fc.constant(s.password), text(js.minLength ?? 1, js.maxLength ?? 200));
  if (name === 'phone') return fc.stringMatching(/^[0-9+()\-. ]{3,40}$/);
  if (name === 'action')
    return fc.oneof(
      fc.constantFrom('booking.', 'override.create', 'customer.safety_notes.read'),
      fc.stringMatching(/^[A-Za-z0-9_.]{1,100}$/),
    );
  if (js.pattern) return fc.stringMatching(new RegExp(js.pattern));
  return text(js.minLength ?? 0, js.maxLength ?? 1000, ctx.realOnly);
}
