/**
 * Settings → Backups: the folder backups go to (another drive is best), the
 * backups in it with kind, date and size, "Back up now", and Restore, which
 * checks the backup, keeps the file in use aside and restarts ConstIntel on
 * the backup; this page then waits for it and reloads.
 */
import { type FormEvent, useEffect, useState } from 'react';
import type { BackupKindName } from '../../../shared/contract/backups';
import type { AppError } from '../../../shared/contract/errors';
import { client } from '../client';
import { asAppError, ConfirmAction, Problem, TableScroll } from '../components';
import { formatDateTime } from '../format';
import { useCommand } from '../use-command';

const KIND_WORDS: Record<BackupKindName, string> = {
  daily: 'Nightly',
  weekly: 'Weekly',
  manual: 'Made by hand',
  'before-upgrade': 'Before an upgrade',
  'before-restore': 'Before a restore',
};

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Asks until the restarted app answers, then loads the page again (same address, same access key). */
async function reloadWhenBack(): Promise<void> {
  const deadline = Date.now() + 120_000;
  // The old app answers until it closes: wait for it to go first.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  while (Date.now() < deadline) {
    try {
      await client.call('app.info', {});
      window.location.reload();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

export function Backups() {
  const list = useCommand('backups.list', {});
  const [folder, setFolder] = useState('');
  const [error, setError] = useState<AppError>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [restarting, setRestarting] = useState<string>();

  useEffect(() => {
    if (list.data) setFolder(list.data.folder);
  }, [list.data]);

  async function backUpNow() {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await client.call('backups.create', {});
      setNotice(result.message);
      list.reload();
    } catch (e) {
      setError(asAppError(e));
    } finally {
      setBusy(false);
    }
  }

  async function saveFolder(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await client.call('backups.setFolder', { folder: folder.trim() === '' ? null : folder });
      setNotice(`Backups now go to ${result.folder}.`);
      list.reload();
    } catch (e) {
      setError(asAppError(e));
    }
  }

  async function restore(name: string) {
    setError(undefined);
    setNotice(undefined);
    try {
      const result = await client.call('backups.restore', { name });
      setRestarting(result.message);
      await reloadWhenBack();
    } catch (e) {
      setError(asAppError(e));
    }
  }

  if (restarting) {
    return (
      <div className="settings backups" id="backups">
        <fieldset>
          <legend>Backups</legend>
          <p role="status">{restarting} This page comes back by itself in a moment.</p>
        </fieldset>
      </div>
    );
  }

  return (
    <div className="settings backups" id="backups">
      <fieldset>
        <legend>Backups</legend>
        <Problem error={list.error ?? error} />
        <p className="hint">
          ConstIntel backs up its data file every night at 2:30 (or when the PC wakes, if it was asleep), keeping the
          last {list.data?.keep.daily ?? 7} nightly and {list.data?.keep.weekly ?? 4} weekly backups, and before every
          upgrade and every restore. A folder on another drive (a USB disk) keeps them safe if this PC's disk fails.
        </p>
        <form className="inline" onSubmit={saveFolder}>
          <label htmlFor="backup-folder">Backup folder</label>
          <input
            id="backup-folder"
            type="text"
            className="mono"
            value={folder}
            onChange={(e) => setFolder(e.target.value)}
          />
          <button type="submit" className="secondary">
            Use this folder
          </button>
        </form>
        {list.data && list.data.folder !== list.data.defaultFolder ? (
          <p className="hint">Leave it empty to go back to {list.data.defaultFolder}.</p>
        ) : null}
        <div className="actions">
          <button type="button" disabled={busy} onClick={backUpNow}>
            {busy ? 'Backing up…' : 'Back up now'}
          </button>
          {notice ? (
            <span className="saved" role="status">
              {notice}
            </span>
          ) : null}
        </div>
        {list.data ? (
          list.data.backups.length === 0 ? (
            <p data-testid="no-backups">There is no backup in this folder yet.</p>
          ) : (
            <TableScroll label="Backups in this folder">
              <table className="data" data-testid="backups">
                <thead>
                  <tr>
                    <th>Made</th>
                    <th>Kind</th>
                    <th>Size</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {list.data.backups.map((backup) => (
                    <tr key={backup.name} data-backup={backup.name}>
                      <td className="nowrap" title={backup.path}>
                        {formatDateTime(backup.modifiedAt)}
                      </td>
                      <td>{KIND_WORDS[backup.kind]}</td>
                      <td className="nowrap">{formatSize(backup.bytes)}</td>
                      <td>
                        <ConfirmAction
                          label="Restore"
                          question={`Go back to this backup? What arrived after it was made is not in it. ConstIntel restarts; the data in use now is kept aside.`}
                          confirmLabel="Yes, restore it"
                          busyLabel="Restoring…"
                          onConfirm={() => restore(backup.name)}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
          )
        ) : list.loading ? (
          <p>Loading…</p>
        ) : null}
      </fieldset>
    </div>
  );
}
