// Watches one stylist's day over Socket.IO and prints every slots:update with the time it arrived.
//   npm run watch -- [--url http://localhost:3000] [--stylist ID] [--service ID] [--date YYYY-MM-DD]
// Without ids it picks the first stylist and its first service from the catalogue, and the first
// day from the day after tomorrow (in the stylist's zone) that has a free slot. Used to check "a booking made with curl or psql reaches a
// watcher within milliseconds" by hand (README, docs/operations.md).
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { DateTime } from 'luxon';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract/socket.ts';
import type { StylistDto } from '../../server/contract/slots.ts';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://localhost:3000' },
    stylist: { type: 'string' },
    service: { type: 'string' },
    date: { type: 'string' },
  },
});

const stylists = (await (await fetch(`${a.url}/api/stylists`)).json()) as StylistDto[];
const stylist = stylists.find((s) => s.id === a.stylist) ?? stylists[0];
const serviceId = a.service ?? stylist.services[0].id;
async function firstOpenDay(): Promise<string> {
  const start = DateTime.now().setZone(stylist.timezone).plus({ days: 2 });
  for (let d = 0; d < 14; d++) {
    const day = start.plus({ days: d }).toISODate()!;
    const q = new URLSearchParams({ stylistId: stylist.id, serviceId, targetDate: day });
    const slots = (await (await fetch(`${a.url}/api/bookings/available-slots?${q}`)).json()) as { status: string }[];
    if (slots.some((s) => s.status === 'available')) return day;
  }
  return start.toISODate()!;
}
const date = a.date ?? (await firstOpenDay());

const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(a.url, { transports: ['websocket'] });
const stamp = () => new Date().toISOString().slice(11, 23);
const summary = (slots: { status: string }[]) => {
  const n: Record<string, number> = {};
  for (const s of slots) n[s.status] = (n[s.status] ?? 0) + 1;
  return Object.entries(n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
};

socket.on('connect', () => {
  socket.emit('slots:watch', { stylistId: stylist.id, serviceId, date }, (ack) => {
    if (!ack.ok) {
      console.error(`watch refused: ${ack.error.code} ${ack.error.message}`);
      process.exit(1);
    }
    console.log(
      `${stamp()} watching ${stylist.displayName} (${stylist.id}), service ${serviceId}, ${date}: version ${ack.data.version}; ${summary(ack.data.slots)}`,
    );
  });
});
socket.on('slots:update', (u) => {
  console.log(`${stamp()} slots:update version ${u.version} (${u.reason}); ${summary(u.slots)}`);
});
socket.on('connect_error', (err) => console.error(`${stamp()} connection failed: ${err.message}`));
socket.on('disconnect', (reason) => console.log(`${stamp()} disconnected: ${reason}`));
process.on('SIGINT', () => {
  socket.close();
  process.exit(0);
});
