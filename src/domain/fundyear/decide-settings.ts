// The fund-year's settings (MONITORING.md §5): the RAG thresholds of the monitoring pack. A
// change is an event, so a pack at an earlier revision keeps the thresholds then in force.
// Thresholds colour the pack only; no settlement reads them, so they may change after close.
import { DomainError } from '../errors.js';
import { checkRagThresholds } from '../monitoring/rules.js';
import { requireExisting, requireRole } from './access.js';
import type { ChangeSettings } from './commands.js';
import type { FundYearEvent } from './events.js';
import type { FundYearState } from './state.js';

export function decideSettings({ actor, data }: ChangeSettings, state: FundYearState): FundYearEvent[] {
  requireRole(actor, ['admin'], 'changing the settings');
  requireExisting(state);
  // The schema has checked the shape over HTTP; other callers (the demo, tests) are checked here too.
  if (typeof data.rag !== 'object' || data.rag === null) {
    throw new DomainError('bad-request', 'invalid-settings', 'settings need RAG thresholds', [{ path: '/rag', message: 'must be {"amberPercent", "redPercent"}' }]);
  }
  // 422 rag-thresholds-invalid: a bad pattern, red above 100, or amber not below red.
  checkRagThresholds(data.rag);
  const { amberPercent, redPercent } = data.rag;
  return [{ type: 'SettingsChanged', data: { rag: { amberPercent, redPercent } } }];
}
