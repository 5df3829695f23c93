import { z } from 'zod';
import { defineMessages } from './define';
import { Template } from './templates';
import { EmailAddress, HeaderText, MessageIdRef } from '../schemas/mail';
import { IsoDate, LocalTime, LocalTimeOrMidnight, TimeZoneName } from '../send-window';

/**
 * Sequences: a first email and follow-ups days later, sent to each enrolled
 * contact through one delivery channel, stopped when the contact replies,
 * bounces or unsubscribes. Times are epoch milliseconds throughout.
 *
 * The background owns sequences and enrolments (extension/background/sequences);
 * the options page edits them, the sidebar enrols a compose's recipients, and
 * the webmail content scripts report replies they see.
 */

export const SequenceId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _');
/** A custom merge field's name, as Liquid reads it. */
export const FieldName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a merge field name like job_title');
export const FieldValues = z.record(FieldName, z.string().max(1000)).refine((r) => Object.keys(r).length <= 50, 'at most 50 fields');

export const SequenceStep = z
  .object({
    templateId: Template.shape.id,
    /** Days after the previous step (after enrolment for the first step). */
    delayDays: z.number().int().min(0).max(365),
    /** Count the delay in business days (Monday–Friday, skipping the sequence's holidays). */
    businessDays: z.boolean(),
    /** Follow-ups only: reply in the first email's thread ("Re: <first subject>", In-Reply-To, References). */
    sameThread: z.boolean(),
  })
  .strict();
export type SequenceStep = z.infer<typeof SequenceStep>;

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** When the sequence's emails may go out, in local time. */
export const SequenceWindow = z
  .object({
    /** The rep's zone, used when a contact's zone is unknown (or contactTimeZone is off). */
    timeZone: TimeZoneName,
    start: LocalTime,
    end: LocalTimeOrMidnight,
    /** No sends on Saturdays and Sundays. */
    businessDaysOnly: z.boolean(),
    /** Local dates (YYYY-MM-DD) without sends. */
    holidays: z.array(IsoDate).max(400),
    /** Send in each contact's own time zone when it is known. */
    contactTimeZone: z.boolean(),
  })
  .strict()
  .refine((w) => minutes(w.start) < minutes(w.end), { message: 'end must be after start', path: ['end'] });
export type SequenceWindow = z.infer<typeof SequenceWindow>;

export const Sequence = z
  .object({
    id: SequenceId,
    name: z.string().trim().min(1, 'must not be empty').max(120),
    /** A ChannelView id ('gmail' or 'relay:<id>'). */
    channelId: z.string().min(1).max(200),
    steps: z.array(SequenceStep).min(1, 'add at least one step').max(10, 'at most 10 steps'),
    window: SequenceWindow,
    /** Add an unsubscribe link and List-Unsubscribe headers (RFC 8058) to every email. */
    unsubscribeLink: z.boolean(),
    createdAt: z.number(),
    updatedAt: z.number(),
  })
  .strict();
export type Sequence = z.infer<typeof Sequence>;

export const SequenceInput = Sequence.omit({ createdAt: true, updatedAt: true, id: true })
  .extend({ id: SequenceId.optional() })
  .strict();
export type SequenceInput = z.infer<typeof SequenceInput>;

/** Someone to enrol. Cc'd people get a copy of each email, and their replies stop the sequence too. */
export const Contact = z
  .object({
    address: EmailAddress,
    name: HeaderText.max(200).optional(),
    timeZone: TimeZoneName.optional(),
    cc: z.array(EmailAddress).max(20).optional(),
    fields: FieldValues.optional(),
  })
  .strict();
export type Contact = z.infer<typeof Contact>;

export const StepStatus = z.enum([
  /** Planned; not handed to a channel yet. */
  'planned',
  /** Handed to the channel for a later time (relay sendAt, or Gmail's own outbox). */
  'scheduled',
  /** Being handed over right now (Gmail): on a restart the same idempotency key is used again. */
  'sending',
  'sent',
  'failed',
  'cancelled',
]);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepState = z
  .object({
    status: StepStatus,
    /** When it is planned to go out (or went out). */
    at: z.number(),
    /** The stable idempotency key: sequenceId:contact:step (plus :rN after a resume). */
    key: z.string().min(8).max(200),
    /** Relay message id or Gmail outbox id. */
    outboxId: z.string().max(100).optional(),
    messageId: MessageIdRef.optional(),
    threadId: z.string().max(100).optional(),
    sentAt: z.number().optional(),
    error: z.string().max(500).optional(),
    /** A cancel at the relay is owed (it was unreachable when the sequence stopped). */
    cancelPending: z.boolean().optional(),
  })
  .strict();
export type StepState = z.infer<typeof StepState>;

export const EnrolmentStatus = z.enum(['active', 'paused', 'finished', 'stopped']);
export type EnrolmentStatus = z.infer<typeof EnrolmentStatus>;
export const StopReason = z.enum(['replied', 'unsubscribed', 'bounced', 'unenrolled', 'failed']);
export type StopReason = z.infer<typeof StopReason>;

export const Enrolment = z
  .object({
    sequenceId: SequenceId,
    contact: Contact,
    status: EnrolmentStatus,
    stopReason: StopReason.optional(),
    stoppedAt: z.number().optional(),
    /** What stopped it, in words (which reply, which error). */
    stopDetail: z.string().max(500).optional(),
    enrolledAt: z.number(),
    /** Bumped on every resume, so re-planned steps get fresh idempotency keys. */
    rev: z.number().int().min(0),
    /** The sending address, once known (for unsubscribe links and reply matching). */
    from: EmailAddress.optional(),
    /** This contact's signed unsubscribe link, once the relay made it (links never change). */
    unsubscribeUrl: z.string().max(2000).optional(),
    /** Values given at enrolment for everyone enrolled with this contact (the contact's own fields win). */
    fields: FieldValues.optional(),
    steps: z.array(StepState).min(1),
  })
  .strict();
export type Enrolment = z.infer<typeof Enrolment>;

export const SequenceCounts = z.object({
  total: z.number().int(),
  active: z.number().int(),
  paused: z.number().int(),
  finished: z.number().int(),
  stopped: z.number().int(),
  replied: z.number().int(),
  unsubscribed: z.number().int(),
  /** Steps sent, of all steps of every enrolment that is not stopped (plus those sent before a stop). */
  stepsSent: z.number().int(),
  stepsTotal: z.number().int(),
});
export type SequenceCounts = z.infer<typeof SequenceCounts>;

/** What every view (sidebar included) may see of a sequence: no contact addresses. */
export const SequenceSummary = z.object({
  id: SequenceId,
  name: z.string(),
  channelId: z.string(),
  channelName: z.string().nullable(),
  channelKind: z.string().nullable(),
  steps: z.number().int(),
  /** Custom merge fields the steps use (asked for at enrolment). */
  fields: z.array(z.string()),
  /** Fields no template defines and no enrolment could give (a template problem). */
  problems: z.array(z.string()),
  counts: SequenceCounts,
  nextAt: z.number().nullable(),
  finishAt: z.number().nullable(),
});
export type SequenceSummary = z.infer<typeof SequenceSummary>;

export const ContactProgress = z.object({
  address: z.string(),
  name: z.string().optional(),
  status: EnrolmentStatus,
  stopReason: StopReason.optional(),
  stopDetail: z.string().optional(),
  stepsSent: z.number().int(),
  stepsTotal: z.number().int(),
  nextAt: z.number().nullable(),
  nextStep: z.number().int().nullable(),
  lastSentAt: z.number().nullable(),
  finishAt: z.number().nullable(),
  /** A step failed or a cancel is owed: shown as attention needed. */
  error: z.string().optional(),
});
export type ContactProgress = z.infer<typeof ContactProgress>;

export const UpcomingSend = z.object({ address: z.string(), step: z.number().int(), at: z.number() });

export const SequenceDetail = z.object({
  sequence: Sequence,
  summary: SequenceSummary,
  contacts: z.array(ContactProgress),
  /** How many contacts match the filter (contacts holds one page of them). */
  matching: z.number().int(),
  /** The next sends, soonest first. */
  upcoming: z.array(UpcomingSend),
});
export type SequenceDetail = z.infer<typeof SequenceDetail>;

export const EnrolWarning = z.object({
  code: z.enum(['office365_volume', 'no_unsubscribe', 'channel_unavailable', 'relay_unreachable']),
  message: z.string(),
});
export type EnrolWarning = z.infer<typeof EnrolWarning>;

export const SkipReason = z.enum(['already_enrolled', 'unsubscribed', 'unplannable', 'duplicate']);

export const EnrolPreview = z.object({
  sequenceId: SequenceId,
  channelName: z.string().nullable(),
  contacts: z.array(z.object({ address: z.string(), firstAt: z.number(), finishAt: z.number() })),
  skipped: z.array(z.object({ address: z.string(), reason: SkipReason, message: z.string() })),
  firstAt: z.number().nullable(),
  finishAt: z.number().nullable(),
  /** Custom fields the steps use that have no value yet: enrolment is refused until they do. */
  missingFields: z.array(z.string()),
  /** Most emails the enrolment puts in any 24 hours on the channel (with what is already planned there). */
  peakPerDay: z.number().int(),
  warnings: z.array(EnrolWarning),
});
export type EnrolPreview = z.infer<typeof EnrolPreview>;

export const EnrolResult = EnrolPreview.extend({
  enrolled: z.number().int(),
  /** Steps the relay already holds (they go out with the browser closed). */
  handedOver: z.number().int(),
  /** Steps still to hand over (continuing in the background). */
  pending: z.number().int(),
});
export type EnrolResult = z.infer<typeof EnrolResult>;

const EnrolRequest = z
  .object({
    sequenceId: SequenceId,
    contacts: z.array(Contact).min(1).max(5000),
    /** Custom field values for everyone (a contact's own fields win). */
    fields: FieldValues.optional(),
  })
  .strict();

/** Something a content script saw in the webmail: a message from these senders. */
export const Sighting = z
  .object({
    webmail: z.enum(['gmail', 'outlook']),
    kind: z.enum(['row', 'thread']),
    /** Who sent it (a list row can name several senders of one conversation). */
    from: z.array(EmailAddress).min(1).max(50),
    /** Other people on the message (To/Cc), when the view shows them. */
    others: z.array(EmailAddress).max(100).optional(),
    /** When it arrived, when the page says; unknown otherwise. */
    at: z.number().optional(),
    unread: z.boolean().optional(),
  })
  .strict();
export type Sighting = z.infer<typeof Sighting>;

const Addresses = z.array(EmailAddress).min(1).max(5000);

export const sequenceMessages = defineMessages({
  /** Every sequence with its counts (the sidebar lists these; no contact addresses). */
  'sequences.list': {
    request: z.object({}).strict(),
    response: z.object({ sequences: z.array(SequenceSummary) }),
  },
  'sequences.get': {
    request: z
      .object({
        id: SequenceId,
        filter: z.enum(['all', 'active', 'paused', 'finished', 'stopped', 'attention']).default('all'),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    response: SequenceDetail,
    trusted: true,
  },
  'sequences.save': {
    request: SequenceInput,
    response: Sequence,
    trusted: true,
  },
  /** Stops every enrolment (cancelling what the relay holds) and deletes the sequence. */
  'sequences.delete': {
    request: z.object({ id: SequenceId }).strict(),
    response: z.object({ deleted: z.boolean() }),
    trusted: true,
  },
  /** What enrolling these contacts would do: each one's first send, the finish, warnings. Nothing is stored. */
  'sequences.preview': {
    request: EnrolRequest,
    response: EnrolPreview,
  },
  /** Enrols the contacts: plans every step and hands relay steps to the relay with their sendAt. */
  'sequences.enrol': {
    request: EnrolRequest,
    response: EnrolResult,
  },
  /** Pause or resume contacts (all of the sequence's when `addresses` is left out). */
  'sequences.setPaused': {
    request: z.object({ sequenceId: SequenceId, addresses: Addresses.optional(), paused: z.boolean() }).strict(),
    response: z.object({ changed: z.number().int() }),
    trusted: true,
  },
  'sequences.unenrol': {
    request: z.object({ sequenceId: SequenceId, addresses: Addresses }).strict(),
    response: z.object({ stopped: z.number().int() }),
    trusted: true,
  },
  /** Asks the relay now what became of handed-over steps, and who unsubscribed. */
  'sequences.sync': {
    request: z.object({}).strict(),
    response: z.object({ updated: z.number().int() }),
    trusted: true,
  },
  /** Whose mail the content scripts look out for: enrolled contacts, their Cc's and company domains. */
  'sequences.watchList': {
    request: z.object({}).strict(),
    response: z.object({ addresses: z.array(z.string()), domains: z.array(z.string()) }),
  },
  /** A content script saw mail from watched people; the background decides who replied and stops them. */
  'sequences.replySeen': {
    request: z.object({ sightings: z.array(Sighting).min(1).max(200) }).strict(),
    response: z.object({ stopped: z.number().int() }),
  },
});
