// Lint rules follow temporalio/samples-typescript: floating promises are errors, and workflow code
// may not import Node built-ins (it runs in a deterministic sandbox).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', '.tools', '.data', 'coverage', 'test/fixtures', 'console/static'] },
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
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Workflow and domain code is deterministic: no Node built-ins.' },
            { group: ['pg', 'express', 'pino', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'No I/O in workflow or domain code.' },
          ],
        },
      ],
    },
  },
);
