// Big logs, fast. One fund-year is written through the real service (so every
// event is exactly what the service writes: a full year of returns with
// corrections, a close, an adjustment and a final settlement); the log is then
// filled with copies of that stream under other fund ids, each copy one append
// (one transaction) through the embedded adapter.
import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, RecordedEvent } from '../src/store/port.js';
import type { FundYearService, Principal, RequestContext, FundYearRef } from '../src/app/service-types.js';
import { fundYearStream } from '../src/domain/fundyear/ids.js';
import { PARTNERS, YEAR, agreementBody, budgetBody, fundId, openBody, returnBody } from './fixtures.js';

export const ADMIN: Principal = { name: 'bench-admin', role: 'admin', funds: ['*'] };

export function partnerPrincipal(partnerIndex: number): Principal {
  const partnerId = PARTNERS[partnerIndex % PARTNERS.length]!;
  return { name: `${partnerId}-finance`, role: 'partner', partnerId, funds: ['*'] };
}

export function context(principal: Principal): RequestContext {
  return { principal, requestId: randomUUID(), receivedAt: '2016-04-20T09:30:00.000Z' };
}

/** Months whose returns are corrected once by each partner. */
const CORRECTED_MONTHS = [3, 6, 9, 12];

/** A fund-year ready for returns: opened, budget set, agreement adopted, M1–M12 returned by every partner. */
export async function writeOpenFundYear(service: FundYearService, ref: FundYearRef, index: number): Promise<void> {
  await service.openFundYear(context(ADMIN), ref, openBody(index));
  await service.setBudget(context(ADMIN), ref, budgetBody());
  const { version } = await service.proposeAgreement(context(ADMIN), ref, agreementBody());
  for (let p = 0; p < PARTNERS.length; p++) await service.acceptAgreement(context(partnerPrincipal(p)), ref, version);
  for (let month = 1; month <= 12; month++) {
    for (let p = 0; p < PARTNERS.length; p++) await service.submitReturn(context(partnerPrincipal(p)), ref, returnBody(p, month));
  }
}

/**
 * A whole year through the service: open, budget, agreement adopted, 12 monthly
 * returns per partner with corrections, close, one adjustment, a final settlement.
 */
export async function writeFundYear(service: FundYearService, ref: FundYearRef, index: number): Promise<void> {
  await service.openFundYear(context(ADMIN), ref, openBody(index));
  await service.setBudget(context(ADMIN), ref, budgetBody());
  const { version } = await service.proposeAgreement(context(ADMIN), ref, agreementBody());
  for (let p = 0; p < PARTNERS.length; p++) await service.acceptAgreement(context(partnerPrincipal(p)), ref, version);
  for (let month = 1; month <= 12; month++) {
    for (let p = 0; p < PARTNERS.length; p++) {
      await service.submitReturn(context(partnerPrincipal(p)), ref, returnBody(p, month));
      if (CORRECTED_MONTHS.includes(month)) {
        await service.submitReturn(context(partnerPrincipal(p)), ref, returnBody(p, month, 1, true));
      }
    }
  }
  await service.closeYear(context(ADMIN), ref);
  await service.adjustOutturn(context(ADMIN), ref, {
    partnerId: 'ccg',
    strategyId: 'strategy-01',
    arrangement: 'pooled',
    amount: '12500.00',
    reason: 'late invoice',
  });
  await service.calculateSettlement(context(ADMIN), ref, { mode: 'final' });
}

interface TemplateEvent {
  type: string;
  /** The data object, shared by every copy, when it does not name the fund. */
  data?: unknown;
  /** Else its JSON with the fund id to substitute. */
  dataJson?: string;
  metadata: unknown;
}

/** Copies one fund-year stream into the log again and again, each copy under a new fund id. */
export class LogFiller {
  private readonly template: TemplateEvent[];
  private readonly templateFundId: string;
  private nextIndex: number;
  /** Events in the log so far (the template included). */
  count: number;

  private constructor(template: TemplateEvent[], templateFundId: string, firstIndex: number, count: number) {
    this.template = template;
    this.templateFundId = templateFundId;
    this.nextIndex = firstIndex;
    this.count = count;
  }

  /** Writes the template fund-year through `service` (on `store`) and returns a filler copying it. */
  static async create(
    service: FundYearService,
    store: EventStore,
    templateIndex: number,
    write: typeof writeFundYear = writeFundYear,
  ): Promise<LogFiller> {
    const ref = { fundId: fundId(templateIndex), year: YEAR };
    await write(service, ref, templateIndex);
    const events = await store.readStream(fundYearStream(ref.fundId, ref.year));
    const count = (await store.readAll()).length;
    return new LogFiller(events.map((e) => toTemplate(e, ref.fundId)), ref.fundId, templateIndex + 1, count);
  }

  get eventsPerFundYear(): number {
    return this.template.length;
  }

  /** Appends copies (the last one cut short if need be) until the log holds `target` events. */
  async fillTo(store: EventStore, target: number): Promise<void> {
    while (this.count < target) {
      const n = Math.min(this.template.length, target - this.count);
      const id = fundId(this.nextIndex++);
      const events: EventToAppend[] = [];
      for (let i = 0; i < n; i++) events.push(this.copy(this.template[i]!, id));
      await store.append(fundYearStream(id, YEAR), events, { expectedRevision: 'no_stream' });
      this.count += n;
    }
  }

  /** Appends `copies` more copies of the template; returns their fund indexes. */
  async addCopies(store: EventStore, copies: number): Promise<number[]> {
    const first = this.nextIndex;
    await this.fillTo(store, this.count + copies * this.template.length);
    return Array.from({ length: copies }, (_, i) => first + i);
  }

  /** Reserves a fund index the filler will not use (for a fund-year written some other way). */
  takeIndex(): number {
    return this.nextIndex++;
  }

  private copy(t: TemplateEvent, id: string): EventToAppend {
    const data = t.dataJson === undefined ? t.data : (JSON.parse(t.dataJson.replaceAll(this.templateFundId, id)) as unknown);
    return { id: randomUUID(), type: t.type, data, metadata: t.metadata };
  }
}

function toTemplate(event: RecordedEvent, templateFundId: string): TemplateEvent {
  const json = JSON.stringify(event.data);
  if (json.includes(templateFundId)) return { type: event.type, dataJson: json, metadata: event.metadata };
  return { type: event.type, data: event.data, metadata: event.metadata };
}
