/**
 * The architecture rules (ARCHITECTURE.md, "Habits that keep it simple"), checked in CI by `npm run depcheck`:
 * no import cycles in main/, main/core never imports electron, renderer/ never imports main/, shared/ imports
 * neither main/ nor renderer/, and ml/learners/ stay pure (no database, clock or files). A rule broken on purpose
 * needs a written reason beside an exception here.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles-in-main',
      comment: 'An import cycle in main/ ties modules together that should depend one way only.',
      severity: 'error',
      from: { path: '^main/' },
      to: { circular: true, viaOnly: { path: '^main/' } },
    },
    {
      name: 'core-never-imports-electron',
      comment: 'main/core runs in plain Node (headless server, CLI, tests): Electron belongs to main/electron only.',
      severity: 'error',
      from: { path: '^main/core/' },
      to: {
        path: '(^|/)node_modules/electron/|^electron$',
        dependencyTypes: ['npm', 'npm-dev', 'core', 'unknown', 'undetermined', 'npm-no-pkg', 'npm-unknown'],
      },
    },
    {
      name: 'renderer-never-imports-main',
      comment: 'The renderer talks to the backend only through the typed client.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: '^main/' },
    },
    {
      name: 'shared-imports-neither-side',
      comment: 'shared/ is platform-free: both sides import it, it imports neither.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(main|renderer)/' },
    },
    {
      name: 'ml-learners-are-pure',
      comment:
        'ml/learners/ are pure (no database, no clock, no files): they import each other, the feature row layout, product identity, shared/ and ml-kmeans only.',
      severity: 'error',
      from: { path: '^main/core/ml/learners/' },
      to: {
        pathNot:
          '^(main/core/ml/(learners/|feature-names[.]ts$|products[.]ts$)|shared/|(node_modules/)?ml-kmeans(/|$))',
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
