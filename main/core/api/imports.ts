/** Handlers for `imports.*`: register a file, preview it, presets, start / follow / cancel a job, the history. */
import { handlers } from './registry';

export const importsHandlers = handlers({
  'imports.fromPath': ({ path }, { core }) => core.imports.addPath(path),
  'imports.preview': ({ fileId, choices }, { core }) => core.imports.preview(fileId, choices),
  'imports.savePreset': ({ fileId, name, choices }, { core }) => core.imports.savePreset(fileId, name, choices),
  'imports.start': ({ fileId, choices }, { core }) => core.imports.start(fileId, choices),
  'imports.job': ({ jobId }, { core }) => core.imports.job(jobId),
  'imports.cancel': ({ jobId }, { core }) => core.imports.cancel(jobId),
  'imports.jobs': (_input, { core }) => core.imports.jobs(),
});
