// The fund-year's settings (MONITORING.md §5): the RAG thresholds of the monitoring pack. A
// change is an event, so a pack at an earlier revision keeps the thresholds then in force.
// Thresholds colour the pack only; no settlement reads them, so they may change after close.
import { checkRagThresholds } from '../monitoring/rules.js';
import { requireRole } from '../roles.js';
import { requireExisting } from './access.js';
import type { ChangeSettings } from './commands.js';
import type { FundYearEvent } from './events.js';
import type { FundYearState } from './state.js';

export function decideSettings({ actor, data }: ChangeSettings, state: FundYearState): FundYearEvent[] {
  requireRole(actor, 'changeSettings');
  requireExisting(state);
  // The shape (two strings) is the schema's, checked at the edge; the pattern again here, with
  // the order of the two, so that no caller records thresholds the pack cannot read.
  // 422 rag-thresholds-invalid: a bad pattern, red above 100, or amber not below red.
  checkRagThresholds(data.rag);
  const { amberPercent, redPercent } = data.rag;
  return [{ type: 'SettingsChanged', data: { rag: { amberPercent, redPercent } } }];
}
