/**
 * Hands a dropped or picked file to the backend. In the desktop app the file
 * is already on this PC: the preload tells its path and the backend reads it
 * there. In a browser the file is streamed to `POST /files`.
 */
import { AppError, isWireError, type WireResponse } from '../../../shared/contract/errors';
import type { ImportFileRef } from '../../../shared/contract/imports';
import { accessHeaders, client } from '../client';

/** What the desktop preload adds for the Import page (the rest of the bridge is typed in client.ts). */
interface FileBridge {
  pathForFile?(file: File): string;
}

function desktopBridge(): FileBridge | undefined {
  return window.constintel as FileBridge | undefined;
}

/** True in the desktop app, where files are read where they are rather than uploaded. */
export function isDesktop(): boolean {
  return desktopBridge() !== undefined;
}

export async function registerFile(file: File): Promise<ImportFileRef> {
  const bridge = desktopBridge();
  return bridge ? byPath(bridge, file) : upload(file);
}

function byPath(bridge: FileBridge, file: File): Promise<ImportFileRef> {
  const path = bridge.pathForFile?.(file) ?? '';
  if (path === '') {
    throw new AppError(
      'validation',
      `“${file.name}” is not saved on this PC as a file. Save it to a folder first (for example Downloads), then drop it here again.`,
    );
  }
  return client.call('imports.fromPath', { path });
}

async function upload(file: File): Promise<ImportFileRef> {
  let response: Response;
  try {
    response = await fetch('/files', {
      method: 'POST',
      credentials: 'omit',
      headers: {
        ...accessHeaders(),
        'Content-Type': 'application/octet-stream',
        'X-File-Name': encodeURIComponent(file.name),
      },
      body: file,
    });
  } catch {
    throw new AppError('unavailable', `“${file.name}” could not be sent to ConstIntel. Is it still running?`);
  }
  let answer: WireResponse<ImportFileRef>;
  try {
    answer = (await response.json()) as WireResponse<ImportFileRef>;
  } catch {
    throw new AppError('internal', `ConstIntel answered ${response.status} without details.`);
  }
  if (answer.ok) return answer.result;
  throw isWireError(answer.error)
    ? AppError.fromWire(answer.error)
    : new AppError('internal', 'ConstIntel sent an answer it could not read.');
}
