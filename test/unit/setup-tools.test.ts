// The setup step installs the Temporal servers once and explains itself when it cannot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../infra/paths.js';
import { temporalCli, temporalTestServer } from '../../infra/temporal-binaries.js';

const script = join(projectRoot, 'scripts', 'setup-tools.mjs');

describe('npm run setup', () => {
  it('without Python, fails with a message that names the fix', () => {
    const res = spawnSync(process.execPath, [script], {
      env: { PATH: `/nonexistent:${dirname(process.execPath)}`, HUB_TOOLS_DIR: mkdtempSync(join(tmpdir(), 'tools-')) },
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('Python 3');
    expect(res.stderr).toContain('apt-get install python3 python3-venv');
    expect(res.stderr).toContain('TEMPORAL_CLI_PATH');
  });

  it('when the pinned versions are installed, a second run does nothing and succeeds', () => {
    const res = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect(res.status).toBe(0);
    expect(res.stdout).toBe('');
  });
});

describe('finding the Temporal binaries', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('uses the tools folder by default', () => {
    expect(temporalCli()).toEqual({ type: 'existing-path', path: join(projectRoot, '.tools', 'venv', 'bin', 'temporal') });
    expect(temporalTestServer()).toMatchObject({ type: 'existing-path' });
  });

  it('an env var override wins, and a wrong one is a clear error', () => {
    process.env.TEMPORAL_CLI_PATH = process.execPath;
    expect(temporalCli()).toEqual({ type: 'existing-path', path: process.execPath });
    process.env.TEMPORAL_CLI_PATH = '/nowhere/temporal';
    expect(() => temporalCli()).toThrow(/TEMPORAL_CLI_PATH points at \/nowhere\/temporal/);
  });
});
