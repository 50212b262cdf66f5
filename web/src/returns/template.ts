// The lines a partner's return must cover, pre-filled with its latest figures.
// Today from GET …/positions (the partner's budget lines and current figures);
// the monitoring pack's GET …/returns/template?partnerId=&period= replaces it.
import { unwrap, type Client, type FundYearRef } from '../api/client.js';
import { nextPeriod } from '../format.js';

export interface TemplateLine {
  strategyId: string;
  arrangement: 'pooled' | 'aligned';
  budget: string;
  actualToDate: string;
  forecastOutturn: string;
}

export interface ReturnTemplate {
  partnerId: string;
  lastPeriod: string | null;
  /** The period a new return would be for. */
  suggestedPeriod: string;
  lines: TemplateLine[];
}

export async function loadReturnTemplate(client: Client, ref: FundYearRef, partnerId: string): Promise<ReturnTemplate> {
  const view = await unwrap(client.GET('/v1/funds/{fundId}/years/{year}/positions', { params: { path: ref } }));
  const lastPeriod = view.partners.find((p) => p.partnerId === partnerId)?.lastPeriod ?? null;
  const lines = view.lines
    .filter((line) => line.partnerId === partnerId)
    .map((line) => ({ strategyId: line.strategyId, arrangement: line.arrangement, budget: line.budget, actualToDate: line.actualToDate, forecastOutturn: line.forecastOutturn }));
  return { partnerId, lastPeriod, suggestedPeriod: nextPeriod(lastPeriod), lines };
}
