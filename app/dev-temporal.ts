// The dev stack's Temporal: the CLI dev server with a SQLite file under .data/ (state survives a
// restart) tuned with WAL pragmas, since default file-backed SQLite manages about one workflow a second.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { hubSearchAttributes } from '../workflows/search-attributes.js';
import { requireCliPath } from '../infra/temporal-binaries.js';

const typeNames: Record<string, string> = { KEYWORD: 'Keyword', DATETIME: 'Datetime', TEXT: 'Text', INT: 'Int', BOOL: 'Bool' };

export interface DevTemporal {
  address: string;
  uiUrl: string;
  stop(): Promise<void>;
}

export async function startDevTemporal(dataDir: string, port: number, uiPort: number): Promise<DevTemporal> {
  mkdirSync(dataDir, { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    join(dataDir, 'temporal.sqlite'),
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--log-level',
    'error',
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--ui-disable-news-fetch',
    ...hubSearchAttributes.flatMap((k) => ['--search-attribute', `${k.name}=${typeNames[k.type] ?? 'Keyword'}`]),
  ];
  const child: ChildProcess = spawn(requireCliPath(), args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  // Whatever way this process ends, the server it started ends with it.
  process.once('exit', () => child.kill('SIGTERM'));
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with code ${child.exitCode} (port ${port} in use?)`);
    try {
      const c = await Connection.connect({ address, connectTimeout: 1000 });
      await c.workflowService.getSystemInfo({});
      await c.close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('Temporal dev server did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
