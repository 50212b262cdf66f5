// The bench's fund-year: two partners, ten strategies, every strategy pooled and
// aligned for each partner, so a partner's monthly return has 20 budget lines
// (issue 6). Amounts are made from integer pence and printed as strings.
import type {
  OpenFundYearBody,
  ProposeAgreementBody,
  SetBudgetBody,
  SubmitReturnBody,
} from '../src/app/service-types.js';
import type { ReturnLine } from '../src/domain/fundyear/events.js';
import type { Arrangement } from '../src/domain/terms-types.js';

export const PARTNERS = ['ccg', 'council'] as const;
export const STRATEGIES = Array.from({ length: 10 }, (_, i) => `strategy-${String(i + 1).padStart(2, '0')}`);
export const ARRANGEMENTS: readonly Arrangement[] = ['pooled', 'aligned'];
export const LINES_PER_RETURN = STRATEGIES.length * ARRANGEMENTS.length;
export const YEAR = '2015-16';

/** Pence as a decimal string, e.g. 123456 → "1234.56". */
export function penceToAmount(pence: number): string {
  if (!Number.isSafeInteger(pence)) throw new RangeError(`not whole pence: ${pence}`);
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

export function fundId(index: number): string {
  return `bench-fund-${String(index).padStart(7, '0')}`;
}

export function openBody(index: number): OpenFundYearBody {
  return {
    name: `Bench fund ${index}`,
    partners: PARTNERS.map((partnerId) => ({ partnerId, name: partnerId.toUpperCase() })),
    strategies: STRATEGIES.map((strategyId) => ({ strategyId, name: strategyId })),
  };
}

function budgetPence(strategyIndex: number, partnerIndex: number, arrangement: Arrangement): number {
  const base = 1_000_000_00 + strategyIndex * 25_000_00 + partnerIndex * 7_500_00;
  return arrangement === 'pooled' ? base : Math.floor(base / 4);
}

export function budgetBody(): SetBudgetBody {
  const lines: SetBudgetBody['lines'] = [];
  PARTNERS.forEach((partnerId, p) => {
    STRATEGIES.forEach((strategyId, s) => {
      for (const arrangement of ARRANGEMENTS) {
        lines.push({ strategyId, partnerId, arrangement, amount: penceToAmount(budgetPence(s, p, arrangement)) });
      }
    });
  });
  return { lines };
}

export function agreementBody(): ProposeAgreementBody {
  return {
    terms: {
      pots: [
        {
          potId: 'integrated-fund',
          strategies: [...STRATEGIES],
          overspend: {
            bands: [
              { upToPercentOfBudget: '1', basis: 'contribution' },
              { basis: 'fixed', weights: { ccg: '0.5', council: '0.5' } },
            ],
            caps: { council: '250000.00' },
          },
          underspend: { bands: [{ basis: 'contribution' }] },
        },
      ],
    },
  };
}

/**
 * One partner's return for period `M<month>`; `variant` shifts the figures so a
 * correction differs from the return it corrects.
 */
export function returnBody(partnerIndex: number, month: number, variant = 0, correction = false): SubmitReturnBody {
  const partnerId = PARTNERS[partnerIndex % PARTNERS.length]!;
  const lines: ReturnLine[] = [];
  STRATEGIES.forEach((strategyId, s) => {
    for (const arrangement of ARRANGEMENTS) {
      const budget = budgetPence(s, partnerIndex % PARTNERS.length, arrangement);
      // Over- or underspend of up to ±3%, varying by line, month and variant.
      const drift = ((s * 7 + month * 3 + variant * 11 + (arrangement === 'pooled' ? 0 : 5)) % 13) - 6;
      const forecast = budget + Math.trunc((budget * drift) / 200);
      const actual = Math.trunc((forecast * month) / 12);
      lines.push({ strategyId, arrangement, actualToDate: penceToAmount(actual), forecastOutturn: penceToAmount(forecast) });
    }
  });
  const body: SubmitReturnBody = { partnerId, period: `M${month}`, lines };
  if (correction) body.correction = true;
  return body;
}
