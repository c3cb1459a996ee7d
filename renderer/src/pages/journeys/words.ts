/**
 * The Journeys page's words and small helpers: each stage's name as the shop owner reads it, a move's label
 * ("Purchase → Retention", "New → Awareness" for a customer's first stage), a share as a percentage, and the label of a
 * stored next best action (kept as a loose object beside the stage, so it is read defensively).
 */
import type { JourneyStage } from '../../../../shared/contract/journeys';

export const STAGE_WORDS: Record<JourneyStage, string> = {
  awareness: 'Awareness',
  consideration: 'Consideration',
  purchase: 'Purchase',
  retention: 'Retention',
  advocacy: 'Advocacy',
};

/** One line under each stage's name: what it means in everyday words. */
export const STAGE_HINTS: Record<JourneyStage, string> = {
  awareness: 'has found you, not bought yet',
  consideration: 'is looking closely, not bought yet',
  purchase: 'has bought once or twice',
  retention: 'comes back at a regular rhythm',
  advocacy: 'one of your best and most loyal customers',
};

/** A move's starting point: null is a customer's first stage. */
export const fromWords = (from: JourneyStage | null): string => (from === null ? 'New customer' : STAGE_WORDS[from]);

export const moveWords = (from: JourneyStage | null, to: JourneyStage): string =>
  `${fromWords(from)} → ${STAGE_WORDS[to]}`;

/** 0.125 → "12.5%". */
export const percentWords = (rate: number): string => `${Math.round(rate * 1000) / 10}%`;

/** "2026-03" → "Mar 2026". */
export function monthWords(month: string): string {
  const [year, m] = month.split('-').map(Number);
  if (!year || !m) return month;
  return new Date(Date.UTC(year, m - 1, 1)).toLocaleDateString(undefined, {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The stored next best action's label ("Send “Win back (email)” by email"), when there is one. */
export function actionLabel(action: Record<string, unknown> | null): string | null {
  const label = action?.label;
  return typeof label === 'string' && label.trim() !== '' ? label : null;
}

/** Colours with enough contrast on white for bars and lines (WCAG 3:1 for graphics). */
export const CHART_COLOURS = ['#1f5fa8', '#b35900', '#2e7d32', '#8e24aa', '#c62828', '#00838f'] as const;
