/**
 * Models: Retrain (followed stage by stage, with Cancel), how good the active
 * version's predictions are in words (raw numbers beside them), the spread of
 * churn risk and predicted value, what the churn model looks at most, and every
 * version with the choice to go back to an earlier one.
 */
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import type { AppError } from '../../../shared/contract/errors';
import type { CommandOutput } from '../../../shared/contract/index';
import {
  type ModelMetrics,
  type ModelsOverview,
  type ModelVersionView,
  type PredictionMethod,
  RETRAIN_STAGES,
  type RetrainJobView,
  type SegmentView,
} from '../../../shared/contract/models';
import { riskBandOf } from '../../../shared/risk-band';
import { client } from '../client';
import { asAppError, ConfirmAction, PageHeader, Problem, ProgressBar, SectionHead, TableScroll } from '../components';
import { formatDate, formatDateTime, formatDuration, formatNumber, formatPercent, formatWholeMoney } from '../format';
import { RiskLevels } from '../risk-levels';
import { type Loaded, useCommand } from '../use-command';
import { usePolledJob } from '../use-polled-job';

type Stage = (typeof RETRAIN_STAGES)[number];

const STAGE_WORDS: Record<Stage, string> = {
  checking: 'Checking your data',
  features: 'Building customer features',
  churn: 'Learning churn risk',
  value: 'Learning customer value',
  predictions: 'Scoring every customer',
  segments: 'Grouping customers into segments',
  recommendations: 'Finding products to recommend',
  saving: 'Saving',
};

/** Which method made a version's predictions, in words: short for the versions list, in full for the active one. */
const METHOD_WORDS: Record<PredictionMethod, { short: string; full: string }> = {
  trees: { short: 'Learned from your shop’s history', full: 'Learned from your shop’s history.' },
  bgnbd: {
    short: 'Small-shop mode',
    full: 'Small-shop mode: not enough history yet for learned models, so predictions come from each customer’s purchase pattern (BG/NBD).',
  },
};

/** What a measure that could not be worked out says instead. */
const NOT_MEASURED = 'Could not be measured yet: too few customers';

const POLL_MS = 400;

export function ModelsPage() {
  const overview = useCommand('models.overview', {});
  const versions = useCommand('models.versions', {});
  const settings = useCommand('settings.get', {});
  const currency = settings.data?.currency;
  // Money is shown once the shop's currency is known, so amounts do not change under the reader.
  const ready = settings.data !== undefined || settings.error !== undefined;
  const [jobId, setJobId] = useState<number>();
  const [activated, setActivated] = useState<string>();
  const [retraining, setRetraining] = useState(false);

  // A retrain started earlier (or in another window) is followed here too.
  const runningId = overview.data?.running?.id;
  useEffect(() => {
    if (runningId === undefined) return;
    setJobId(runningId);
    setRetraining(true);
  }, [runningId]);

  const refresh = () => {
    overview.reload();
    versions.reload();
  };

  return (
    <section>
      <PageHeader title="Models">
        ConstIntel learns from your own sales which customers are likely to stop coming, what each is likely to spend,
        which group each belongs to and what to suggest to them next. It all happens on this PC.
      </PageHeader>
      <Retrain
        jobId={jobId}
        onStarted={(id) => {
          setActivated(undefined);
          setJobId(id);
          setRetraining(true);
        }}
        onEnded={() => {
          setRetraining(false);
          refresh();
        }}
      />
      {activated ? (
        <div className="notice small success" role="status">
          {activated}
        </div>
      ) : null}
      <Problem error={overview.error} />
      {overview.data && ready ? (
        overview.data.active ? (
          <>
            <Quality overview={overview.data} active={overview.data.active} currency={currency} />
            {overview.data.riskBands ? (
              <RiskLevels bands={overview.data.riskBands} churnDays={overview.data.active.horizons.churnDays} />
            ) : null}
            <Segments segments={overview.data.segments} active={overview.data.active} currency={currency} />
            <Charts overview={overview.data} currency={currency} />
          </>
        ) : (
          <div className="notice" data-testid="no-model">
            <strong>No predictions yet.</strong> Press Retrain: ConstIntel looks at your sales history and learns from
            it. With several months of sales from a few hundred customers it learns from your shop’s history; with
            fewer, it works in small-shop mode from each customer’s purchase pattern. It tells you plainly if there is
            not enough yet. Bring in older sales on the <Link to="/import">Import</Link> page.
          </div>
        )
      ) : overview.error ? null : (
        <p>Loading…</p>
      )}
      <Versions
        ready={ready}
        versions={versions}
        currency={currency}
        busy={retraining}
        onActivated={(version) => {
          setActivated(
            `Version #${version.id} from ${formatDate(version.createdAt)} is in use again: every customer was scored with it.`,
          );
          refresh();
        }}
      />
    </section>
  );
}

function Retrain({
  jobId,
  onStarted,
  onEnded,
}: {
  jobId: number | undefined;
  onStarted(jobId: number): void;
  onEnded(): void;
}) {
  const { job, error } = usePolledJob('models.job', jobId, onEnded, POLL_MS);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<AppError>();
  const following = jobId !== undefined && error?.kind !== 'not_found';
  const running = starting || (following && (job === undefined || job.status === 'running'));

  async function start() {
    setStarting(true);
    setStartError(undefined);
    try {
      const { jobId: id } = await client.call('models.retrain', {});
      onStarted(id);
    } catch (e) {
      setStartError(asAppError(e));
    } finally {
      setStarting(false);
    }
  }

  // "Not enough history" (and any other refusal the shop can act on) is advice, not a crash.
  const advice = startError?.kind === 'validation' || startError?.kind === 'conflict' ? startError : undefined;

  return (
    <section className="panel retrain" aria-labelledby="retrain-heading">
      <h2 id="retrain-heading">Retrain</h2>
      <p className="hint">
        Learns again from all the sales ConstIntel has, then gives every customer a new churn risk, predicted value and
        segment, and finds products to suggest to them. It takes a few seconds to a minute; you can keep working
        meanwhile.
      </p>
      {starting ? (
        <RetrainProgress job={undefined} />
      ) : following && job?.status === 'failed' ? (
        <Advice message={job.error ?? 'Retraining stopped before the end. The predictions you had are still in use.'} />
      ) : following ? (
        <RetrainProgress job={job} />
      ) : null}
      {advice ? <Advice message={advice.message} /> : null}
      <Problem error={advice ? undefined : startError} />
      <Problem error={error} />
      <div className="actions">
        <button type="button" disabled={running} onClick={start}>
          {starting ? 'Starting…' : running ? 'Retraining…' : 'Retrain'}
        </button>
        {job?.status === 'running' ? <CancelRetrain key={job.id} jobId={job.id} /> : null}
      </div>
      <NightlyRetrain />
    </section>
  );
}

/** The nightly schedule: a retrain at 03:00 when the app is open (or once when the PC wakes after it). */
function NightlyRetrain() {
  const settings = useCommand('settings.get', {});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError>();
  /** The box follows the click at once; it goes back if saving fails. */
  const [chosen, setChosen] = useState<boolean>();
  const on = chosen ?? settings.data?.retrainNightly ?? false;
  async function toggle(next: boolean) {
    setSaving(true);
    setError(undefined);
    setChosen(next);
    try {
      await client.call('settings.update', { retrainNightly: next });
    } catch (e) {
      setChosen(undefined);
      setError(asAppError(e));
    } finally {
      setSaving(false);
    }
  }
  return (
    <div className="nightly">
      <label>
        <input
          type="checkbox"
          checked={on}
          disabled={saving || !settings.data}
          onChange={(e) => void toggle(e.target.checked)}
          data-testid="retrain-nightly"
        />{' '}
        Retrain every night at 3:00 (while ConstIntel is open; if the PC was asleep, once when it wakes)
      </label>
      <Problem error={error} />
    </div>
  );
}

function CancelRetrain({ jobId }: { jobId: number }) {
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<AppError>();
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={cancelling}
        onClick={async () => {
          setCancelling(true);
          setError(undefined);
          try {
            await client.call('models.cancel', { jobId });
          } catch (e) {
            setError(asAppError(e));
            setCancelling(false);
          }
        }}
      >
        {cancelling ? 'Stopping…' : 'Cancel'}
      </button>
      <Problem error={error} />
    </>
  );
}

/** A friendly notice: what is missing and what to do, in the backend's own words. */
function Advice({ message }: { message: string }) {
  return (
    <div className="notice advice" role="status" data-testid="retrain-advice">
      {message}
      {/history|older sales/i.test(message) ? (
        <>
          {' '}
          <Link to="/import">Open the Import page</Link>
        </>
      ) : null}
    </div>
  );
}

function RetrainProgress({ job }: { job: RetrainJobView | undefined }) {
  const stageIndex = job ? RETRAIN_STAGES.indexOf(job.stage) : 0;
  const done = job?.status === 'completed';
  const percent = done ? 100 : Math.round(Math.min(1, Math.max(0, job?.progress ?? 0)) * 100);
  const current = STAGE_WORDS[job?.stage ?? 'checking'];
  const status = !job
    ? 'Starting…'
    : job.status === 'running'
      ? `Step ${stageIndex + 1} of ${RETRAIN_STAGES.length}: ${current.toLowerCase()}…`
      : job.status === 'completed'
        ? 'Done: every customer has a new churn risk and predicted value, a segment and products to suggest; this version is now in use.'
        : 'You stopped it. Nothing changed: the predictions you had are still in use.';

  return (
    <div className="retrain-progress" data-testid="retrain-progress">
      <ProgressBar label="Retraining" percent={percent} valueText={done ? 'Done' : `${percent}%: ${current}`} />
      <ol className="stages" aria-label="Steps">
        {RETRAIN_STAGES.map((stage, i) => {
          const state =
            done || (job && i < stageIndex) ? 'done' : job?.status === 'running' && i === stageIndex ? 'now' : 'todo';
          return (
            <li key={stage} className={`stage stage-${state}`} aria-current={state === 'now' ? 'step' : undefined}>
              <span className="stage-mark" aria-hidden="true">
                {state === 'done' ? '✓' : i + 1}
              </span>
              {STAGE_WORDS[stage]}
              {state === 'done' ? <span className="sr-only"> (done)</span> : null}
            </li>
          );
        })}
      </ol>
      <p role="status" className={done ? 'saved' : undefined} data-testid="retrain-status">
        {status}
      </p>
    </div>
  );
}

/** The figures that speak for one version, in sentences a shop owner can weigh; a measure not worked out says so. */
function qualitySentences(metrics: ModelMetrics, horizons: ModelVersionView['horizons'], currency?: string) {
  const { churn, ltv } = metrics;
  const money = (v: number) => formatWholeMoney(v, currency);
  const sentences: { key: string; text: string; raw: string }[] = [];
  if (churn) {
    const gap = churn.auc - churn.recencyAuc;
    const ranking = gap > 0.005 ? 'better than' : gap < -0.005 ? 'less well than' : 'about as well as';
    sentences.push(
      {
        key: 'precision',
        text: `Of the customers it rated most at risk (top 10%), ${formatPercent(churn.precisionTop10)} really did not come back within ${horizons.churnDays} days — against ${formatPercent(churn.churnRate)} of all customers.`,
        raw: `precision in top 10%: ${churn.precisionTop10.toFixed(2)}; base rate ${churn.churnRate.toFixed(2)}`,
      },
      {
        key: 'ranking',
        text: `Ranks customers by risk ${ranking} judging by their last purchase alone (${churn.auc.toFixed(2)} vs ${churn.recencyAuc.toFixed(2)}, where 1 is perfect and 0.5 is a coin toss).`,
        raw: `AUC ${churn.auc.toFixed(3)}; last-purchase-only AUC ${churn.recencyAuc.toFixed(3)}; Brier ${churn.brier.toFixed(3)}`,
      },
    );
  } else {
    sentences.push({ key: 'churn-unmeasured', text: `Churn risk: ${NOT_MEASURED.toLowerCase()}.`, raw: '' });
  }
  if (ltv) {
    const spend =
      ltv.mae < ltv.baselineMae
        ? `against ${money(ltv.baselineMae)} for guessing “the same as last period”.`
        : `no better than guessing “the same as last period” (off by ${money(ltv.baselineMae)}).`;
    sentences.push({
      key: 'spend',
      text: `Predicted spend over ${horizons.ltvDays} days is off by ${money(ltv.mae)} per customer on average, ${spend}`,
      raw: `MAE ${ltv.mae.toFixed(2)}; baseline MAE ${ltv.baselineMae.toFixed(2)}; ratio ${ltv.ratioToBaseline.toFixed(2)}`,
    });
  } else {
    sentences.push({ key: 'spend-unmeasured', text: `Predicted spend: ${NOT_MEASURED.toLowerCase()}.`, raw: '' });
  }
  return sentences;
}

function Quality({
  overview,
  active,
  currency,
}: {
  overview: ModelsOverview;
  active: ModelVersionView;
  currency: string | undefined;
}) {
  const sentences = qualitySentences(active.metrics, active.horizons, currency);
  const tested = active.metrics.churn?.testCustomers ?? active.metrics.ltv?.testCustomers;
  return (
    <section className="panel" aria-labelledby="quality-heading" data-testid="model-quality">
      <h2 id="quality-heading">How good the predictions are</h2>
      <Alarms metrics={active.metrics} />
      <p>
        Predictions as of <strong data-testid="as-of">{formatDate(active.asOf)}</strong> for{' '}
        {formatNumber(overview.scored)} customers, from version #{active.id} made {formatDateTime(active.createdAt)}.
      </p>
      <p className={`method method-${active.method}`} data-testid="method">
        <strong>How it predicts:</strong> {METHOD_WORDS[active.method].full}
      </p>
      <dl className="facts plain compact horizons" aria-label="What the words mean">
        <div className="fact">
          <dt>Churn</dt>
          <dd>no purchase in the next {active.horizons.churnDays} days</dd>
        </div>
        <div className="fact">
          <dt>Predicted value</dt>
          <dd>what a customer spends over the next {active.horizons.ltvDays} days</dd>
        </div>
      </dl>
      <h3>
        {active.method === 'bgnbd'
          ? 'Checked against what customers really did'
          : 'Tested on customers it had not seen'}
      </h3>
      {tested === undefined ? (
        <p className="hint" data-testid="not-measured">
          {NOT_MEASURED} with a long enough history to check the predictions against what they really did. The
          predictions are still made; they can be checked once more customers have bought for longer.
        </p>
      ) : (
        <>
          <p className="hint">
            {active.method === 'bgnbd'
              ? `From what ${formatNumber(tested)} customers had bought until some time ago, it predicted what they would do next, and was checked against what they really did.`
              : `Before it was put to use, it predicted what ${formatNumber(tested)} customers it had not learned from would do, and was checked against what they really did.`}
          </p>
          <ul className="metrics">
            <Backtest metrics={active.metrics} checking={overview.checking} />
            {sentences.map((s) => (
              <li key={s.key} data-testid={`metric-${s.key}`}>
                <span className="metric-words">{s.text}</span>
                {s.raw ? (
                  <>
                    {' '}
                    <span className="metric-raw">{s.raw}</span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/**
 * The check on the past (the retrain re-run one churn horizon earlier, scored on what customers then did) beside
 * the held-out figure; nothing for versions from before the check existed.
 */
function Backtest({ metrics, checking }: { metrics: ModelMetrics; checking: boolean }) {
  const { backtest, churn } = metrics;
  if (checking)
    return (
      <li data-testid="metric-backtest">
        <span className="metric-words">
          Checking these figures on the past: the same retrain is being run as it would have been one horizon ago…
        </span>
      </li>
    );
  if (backtest === undefined) return null;
  if (backtest === null)
    return (
      <li data-testid="metric-backtest">
        <span className="metric-words">
          Checking on the past is not possible yet: the history before one horizon ago is too short to retrain on.
        </span>
      </li>
    );
  const agree = churn ? Math.abs(backtest.auc - churn.auc) <= 0.03 : true;
  return (
    <li data-testid="metric-backtest">
      <span className="metric-words">
        Checked on the past: retrained as if it were {formatDate(new Date(backtest.asOf).toISOString())}, it ranked what{' '}
        {formatNumber(backtest.customers)} customers then did at {backtest.auc.toFixed(2)}
        {churn ? (agree ? ', in line with the figure below.' : `, against ${churn.auc.toFixed(2)} below.`) : '.'}
      </span>{' '}
      <span className="metric-raw">backtest AUC {backtest.auc.toFixed(3)}</span>
    </li>
  );
}

/** Warnings that a figure is too good to be true or cannot be trusted, as the retrain found them. */
function Alarms({ metrics }: { metrics: ModelMetrics }) {
  const alarms = metrics.alarms ?? [];
  if (alarms.length === 0) return null;
  return (
    <div className="notice warning" role="alert" data-testid="model-alarms">
      <strong>Take these figures with care.</strong>
      <ul>
        {alarms.map((a) => (
          <li key={a.kind} data-testid={`alarm-${a.kind}`}>
            {a.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The customer groups of the active version, best first; each opens the Customers list filtered to it. */
function Segments({
  segments,
  active,
  currency,
}: {
  segments: readonly SegmentView[];
  active: ModelVersionView;
  currency: string | undefined;
}) {
  if (segments.length === 0) return null;
  const money = (v: number | null) => (v === null ? '—' : formatWholeMoney(v, currency));
  return (
    <section className="panel" aria-labelledby="segments-heading" data-testid="segments">
      <h2 id="segments-heading">Segments</h2>
      <p className="hint">
        Your customers in groups that behave alike: how recently and how often they buy, and how much they spend. Open a
        group to see who is in it.
      </p>
      <TableScroll label="Segments, one per row">
        <table className="data segments" aria-labelledby="segments-heading">
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col" className="num">
                Customers
              </th>
              <th
                scope="col"
                className="num"
                title={`What a customer in the group is likely to spend over the next ${active.horizons.ltvDays} days, on average`}
              >
                Predicted value, on average
              </th>
              <th scope="col" className="num" title="What a customer in the group has spent so far, on average">
                Spent so far, on average
              </th>
            </tr>
          </thead>
          <tbody>
            {segments.map((segment) => (
              <tr key={segment.name} data-testid="segment">
                <td>
                  <Link to={`/customers?segment=${encodeURIComponent(segment.name)}`} className="segment-name">
                    {segment.name}
                  </Link>
                  {segment.description ? <div className="hint">{segment.description}</div> : null}
                </td>
                <td className="num nowrap">
                  {formatNumber(segment.customers)} <span className="muted">({formatPercent(segment.share)})</span>
                </td>
                <td className="num">{money(segment.averageValue)}</td>
                <td className="num">{money(segment.averageSpend)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      <p className="hint">Predicted value is over the next {active.horizons.ltvDays} days.</p>
    </section>
  );
}

function Charts({ overview, currency }: { overview: ModelsOverview; currency: string | undefined }) {
  const money = (v: number) => formatWholeMoney(v, currency);
  return (
    <section className="panel" aria-labelledby="charts-heading">
      <h2 id="charts-heading">Your customers at a glance</h2>
      <div className="charts">
        <Histogram
          title="Churn risk"
          hint="How many customers have each chance of not coming back."
          bins={overview.churnHistogram}
          label={(bin) => `${Math.round(bin.from * 100)}–${Math.round(bin.to * 100)}%`}
          tick={(bin) => `${Math.round(bin.from * 100)}–${Math.round(bin.to * 100)}%`}
          tone={(bin) => churnTone(bin, overview.riskBands)}
        />
        <Histogram
          title="Predicted value"
          hint="How many customers are likely to spend each amount."
          bins={overview.ltvHistogram}
          label={(bin) => `${money(bin.from)}–${money(bin.to)}`}
          tick={(bin) => `${money(bin.from)}+`}
          tone={() => 'value'}
        />
      </div>
      <Importance importance={overview.importance} />
    </section>
  );
}

type Bin = ModelsOverview['churnHistogram'][number];

/** A churn bar's colour: High where any of it is High (so the customers to act on show), else its middle's band. */
function churnTone(bin: Bin, bands: ModelsOverview['riskBands']): string {
  if (!bands) return 'value';
  return bin.to > bands.high ? 'high' : (riskBandOf((bin.from + bin.to) / 2, bands) ?? 'value');
}

function Histogram({
  title,
  hint,
  bins,
  label,
  tick,
  tone,
}: {
  title: string;
  hint: string;
  bins: readonly Bin[];
  /** The bin in full, for the tooltip and screen readers. */
  label(bin: Bin): string;
  /** The short text under the bar. */
  tick(bin: Bin): string;
  tone(bin: Bin): string;
}) {
  const most = Math.max(1, ...bins.map((b) => b.customers));
  const id = `chart-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}>
        <strong>{title}</strong>
        <span className="hint"> {hint}</span>
      </figcaption>
      {bins.length === 0 ? (
        <p className="muted">No customers scored yet.</p>
      ) : (
        <ul className="histogram" aria-labelledby={id}>
          {bins.map((bin) => (
            <li key={`${bin.from}-${bin.to}`} title={`${label(bin)}: ${formatNumber(bin.customers)} customers`}>
              <span className="bar-count" aria-hidden="true">
                {formatNumber(bin.customers)}
              </span>
              <span className="bar-track" aria-hidden="true">
                <span
                  className={`bar bar-${tone(bin)}`}
                  style={{ height: `${bin.customers === 0 ? 0 : Math.max(2, (bin.customers / most) * 100)}%` }}
                />
              </span>
              <span className="bar-label" aria-hidden="true">
                {tick(bin)}
              </span>
              <span className="sr-only">
                {label(bin)}: {formatNumber(bin.customers)} customers
              </span>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}

function Importance({ importance }: { importance: ModelsOverview['importance'] }) {
  if (importance.length === 0) return null;
  const most = Math.max(...importance.map((f) => f.weight), 0.0001);
  return (
    <figure className="chart importance" aria-labelledby="importance-heading">
      <figcaption id="importance-heading">
        <strong>What the churn risk depends on most</strong>
        <span className="hint"> The longer the bar, the more it weighs.</span>
      </figcaption>
      <ul className="bars" aria-labelledby="importance-heading">
        {importance.map((f) => (
          <li key={f.feature}>
            <span className="bars-label">{f.label}</span>
            <span className="bars-track" aria-hidden="true">
              <span className="bars-fill" style={{ width: `${(f.weight / most) * 100}%` }} />
            </span>
            <span className="bars-value">{formatPercent(f.weight)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

function Versions({
  ready,
  versions,
  currency,
  busy,
  onActivated,
}: {
  ready: boolean;
  versions: Loaded<CommandOutput<'models.versions'>>;
  currency: string | undefined;
  busy: boolean;
  onActivated(version: ModelVersionView): void;
}) {
  const [error, setError] = useState<AppError>();
  const list = ready ? versions.data : undefined;
  return (
    <section className="panel" aria-labelledby="versions-heading">
      <SectionHead id="versions-heading" title="Versions" onRefresh={versions.reload} busy={versions.loading} />
      <p className="hint">
        Every retrain is kept. If a new one predicts worse than before, go back to an earlier one: every customer is
        scored with it again.
      </p>
      <Problem error={versions.error ?? error} />
      {list && list.length === 0 ? <p className="muted">No retrain yet.</p> : null}
      {list && list.length > 0 ? (
        <TableScroll label="Retrains kept">
          <table className="data versions" aria-labelledby="versions-heading" aria-busy={versions.loading}>
            <thead>
              <tr>
                <th scope="col">Made</th>
                <th scope="col" className="num" title="Ranking of customers by risk: 1 is perfect, 0.5 a coin toss">
                  Ranking (AUC)
                </th>
                <th scope="col" className="num" title="How far predicted spend is from real spend, on average">
                  Spend off by (MAE)
                </th>
                <th scope="col" className="num" title="Customer histories it learned churn and value from">
                  Learned from
                </th>
                <th scope="col" className="num">
                  Took
                </th>
                <th scope="col">How it predicts</th>
                <th scope="col">In use</th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.id} data-testid="version" className={v.active ? 'active' : undefined}>
                  <td>
                    {formatDateTime(v.createdAt)} <span className="muted">#{v.id}</span>
                    <div className="hint">as of {formatDate(v.asOf)}</div>
                  </td>
                  <td className="num">{v.metrics.churn ? v.metrics.churn.auc.toFixed(2) : <NotMeasured />}</td>
                  <td className="num">
                    {v.metrics.ltv ? formatWholeMoney(v.metrics.ltv.mae, currency) : <NotMeasured />}
                  </td>
                  <td className="num">{formatNumber(v.trainingRows)} examples</td>
                  <td className="num">{formatDuration(v.durationMs)}</td>
                  <td data-testid="version-method" title={METHOD_WORDS[v.method].full}>
                    {METHOD_WORDS[v.method].short}
                  </td>
                  <td>
                    {v.active ? (
                      <span className="in-use">In use</span>
                    ) : (
                      <ConfirmAction
                        label="Use this version"
                        question={`Score every customer with version #${v.id} from ${formatDate(v.createdAt)} instead?`}
                        confirmLabel="Yes, use it"
                        busyLabel="Scoring…"
                        disabled={busy}
                        onConfirm={async () => {
                          setError(undefined);
                          try {
                            await client.call('models.activate', { versionId: v.id });
                            onActivated(v);
                          } catch (e) {
                            setError(asAppError(e));
                          }
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      ) : null}
      {list?.some((v) => v.method === 'bgnbd') ? (
        <p className="hint" data-testid="small-shop-explained">
          {METHOD_WORDS.bgnbd.full} “Not measured” means there were too few customers to check it against.
        </p>
      ) : null}
    </section>
  );
}

/** A measure that could not be worked out, said in words in a table cell. */
function NotMeasured() {
  return (
    <span className="muted" title={NOT_MEASURED}>
      not measured
    </span>
  );
}
