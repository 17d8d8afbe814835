// Applies pending database migrations and exits (docker-compose runs it before the services).
import { loadConfig } from '../infra/config.js';
import { openDatabase } from '../infra/database.js';

const pool = await openDatabase(loadConfig());
await pool.end();
console.log('migrations applied');
