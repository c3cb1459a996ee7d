/**
 * Closed-form pieces of the comparison: the normal quantile, Wilson's score interval for one share, Newcombe's hybrid
 * score interval for a difference of two shares (Newcombe 1998, method 10), and the customers per group needed to
 * see a given difference in the share who bought (Fleiss, Levin & Paik, without continuity correction).
 *
 * Why Newcombe: at small-shop sizes a held-out group has ~20 customers, where the Wald interval undercovers badly
 * and fails at 0 or 100%; method 10 keeps its coverage near 95% there (Newcombe's own evaluation; measured here in
 * `npm run bench -- uplift`) and is checked against his published worked examples in the unit tests.
 *
 * The normal quantile is Wichura's AS 241 (PPND16, relative error ~1e-16), written out here rather than pulling in
 * a statistics package for ~30 lines: the well-kept candidates either bring dozens of micro-packages (@stdlib) or
 * use a ~1e-3 approximation (simple-statistics' probit), which would move published interval limits in the 4th
 * decimal.
 */

const A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987, 67265.7709270087,
  33430.57558358813, 2509.0809287301227,
];
const B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271, 28729.085735721943,
  5226.495278852546,
];
const C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045, 1.2704582524523684, 0.2417807251774506,
  0.022723844989269184, 0.0007745450142783414,
];
const D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008, 0.015198666563616457,
  0.0005475938084995345, 1.0507500716444169e-9,
];
const E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487, 0.026532189526576124,
  0.0012426609473880784, 0.000027115555687434876, 2.0103343992922881e-7,
];
const F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133, 0.000018463183175100548,
  1.421511758316446e-7, 2.0442631033899397e-15,
];

function poly(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) value = value * x + (coefficients[i] as number);
  return value;
}

/** Φ⁻¹(p): the standard normal quantile (AS 241). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY;
    if (p === 1) return Number.POSITIVE_INFINITY;
    throw new RangeError(`normalQuantile needs 0 ≤ p ≤ 1, got ${p}`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly(A, r)) / poly(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = poly(C, r) / poly(D, r);
  } else {
    r -= 5;
    value = poly(E, r) / poly(F, r);
  }
  return q < 0 ? -value : value;
}

/** The two-sided critical value for a confidence level: 1.959964 for 0.95. */
export function criticalValue(confidence: number): number {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be between 0 and 1, got ${confidence}`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/** Wilson's score interval for `successes` out of `trials` (trials ≥ 1). */
export function wilsonInterval(successes: number, trials: number, z: number): { low: number; high: number } {
  if (trials <= 0) throw new RangeError('wilsonInterval needs at least one trial');
  const p = successes / trials;
  const z2 = z * z;
  const centre = (successes + z2 / 2) / (trials + z2);
  const half = (z * Math.sqrt(trials * p * (1 - p) + z2 / 4)) / (trials + z2);
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval (method 10) for p1 − p2 from two independent samples. At 95% it needs no
 * iteration: each side combines the distances from the two Wilson limits that move the difference that way.
 */
export function newcombeInterval(
  successes1: number,
  trials1: number,
  successes2: number,
  trials2: number,
  confidence = 0.95,
): { estimate: number; low: number; high: number } {
  const z = criticalValue(confidence);
  const p1 = successes1 / trials1;
  const p2 = successes2 / trials2;
  const w1 = wilsonInterval(successes1, trials1, z);
  const w2 = wilsonInterval(successes2, trials2, z);
  const estimate = p1 - p2;
  return {
    estimate,
    low: estimate - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: estimate + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
  };
}

/**
 * Customers needed in EACH group to detect a change of `difference` in a share whose value without the message is
 * `baseShare`: two-sided test at 5%, power 80% unless asked (Fleiss, Levin & Paik, Statistical Methods for Rates
 * and Proportions, eq. 4.14, no continuity correction; 5% vs 10% → 435 per group).
 */
export function customersNeeded(baseShare: number, difference: number, options: { power?: number } = {}): number {
  const power = options.power ?? 0.8;
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be between 0 and 1, got ${power}`);
  const delta = Math.abs(difference);
  if (!(delta > 0 && delta < 1)) throw new RangeError(`difference must be a non-zero share, got ${difference}`);
  // Keep both shares inside (0, 1): a difference that would push past 100% is measured downwards instead.
  const p1 = Math.min(Math.max(baseShare, 0), 1);
  const p2 = p1 + delta <= 1 ? p1 + delta : p1 - delta;
  if (p2 < 0) throw new RangeError(`a difference of ${difference} does not fit a share of ${baseShare}`);
  const mean = (p1 + p2) / 2;
  const zAlpha = criticalValue(0.95);
  const zBeta = normalQuantile(power);
  const root = zAlpha * Math.sqrt(2 * mean * (1 - mean)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((root * root) / (delta * delta) - 1e-9);
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let sum = g[0] as number;
  for (let i = 1; i < 9; i++) sum += (g[i] as number) / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** P(a, x), the regularized lower incomplete gamma function: series below a + 1, continued fraction above. */
function regularizedGammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const front = Math.exp(a * Math.log(x) - x - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return sum * front;
  }
  // Lentz's continued fraction for Q(a, x).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 - front * h;
}

/**
 * The p-quantile of the chi-square distribution with `df` degrees of freedom: Wilson–Hilferty's cube-root start,
 * then Newton's method on the regularized incomplete gamma function (agrees with R's qchisq to ~1e-10 for the
 * degrees of freedom used here; 7% off at 4 degrees of freedom without the Newton steps).
 */
export function chiSquareQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`chiSquareQuantile needs 0 < p < 1, got ${p}`);
  if (!(df > 0)) throw new RangeError(`chiSquareQuantile needs df > 0, got ${df}`);
  const a = df / 2;
  const h = 2 / (9 * df);
  let x = Math.max(1e-8, df * (1 - h + normalQuantile(p) * Math.sqrt(h)) ** 3);
  const logNorm = logGamma(a);
  for (let i = 0; i < 100; i++) {
    const f = regularizedGammaP(a, x / 2) - p;
    // d/dx P(a, x/2) = the chi-square density at x.
    const density = Math.exp((a - 1) * Math.log(x / 2) - x / 2 - logNorm) / 2;
    if (!(density > 0)) break;
    let next = x - f / density;
    if (next <= 0) next = x / 2;
    if (Math.abs(next - x) <= 1e-12 * x) return next;
    x = next;
  }
  return x;
}
