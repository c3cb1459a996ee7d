/** JSON error answers shared by both listeners: the wire shape, never a stack trace. */
import type { ErrorRequestHandler, Response } from 'express';
import { type ErrorKind, HTTP_STATUS } from '../../../shared/contract/errors';
import type { Logger } from '../clock';
import type { StorageHealth } from '../db/storage-health';
import { RETRY_AFTER_S } from '../db/storage-problem';

export function sendError(res: Response, kind: ErrorKind, message: string, field?: string): void {
  res.status(HTTP_STATUS[kind]).json({ ok: false, error: field ? { kind, message, field } : { kind, message } });
}

/**
 * The last handler of a listener. With `storage` (the ingest listener), a data file that cannot be written (disk
 * full, read-only, failing) answers 503 with Retry-After and the reason, so senders try again later.
 */
export function jsonErrorHandler(logger: Logger, storage?: StorageHealth): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const problem = storage?.failed(error);
    if (problem) {
      res.setHeader('Retry-After', String(RETRY_AFTER_S));
      return sendError(res, 'unavailable', problem.message);
    }
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, 'validation', 'The request body is not valid JSON.');
    if (e.type === 'entity.too.large') return sendError(res, 'validation', 'The request body is too large.');
    if (e.status && e.status >= 400 && e.status < 500)
      return sendError(res, 'validation', 'The request could not be read.');
    logger.error('HTTP request failed', error);
    return sendError(res, 'internal', 'Something went wrong inside ConstIntel. Details are in the log.');
  };
}
