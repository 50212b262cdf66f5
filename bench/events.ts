// Event payloads for the store scenario: monthly returns as the service records
// them (20 lines, with request metadata), so bytes per event are realistic.
import { randomUUID } from 'node:crypto';
import type { EventToAppend } from '../src/store/port.js';
import { PARTNERS, fundId, returnBody, YEAR } from './fixtures.js';

export function returnEvent(partnerIndex: number, month: number, variant: number): EventToAppend {
  const body = returnBody(partnerIndex, month, variant, variant > 0);
  const partnerId = PARTNERS[partnerIndex % PARTNERS.length]!;
  return {
    id: randomUUID(),
    type: 'MonthlyReturnSubmitted',
    data: { returnId: randomUUID(), ...body, correction: variant > 0 },
    metadata: {
      principal: `${partnerId}-finance`,
      partnerId,
      requestId: randomUUID(),
      recordedAt: '2016-04-20T09:30:00.000Z',
    },
  };
}

export function benchStream(index: number): string {
  return `fundyear-${fundId(index)}-${YEAR}`;
}
