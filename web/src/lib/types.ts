// Wire types the web app uses, all from the shared contract (server/contract/*.ts). Type-only
// imports: nothing of zod or the server reaches the browser bundle.
export type { Slot, SlotStatus, SalonDto, ServiceDto, StylistDto } from '../../../server/contract/slots.ts';
export type { AvailableDay, DayStatus } from '../../../server/contract/slots.ts';
export type { ErrorCode } from '../../../server/contract/errors.ts';
export type { Role, UserDto as User } from '../../../server/contract/auth.ts';
export type {
  HoldDto as Hold,
  BookingDto as Booking,
  BookingStatus,
  CustomerContext,
  BookingWithCustomerDto as StylistBooking,
  SafetyNotesDto,
  StylistDayDto as StylistDay,
  BookingAttention,
  BookingAlternativeDto as BookingAlternative,
  BookingAlternativesDto as BookingAlternatives,
} from '../../../server/contract/bookings.ts';
export type {
  OverrideDto as Override,
  CreateOverrideBody as OverrideInput,
  CreateStylistBody as NewStylistInput,
  CreateOverrideResponse,
  AuditEntryDto as AuditEntry,
  ScheduleDto,
  CurrentScheduleDto as CurrentSchedule,
  OverridePreviewResponse,
  CurrentAnnouncementDto as CurrentAnnouncement,
  AffectedBookingDto as AffectedBooking,
} from '../../../server/contract/admin.ts';
export type {
  Ack,
  ClientToServerEvents,
  ServerToClientEvents,
  SlotsWatchPayload as SlotsKey,
  SlotsUpdatePayload as SlotsUpdate,
  SlotsUpdateReason as SlotsReason,
  AnnouncementPayload,
} from '../../../server/contract/socket.ts';
export type {
  ReportSummaryDto as ReportSummary,
  ReportRowDto as ReportRow,
  ReportFiguresDto as ReportFigures,
} from '../../../server/contract/reports.ts';
export type { DaysWatchPayload as DaysKey, DaysUpdatePayload as DaysUpdate } from '../../../server/contract/socket.ts';
export type { MessageSummaryDto as MessageSummary, MessageDto as Message, MessageStatus } from '../../../server/contract/messages.ts';
export type {
  ManageViewDto as ManageView,
  ManageResultDto as ManageResult,
  ManageAction,
  FeedTokenDto as FeedToken,
} from '../../../server/contract/manage.ts';
import type { ScheduleBody } from '../../../server/contract/admin.ts';
import type { AnnouncementPayload } from '../../../server/contract/socket.ts';

export type ScheduleDay = ScheduleBody['days'][number];
export type AnnouncementLevel = AnnouncementPayload['level'];
export type Audience = AnnouncementPayload['audience'];
/** An announcement as shown: the socket payload (its eventId is only for resuming). */
export type Announcement = Omit<AnnouncementPayload, 'eventId'> & { eventId?: number };
export type {
  DeskCalendarDto as DeskCalendar,
  DeskColumnDto as DeskColumn,
  DeskBookingDto as DeskBooking,
  DeskHoldDto as DeskHold,
  DeskCustomerDto as DeskCustomer,
  DeskBookingBody as DeskBookingInput,
  CalendarChangedPayload,
} from '../../../server/contract/desk.ts';
export type {
  WaitlistEntryDto as WaitlistEntry,
  WaitlistOfferDto as WaitlistOffer,
  JoinWaitlistBody as WaitlistJoin,
} from '../../../server/contract/waitlist.ts';
export type { WaitlistOfferPayload } from '../../../server/contract/socket.ts';
export type {
  AdminStylistDetailDto as AdminStylist,
  AdminServiceDto as AdminService,
  PatchStylistBody as StylistPatch,
  PatchStylistResponse,
  CreateServiceBody as NewServiceInput,
  PatchServiceBody as ServicePatch,
} from '../../../server/contract/stylist-admin.ts';
export type {
  TimeOffBody as TimeOffInput,
  TimeOffCreatedDto as TimeOffCreated,
  TimeOffListDto as TimeOffList,
  TimeOffRequestDto as TimeOffRequest,
} from '../../../server/contract/time-off.ts';
