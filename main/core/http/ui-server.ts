/**
 * The UI server: serves the built renderer and `POST /rpc/<command>` for the
 * browser (headless mode and browser tests). It binds 127.0.0.1 only.
 *
 * Access: a random token per launch, accepted only as `Authorization: Bearer
 * <token>` — from scripts, and from the page itself. The printed link carries
 * it in its fragment (`/#token=…`), which a browser never sends to any server;
 * the renderer moves it into this tab's sessionStorage, drops it from the
 * address bar, and sends it as that header on every call (renderer/src/client.ts).
 *
 * Why not a cookie: browsers send the cookies of 127.0.0.1 to every port of it
 * (cookies ignore ports), so any other local web server the shop owner visits
 * would receive it, and a local program can replay a cookie it received. A
 * session cookie holding a random id instead of the token would still be
 * exactly that replayable credential. sessionStorage belongs to this origin
 * (scheme, host and port) and this tab: no other port's page can read it, and
 * nothing is sent anywhere without our own script putting it in a header.
 * What that costs: a reload keeps working, but a new tab opened by typing the
 * address needs the printed link again (the page says so). Cookies are
 * ignored altogether, so one left by an earlier version opens nothing.
 *
 * Other sites: a page elsewhere cannot set the Authorization header on a
 * request here without a CORS preflight, which is never granted; requests
 * carrying another page's Origin are refused too, and so are requests whose
 * Host is not this loopback address (DNS rebinding).
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import express, { type Request, type Response } from 'express';
import type { WireResponse } from '../../../shared/contract/errors';
import { AppError, HTTP_STATUS } from '../../../shared/contract/errors';
import type { ImportFileRef } from '../../../shared/contract/imports';
import type { Logger } from '../clock';
import { jsonErrorHandler, sendError } from './errors';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface UiServerOptions {
  token: string;
  rendererDir: string;
  dispatch(name: string, input: unknown): Promise<WireResponse>;
  logger: Logger;
  /** The port actually bound; known only after listening. */
  port(): number;
  /** Files for the Import page: a browser streams the dropped file in; rejected rows download as CSV. */
  files?: {
    upload(body: Readable, name: string): Promise<ImportFileRef>;
    rejectedFile(jobId: number): string | undefined;
  };
}

export function createUiServer(options: UiServerOptions): express.Express {
  const { token, rendererDir, dispatch, logger } = options;
  const expected = Buffer.from(token);
  const sameToken = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  // The header only: never a cookie (see the header comment).
  const authorised = (req: Request): boolean => {
    const header = req.get('authorization');
    return header?.startsWith('Bearer ') === true && sameToken(header.slice(7).trim());
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const allowed = [`127.0.0.1:${options.port()}`, `localhost:${options.port()}`];
    if (!allowed.includes(req.get('host') ?? '')) {
      sendError(res, 'auth', 'ConstIntel only answers on its own address (127.0.0.1).');
      return;
    }
    res.set({
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
    next();
  });

  app.post(
    '/rpc/:command',
    (req, res, next) => {
      if (!authorised(req)) {
        sendError(res, 'auth', 'This page does not have its access key.');
        return;
      }
      // Another page on this PC (another port counts as the same site to a browser) must not call commands:
      // browsers send Origin on cross-origin POSTs, and cross-origin JSON needs a preflight we never grant.
      const origin = req.get('origin');
      if (origin !== undefined && origin !== `http://${req.get('host')}`) {
        sendError(res, 'auth', "Commands are only accepted from ConstIntel's own pages.");
        return;
      }
      if (!req.is('application/json')) {
        const type = req.get('content-type');
        sendError(
          res,
          'validation',
          `Send the command input as JSON (Content-Type: application/json), not ${type ?? 'nothing'}.`,
        );
        return;
      }
      next();
    },
    express.json({ limit: '1mb', strict: false }),
    async (req, res) => {
      const command = String(req.params.command);
      // Reading a file by its path is for the desktop window (which shows the file the shop dropped); over HTTP it
      // would let a page read any file on this PC. Browsers upload to /files instead.
      if (command === 'imports.fromPath') {
        sendError(res, 'auth', 'Files are opened by path only in the desktop app; a browser sends the file itself.');
        return;
      }
      const response = await dispatch(command, req.body ?? {});
      res.set('Cache-Control', 'no-store');
      res.status(response.ok ? 200 : HTTP_STATUS[response.error.kind]).json(response);
    },
  );
  app.all('/rpc', (_req, res) => sendError(res, 'not_found', 'Name the command: POST /rpc/<command>.'));

  // Same checks as commands: this page's access key, and no other site's page.
  const guarded = (req: Request, res: Response): boolean => {
    if (!authorised(req)) {
      sendError(res, 'auth', 'This page does not have its access key.');
      return false;
    }
    const origin = req.get('origin');
    if (origin !== undefined && origin !== `http://${req.get('host')}`) {
      sendError(res, 'auth', "Files are only accepted from ConstIntel's own pages.");
      return false;
    }
    return true;
  };
  const files = options.files;
  if (files) {
    // The dropped file, streamed to disk as it arrives (never held whole in memory). Its name rides in a header.
    app.post('/files', async (req, res) => {
      if (!guarded(req, res)) return;
      try {
        let name: string;
        try {
          name = decodeURIComponent(req.get('x-file-name') ?? 'upload.csv');
        } catch {
          // Browsers send the name encoded; one that is not valid percent-encoding is refused, never a 500.
          throw new AppError('validation', 'The file name (X-File-Name) is not valid percent-encoding.');
        }
        res.set('Cache-Control', 'no-store').json({ ok: true, result: await files.upload(req, name) });
      } catch (error) {
        const e = error instanceof AppError ? error : new AppError('internal', 'The file could not be saved.');
        sendError(res, e.kind, e.message);
      }
    });
    app.get('/imports/:job/rejected.csv', (req, res) => {
      if (!guarded(req, res)) return;
      const path = files.rejectedFile(Number(req.params.job));
      if (!path || !existsSync(path)) {
        sendError(res, 'not_found', 'This import has no rejected rows to download.');
        return;
      }
      res.set('Cache-Control', 'no-store');
      res.download(path, `import-${req.params.job}-rejected-rows.csv`);
    });
  }

  const indexFile = join(rendererDir, 'index.html');
  app.use(
    express.static(rendererDir, {
      index: false,
      fallthrough: true,
      setHeaders: (res, path) => {
        res.set(
          'Cache-Control',
          path.includes(`${join('assets', '')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    }),
  );
  // Every page of the app is a route of the single-page renderer.
  app.get(/^\/(?!rpc\/|assets\/|files|imports\/\d).*/, (_req, res) => {
    if (!existsSync(indexFile)) {
      res
        .status(503)
        .type('text/plain')
        .send('The ConstIntel interface has not been built yet. Run "npm run build" (npm start does it for you).');
      return;
    }
    res.set('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  app.use((_req, res) => sendError(res, 'not_found', 'Nothing here.'));
  app.use(jsonErrorHandler(logger));
  return app;
}
