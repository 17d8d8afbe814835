// Support's view of registration journeys, read from Temporal: "stuck" is a visibility query over
// the hub's search attributes; one journey's story is its event history merged with the audit log.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { google, temporal as proto } from '@temporalio/proto';
import { findSchool, type School } from '../../db/repositories/schools.js';
import type { Queryable } from '../../infra/postgres.js';
import { HubJourney, HubSchool, HubStage, HubStuckSince, HubWaitingOn } from '../../workflows/search-attributes.js';
import { fill, words } from '../../i18n/index.js';
import { formatLocalTime } from '../messages.js';
import type { stuckQuery } from '../schemas/support.js';
import type { z } from 'zod';
import type { Lang } from '../messages.js';
import { activityTitle, journeyTitle, stageTitle, updateTitle, waitingOnLabel } from './wording.js';

/** Journeys without a school (signup) are shown in Moscow time, the zone most Russian services use. */
export const FALLBACK_TIMEZONE = 'Europe/Moscow';

type StuckFilter = z.infer<typeof stuckQuery>;

const quote = (v: string): string => `'${v.replace(/['\\]/g, '')}'`;

/** The visibility query for running journeys that wait on someone, with the support filters. */
export function stuckVisibilityQuery(f: StuckFilter, now: Date): string {
  const parts = [`ExecutionStatus = 'Running'`, `HubStuckSince IS NOT NULL`];
  if (f.journey) parts.push(`HubJourney = ${quote(f.journey)}`);
  if (f.stage) parts.push(`HubStage = ${quote(f.stage)}`);
  if (f.school) parts.push(`HubSchool = ${quote(f.school)}`);
  if (f.waitingOn) parts.push(`HubWaitingOn = ${quote(f.waitingOn)}`);
  if (f.minAgeMinutes > 0) {
    parts.push(`HubStuckSince <= ${quote(new Date(now.getTime() - f.minAgeMinutes * 60_000).toISOString())}`);
  }
  return parts.join(' AND ');
}

export interface SchoolBrief {
  id: string;
  name: string;
  timezone: string;
}

const brief = (s: School | undefined): SchoolBrief | null => (s ? { id: s.id, name: s.name, timezone: s.timezone } : null);

/** Looks schools up once per request. */
export function schoolCache(db: Queryable) {
  const cache = new Map<string, Promise<School | undefined>>();
  return (id: string | undefined | null): Promise<School | undefined> => {
    if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return Promise.resolve(undefined);
    if (!cache.has(id)) cache.set(id, findSchool(db, id).catch(() => undefined));
    return cache.get(id)!;
  };
}

function attrs(info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>) {
  const sa = info.typedSearchAttributes;
  return {
    journey: sa.get(HubJourney) ?? null,
    stage: sa.get(HubStage) ?? null,
    school: sa.get(HubSchool) ?? null,
    waitingOn: sa.get(HubWaitingOn) ?? null,
    stuckSince: sa.get(HubStuckSince) ?? null,
  };
}

export async function listStuck(temporal: Client, db: Queryable, f: StuckFilter, lang: Lang, now = new Date()) {
  const school = schoolCache(db);
  const found: WorkflowExecutionInfo[] = [];
  for await (const info of temporal.workflow.list({ query: stuckVisibilityQuery(f, now) })) {
    found.push(info);
    if (found.length >= 2000) break; // a bound on one page of support's list; sorted below
  }
  const items = await Promise.all(
    found.map(async (info) => {
      const a = attrs(info);
      const s = brief(await school(a.school));
      const since = a.stuckSince ?? info.startTime;
      const journey = a.journey ?? info.type;
      return {
        workflowId: info.workflowId,
        journey,
        journeyTitle: journeyTitle(journey, lang),
        stage: a.stage,
        stageTitle: stageTitle(a.stage, lang),
        waitingOn: a.waitingOn,
        waitingOnTitle: waitingOnLabel(a.waitingOn, lang),
        stuckSince: since.toISOString(),
        ageMinutes: Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000)),
        school: s,
        timezone: s?.timezone ?? FALLBACK_TIMEZONE,
        stuckSinceLocal: formatLocalTime(since, s?.timezone ?? FALLBACK_TIMEZONE, lang),
      };
    }),
  );
  items.sort((x, y) => y.ageMinutes - x.ageMinutes || x.workflowId.localeCompare(y.workflowId));
  return items.slice(0, f.limit);
}

export interface WorkflowFacts {
  workflowId: string;
  type: string;
  status: string;
  journey: string;
  stage: string | null;
  waitingOn: string | null;
  school: string | null;
  stuckSince: Date | null;
  startTime: Date;
  /** The workflow's start input (ids only: no personal data goes into workflow inputs). */
  input: Record<string, unknown>;
  requestId: string | null;
  events: TimelineEvent[];
  schoolRow: School | undefined;
}

export interface TimelineEvent {
  at: Date;
  text: string;
}

/** Runs a payload through the codecs in reverse order, as the SDK does; an undecodable one is left as it is. */
async function decodePayloads(codecs: readonly PayloadCodec[], p: Payload): Promise<Payload> {
  let out = p;
  try {
    for (const codec of [...codecs].reverse()) out = (await codec.decode([out]))[0] ?? out;
  } catch {
    return p;
  }
  return out;
}

const decode = (p: Payload | null | undefined): unknown => {
  if (!p) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(p);
  } catch {
    return undefined;
  }
};

const eventTime = (e: proto.api.history.v1.IHistoryEvent): Date => {
  const t = e.eventTime;
  const seconds = t?.seconds ? Number(t.seconds) : 0;
  return new Date(seconds * 1000 + Math.floor((t?.nanos ?? 0) / 1e6));
};

const durationMs = (d: google.protobuf.IDuration | null | undefined): number =>
  (d?.seconds ? Number(d.seconds) : 0) * 1000 + Math.floor((d?.nanos ?? 0) / 1e6);

/** One line per event a person would care about; bookkeeping events (tasks) are left out. */
function eventText(e: proto.api.history.v1.IHistoryEvent, timeZone: string, lang: Lang): string | undefined {
  const t = words(lang).support.events;
  if (e.workflowExecutionStartedEventAttributes) return t.started;
  const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
  if (accepted) return updateTitle(accepted.acceptedRequest?.input?.name ?? '', lang);
  if (e.activityTaskScheduledEventAttributes) return activityTitle(e.activityTaskScheduledEventAttributes.activityType?.name ?? '', lang);
  if (e.activityTaskFailedEventAttributes) return fill(t.activityFailed, { message: e.activityTaskFailedEventAttributes.failure?.message ?? '' });
  if (e.timerStartedEventAttributes) {
    const until = new Date(eventTime(e).getTime() + durationMs(e.timerStartedEventAttributes.startToFireTimeout));
    return fill(t.waitUntil, { time: formatLocalTime(until, timeZone, lang) });
  }
  if (e.timerFiredEventAttributes) return t.timerFired;
  if (e.workflowExecutionSignaledEventAttributes) return fill(t.signal, { name: e.workflowExecutionSignaledEventAttributes.signalName ?? '' });
  const upsert = e.upsertWorkflowSearchAttributesEventAttributes;
  if (upsert) {
    const stage = decode(upsert.searchAttributes?.indexedFields?.HubStage as Payload | undefined);
    if (typeof stage === 'string') return fill(t.stage, { stage: stageTitle(stage, lang) });
    return undefined;
  }
  if (e.startChildWorkflowExecutionInitiatedEventAttributes) {
    return fill(t.childStarted, { workflowId: e.startChildWorkflowExecutionInitiatedEventAttributes.workflowId ?? '' });
  }
  if (e.workflowExecutionCompletedEventAttributes) return t.completed;
  if (e.workflowExecutionFailedEventAttributes) return fill(t.failed, { message: e.workflowExecutionFailedEventAttributes.failure?.message ?? '' });
  if (e.workflowExecutionTerminatedEventAttributes) return fill(t.terminated, { reason: e.workflowExecutionTerminatedEventAttributes.reason ?? '' });
  if (e.workflowExecutionCanceledEventAttributes) return t.canceled;
  if (e.workflowExecutionTimedOutEventAttributes) return t.timedOut;
  if (e.workflowExecutionContinuedAsNewEventAttributes) return t.continuedAsNew;
  return undefined;
}

export async function workflowFacts(temporal: Client, db: Queryable, workflowId: string, lang: Lang = 'ru'): Promise<WorkflowFacts> {
  const handle = temporal.workflow.getHandle(workflowId);
  const desc = await handle.describe();
  const a = attrs(desc);
  const schoolRow = await schoolCache(db)(a.school);
  const zone = schoolRow?.timezone ?? FALLBACK_TIMEZONE;
  const history = await handle.fetchHistory();
  const events: TimelineEvent[] = [];
  let input: Record<string, unknown> = {};
  // Payloads are encrypted (infra/payload-codec.ts): the client's own codecs decrypt the start input.
  const codecs = temporal.workflow.options.loadedDataConverter.payloadCodecs;
  for (const e of history.events ?? []) {
    const started = e.workflowExecutionStartedEventAttributes;
    const first = started?.input?.payloads?.[0];
    if (first) input = (decode(await decodePayloads(codecs, first)) as Record<string, unknown> | undefined) ?? {};
    const text = eventText(e, zone, lang);
    if (text) events.push({ at: eventTime(e), text });
  }
  const memoRequestId = desc.memo?.requestId;
  return {
    workflowId,
    type: desc.type,
    status: desc.status.name,
    journey: a.journey ?? desc.type,
    stage: a.stage,
    waitingOn: a.waitingOn,
    school: a.school,
    stuckSince: a.stuckSince,
    startTime: desc.startTime,
    input,
    requestId: typeof memoRequestId === 'string' ? memoRequestId : null,
    events,
    schoolRow,
  };
}

