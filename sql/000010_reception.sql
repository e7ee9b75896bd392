-- The front desk's role (docs/domain.md §7): reception staff book, move, cancel and mark bookings
-- for any stylist, without managing stylists, schedules, overrides or announcements.
-- Forward-only: never edit this file once shipped; add a new numbered migration instead.
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check check (role in ('customer', 'stylist', 'reception', 'admin'));
