// The ring of recent room messages that replays finish from: trimming drops whole events only, so
// every message of an event after the floor is in the ring and none at or before it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RoomMessage } from '../../server/realtime/messages.ts';
import { MessageRing } from '../../server/realtime/replay-log.ts';

const msg = (eventId: number, room = 'all'): RoomMessage => ({
  eventId,
  rooms: [room],
  name: 'announcement',
  payload: { eventId, id: `a${eventId}`, message: room, level: 'info', audience: 'all', at: '2027-03-01T00:00:00.000Z' },
});
const ids = (ms: RoomMessage[]) => ms.map((m) => m.eventId);
const all = () => true;

describe('replay ring', () => {
  it('starts at the baseline and keeps what follows it', () => {
    const ring = new MessageRing(4);
    ring.startAt(10);
    ring.record([msg(11), msg(11, 'staff'), msg(12)]);
    expect(ring.floor).toBe(10);
    expect(ids(ring.since(10, all))).toEqual([11, 11, 12]);
    expect(ids(ring.since(11, all))).toEqual([12]);
    expect(ring.since(10, (m) => m.rooms.includes('staff'))).toEqual([msg(11, 'staff')]);
  });

  it('trims at an event boundary: never keeps part of an event', () => {
    const ring = new MessageRing(3);
    ring.startAt(10);
    ring.record([msg(11), msg(11, 'staff')]);
    ring.record([msg(12), msg(12, 'staff')]);
    // One message over: the whole of event 11 goes (not only its first message).
    expect(ring.floor).toBe(11);
    expect(ids(ring.since(0, all))).toEqual([12, 12]);
    // An event with more messages than the ring holds goes whole, with everything before it.
    ring.record([msg(13), msg(13, 'a'), msg(13, 'b'), msg(13, 'c')]);
    expect(ring.floor).toBe(13);
    expect(ring.length).toBe(0);
  });

  it('for any sequence of batches: every message after the floor is kept, none at or before it, within the size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), { maxLength: 20 }),
        (size, batches) => {
          const ring = new MessageRing(size);
          ring.startAt(100);
          const recorded: RoomMessage[] = [];
          let id = 100;
          for (const batch of batches) {
            // Each entry is one event with that many messages (0: an event that sends none).
            const messages = batch.flatMap((n) => {
              id++;
              return Array.from({ length: n }, (_, i) => msg(id, `r${i}`));
            });
            ring.record(messages);
            recorded.push(...messages);
            expect(ring.length).toBeLessThanOrEqual(size);
            expect(ring.since(0, all)).toEqual(recorded.filter((m) => m.eventId > ring.floor));
          }
        },
      ),
    );
  });
});
