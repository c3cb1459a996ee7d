/** JSON error answers shared by both listeners: the wire shape, never a stack trace. */
import type { ErrorRequestHandler, Response } from 'express';
import { type ErrorKind, HTTP_STATUS } from '../../../shared/contract/errors';
import type { Logger } from '../clock';

export function sendError(res: Response, kind: ErrorKind, message: string, field?: string): void {
  res.status(HTTP_STATUS[kind]).json({ ok: false, error: field ? { kind, message, field } : { kind, message } });
}

export function jsonErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const e = error as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed') return sendError(res, 'validation', 'The request body is not valid JSON.');
    if (e.type === 'entity.too.large') return sendError(res, 'validation', 'The request body is too large.');
    if (e.status && e.status >= 400 && e.status < 500)
      return sendError(res, 'validation', 'The request could not be read.');
    logger.error('HTTP request failed', error);
    return sendError(res, 'internal', 'Something went wrong inside ConstIntel. Details are in the log.');
  };
}
