import type { RouteSpec } from './access.js';
import type { Principal } from './auth.js';
import type { Lang } from './messages.js';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    lang: Lang;
    requestId: string;
    /** The route-table entry this request matched (api/access.ts), for metrics and logs. */
    routeSpec?: RouteSpec;
  }
}
