/** Handlers for `imports.*`: register a file, preview it, presets, start / follow / cancel a job, the history. */
import { importsOf } from '../import/import-service';
import { handlers } from './registry';

export const importsHandlers = handlers({
  'imports.fromPath': ({ path }, ctx) => importsOf(ctx).fromPath(path),
  'imports.preview': ({ fileId, choices }, ctx) => importsOf(ctx).preview(fileId, choices),
  'imports.savePreset': ({ fileId, name, choices }, ctx) => importsOf(ctx).savePreset(fileId, name, choices),
  'imports.start': ({ fileId, choices }, ctx) => importsOf(ctx).start(fileId, choices),
  'imports.job': ({ jobId }, ctx) => importsOf(ctx).job(jobId),
  'imports.cancel': ({ jobId }, ctx) => importsOf(ctx).cancel(jobId),
  'imports.undo': ({ jobId }, ctx) => importsOf(ctx).undo(jobId),
  'imports.jobs': (_input, ctx) => importsOf(ctx).jobs(),
});
