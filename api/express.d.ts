import type { Principal } from './auth.js';
import type { Lang } from './messages.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    lang: Lang;
    requestId: string;
  }
}
