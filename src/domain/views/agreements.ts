// The agreement versions of a fund-year, who accepted each, and which is adopted.
import { adoptedAgreement, type ExistingFundYear } from '../fundyear/state.js';
import type { AgreementsView } from './types.js';

export function agreementsView(fy: ExistingFundYear): AgreementsView {
  const adoptedVersion = adoptedAgreement(fy)?.version ?? null;
  return {
    adoptedVersion,
    versions: fy.agreements.map((a) => ({
      version: a.version, terms: a.terms, proposedBy: a.proposedBy, acceptedBy: [...a.acceptedBy], adopted: a.version === adoptedVersion,
    })),
  };
}
