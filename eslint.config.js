// Lint rules follow temporalio/samples-typescript: floating promises are errors, and workflow code
// may not import Node built-ins (it runs in a deterministic sandbox). The import rules keep the
// dependency direction written in the README ("Architecture"): bin → app → api/scheduler/cli/sync/
// activities → workflows, adapters, db → domain, infra; infra imports only libraries; i18n (the words)
// is imported by anyone and imports nothing of the hub; no cycles.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const HUB = ['activities', 'adapters', 'api', 'app', 'bin', 'cli', 'db', 'domain', 'i18n', 'identity', 'infra', 'notices', 'scheduler', 'sync', 'workflows'];
const except = (...allowed) => HUB.filter((f) => !allowed.includes(f)).map((f) => `./${f}`);
const zone = (target, from, message) => ({ target: `./${target}`, from, message });

export default tseslint.config(
  { ignores: ['node_modules', '.tools', '.data', 'coverage', 'test/fixtures/**/*.json', 'console/static', 'test-results'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${import.meta.dirname}/tsconfig.json` })] },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            zone('infra', except('infra'), 'infra/ imports only libraries: wiring belongs in app/.'),
            zone('domain', except('domain', 'i18n'), 'domain/ holds pure rules: it imports nothing of the hub but itself.'),
            zone('i18n', except('i18n'), 'i18n/ is the catalogue of words: everyone may import it, it imports nothing of the hub.'),
            zone('workflows', except('workflows', 'domain', 'i18n', 'activities'), 'Workflow code reaches the world only through activities.'),
            zone('adapters', except('adapters', 'domain', 'i18n', 'infra'), 'An adapter knows its port, domain rules and infra, nothing above.'),
            zone('db', except('db', 'domain', 'i18n', 'infra', 'adapters'), 'Repositories sit below the use cases.'),
            zone('scheduler', except('scheduler', 'i18n', 'infra'), 'The scheduler runs the jobs app/ gives it.'),
            ...['activities', 'api', 'cli', 'identity', 'notices', 'sync'].map((t) => zone(t, ['./app', './bin'], 'Only bin/ builds processes from app/.')),
            zone('app', ['./bin'], 'bin/ launches app/, never the other way.'),
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow and domain code is deterministic: no Node built-ins.' },
            { group: ['pg', 'express', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'No I/O in workflow or domain code.' },
            { group: ['**/activities/*'], allowTypeImports: true, message: 'Workflows import activities as types only (proxyActivities gives the functions).' },
          ],
        },
      ],
    },
  },
);
