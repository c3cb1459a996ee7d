/**
 * Turns a zod failure into one AppError a person can act on: it names the
 * field at fault (dotted path, or the unknown key) and says what is wrong.
 */
import type { z } from 'zod';
import { AppError } from './errors';

export function validationError(error: z.ZodError, what = 'input'): AppError {
  const issue = error.issues[0];
  if (!issue) return new AppError('validation', `The ${what} is not valid.`);
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    const field = `${prefix}${issue.keys[0] ?? ''}`;
    return new AppError('validation', `${field}: unknown field; remove it.`, field);
  }
  const field = issue.path.map(String).join('.');
  let message = issue.message;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = 'is required';
  if (field === '') return new AppError('validation', `The ${what} is not valid: ${message}`);
  return new AppError('validation', `${field}: ${message}`, field);
}
