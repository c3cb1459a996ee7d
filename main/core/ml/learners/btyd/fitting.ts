/**
 * Maximum-likelihood fitting shared by BG/NBD and Gamma-Gamma: Nelder–Mead over log-parameters with restarts, and what
 * a fit reports.
 */
import { AppError } from '../../../../../shared/contract/errors';

export interface FitOptions {
  /** Cap on likelihood evaluations over all restarts (default 5000). */
  maxEvaluations?: number;
  /** Stop when the mean log-likelihood per customer changes by less than this (default 1e-10). */
  tolerance?: number;
}

export interface FitResult<P> {
  params: P;
  /** Summed log-likelihood at params. */
  logLikelihood: number;
  /** Customers that carried information (for Gamma-Gamma, those with x > 0). */
  customers: number;
  /** Distinct likelihood terms evaluated per step after grouping. */
  groups: number;
  evaluations: number;
  /** False when the evaluation cap stopped the search before the tolerance was met. */
  converged: boolean;
}

export function invalid(message: string, field?: string): AppError {
  return new AppError('validation', message, field);
}

interface Vertex {
  v: number[];
  f: number;
}

function vertexAt(simplex: readonly Vertex[], i: number): Vertex {
  const vertex = simplex[i];
  if (!vertex) throw new Error(`simplex has no vertex ${i}`);
  return vertex;
}

/** from + k · (to − from), coordinate-wise. */
function along(from: readonly number[], to: readonly number[], k: number): number[] {
  return from.map((value, j) => value + k * ((to[j] ?? value) - value));
}

/**
 * Nelder–Mead (standard coefficients 1, 2, ½, ½). Derivative-free because the likelihood's
 * gradient needs digamma terms per group for no gain at 3–4 parameters. Non-finite values
 * count as +∞ so the search simply walks away from impossible parameters.
 */
function nelderMead(
  f: (v: readonly number[]) => number,
  start: readonly number[],
  step: number,
  tolerance: number,
  maxEvaluations: number,
): { best: Vertex; evaluations: number; converged: boolean } {
  let evaluations = 0;
  const evaluate = (v: number[]): Vertex => {
    evaluations += 1;
    const value = f(v);
    return { v, f: Number.isFinite(value) ? value : Number.POSITIVE_INFINITY };
  };
  const n = start.length;
  const simplex = [
    evaluate([...start]),
    ...start.map((_, i) => evaluate(start.map((s, j) => (j === i ? s + step : s)))),
  ];
  const byValue = (p: Vertex, q: Vertex) => p.f - q.f;
  for (;;) {
    simplex.sort(byValue);
    const best = vertexAt(simplex, 0);
    const worst = vertexAt(simplex, n);
    const spread = Math.max(
      ...simplex.map((vertex) => Math.max(...vertex.v.map((x, j) => Math.abs(x - (best.v[j] ?? x))))),
    );
    if (worst.f - best.f <= tolerance && spread <= 1e-6) return { best, evaluations, converged: true };
    if (evaluations >= maxEvaluations) return { best, evaluations, converged: false };
    const centroid = best.v.map((_, j) => simplex.slice(0, n).reduce((sum, vertex) => sum + (vertex.v[j] ?? 0), 0) / n);
    const reflected = evaluate(along(worst.v, centroid, 2));
    let next: Vertex | undefined;
    if (reflected.f < best.f) {
      const expanded = evaluate(along(worst.v, centroid, 3));
      next = expanded.f < reflected.f ? expanded : reflected;
    } else if (reflected.f < vertexAt(simplex, n - 1).f) {
      next = reflected;
    } else if (reflected.f < worst.f) {
      const outside = evaluate(along(worst.v, centroid, 1.5));
      if (outside.f <= reflected.f) next = outside;
    } else {
      const inside = evaluate(along(worst.v, centroid, 0.5));
      if (inside.f < worst.f) next = inside;
    }
    if (next) simplex[n] = next;
    else for (let i = 1; i <= n; i++) simplex[i] = evaluate(along(best.v, vertexAt(simplex, i).v, 0.5));
  }
}

/**
 * Minimises over log-parameters (so every parameter stays positive), restarting from the
 * best point with a fresh, smaller simplex until a restart no longer improves: Nelder–Mead
 * can stall on a collapsed simplex, and a restart is the cheap cure.
 */
export function minimise(
  objective: (v: readonly number[]) => number,
  start: readonly number[],
  options: FitOptions,
): { best: Vertex; evaluations: number; converged: boolean } {
  const tolerance = options.tolerance ?? 1e-10;
  const maxEvaluations = options.maxEvaluations ?? 5000;
  let run = nelderMead(objective, start, 0.5, tolerance, maxEvaluations);
  let evaluations = run.evaluations;
  let settled = false;
  for (let restart = 0; restart < 5 && !settled && evaluations < maxEvaluations; restart++) {
    const again = nelderMead(objective, run.best.v, 0.1, tolerance, maxEvaluations - evaluations);
    evaluations += again.evaluations;
    settled = again.converged && run.best.f - again.best.f <= tolerance;
    run = again;
  }
  return { best: run.best, evaluations, converged: settled };
}
