/**
 * The shop's High, Medium and Low churn risk levels in words, as the active version set them from the shop's own
 * customers (or the fixed levels of an older version): a line beside the Customers filter, a short list on Models.
 */
import type { RiskBandsView } from '../../shared/contract/customers';
import { type RiskBand, riskLevels } from './format';

const BAND_NAMES: Record<RiskBand, string> = { high: 'High', medium: 'Medium', low: 'Low' };

function Badge({ band, children }: { band: RiskBand; children?: string }) {
  return <span className={`risk risk-${band}`}>{children ?? BAND_NAMES[band]}</span>;
}

/** One line: "Risk levels: High 62% or more · Medium 18% to 62% · Low under 18%", and where they come from. */
export function RiskLevelsLine({ bands }: { bands: RiskBandsView }) {
  const levels = riskLevels(bands);
  return (
    <p className="hint risk-levels-line" data-testid="risk-levels">
      Risk levels: <Badge band="high" /> {levels.high} · <Badge band="medium" /> {levels.medium} · <Badge band="low" />{' '}
      {levels.low}.{' '}
      {levels.usual
        ? `Set from your own customers: ${levels.usual} is the usual chance of not coming back; High is the riskiest fifth of those above it, Low less than half of it.`
        : 'Fixed levels from an older version of the predictions; Retrain on the Models page to set them from your own customers.'}
    </p>
  );
}

/** The levels as a short list with what each means: a panel of the Models page. */
export function RiskLevels({ bands, churnDays }: { bands: RiskBandsView; churnDays: number }) {
  const levels = riskLevels(bands);
  return (
    <section className="panel" aria-labelledby="risk-levels-heading" data-testid="risk-levels-panel">
      <h2 id="risk-levels-heading">High, medium and low risk</h2>
      {levels.usual ? (
        <p>
          On average, a customer of yours has a <strong data-testid="usual-risk">{levels.usual}</strong> chance of not
          buying in the next {churnDays} days. The risk levels are set from that, at every retrain, so “High” always
          means the riskiest of your own customers:
        </p>
      ) : (
        <p>
          This version uses fixed risk levels. Retrain to set them from your own customers, so that “High” means the
          riskiest of yours.
        </p>
      )}
      <dl className="facts plain risk-levels" data-testid="risk-levels" aria-label="Risk levels">
        <div className="fact">
          <dt>
            <Badge band="high">High risk</Badge>
          </dt>
          <dd>
            {levels.high}
            {levels.usual && bands.high < 1 ? ': the riskiest fifth of the customers who are riskier than usual' : ''}
          </dd>
        </div>
        <div className="fact">
          <dt>
            <Badge band="medium">Medium risk</Badge>
          </dt>
          <dd>{levels.medium}</dd>
        </div>
        <div className="fact">
          <dt>
            <Badge band="low">Low risk</Badge>
          </dt>
          <dd>
            {levels.low}
            {levels.usual ? ': less than half the usual' : ''}
          </dd>
        </div>
      </dl>
    </section>
  );
}
