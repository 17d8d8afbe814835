// OpenAPI 3.1 from the route table and its zod schemas (zod 4's own JSON Schema output, draft
// 2020-12, which is OpenAPI 3.1's dialect), and a plain HTML reference page that needs no network.
import { fill, words, type Lang } from '../i18n/index.js';
import { z, type ZodType } from 'zod';
import type { RouteSpec } from './access.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (s: ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

export const openApiPath = (path: string): string => path.replace(/[:*](\w+)/g, '{$1}');

function parameters(s: ZodType | undefined, where: 'path' | 'query') {
  if (!s) return [];
  const schema = toSchema(s, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || (schema.required ?? []).includes(name),
    schema: p,
  }));
}

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });

function operation(spec: RouteSpec) {
  const roles = spec.access === 'public' ? 'public' : spec.access.join(', ');
  const responses: Record<string, unknown> = {
    '200': spec.produces
      ? { description: 'OK', content: { [spec.produces]: { schema: { type: 'string' } } } }
      : { description: 'OK', content: { 'application/json': { schema: spec.response ? toSchema(spec.response, 'output') : { type: 'object' } } } },
    '400': problemResponse('Invalid request'),
  };
  if (spec.access !== 'public') {
    responses['401'] = problemResponse('No or invalid bearer token');
    responses['403'] = problemResponse(`Role not allowed (allowed: ${roles})${spec.scope === 'school' ? ', or another school' : ''}`);
  }
  if (spec.consumes) {
    responses['413'] = problemResponse('Upload too large');
    responses['415'] = problemResponse('Upload of a type this route does not take');
    responses['422'] = problemResponse('Upload refused: broken or unreadable, nothing stored');
  }
  const byStatus = new Map<number, string[]>();
  for (const [status, code] of spec.problems ?? []) byStatus.set(status, [...(byStatus.get(status) ?? []), `/problems/${code}`]);
  for (const [status, types] of [...byStatus].sort(([a], [b]) => a - b)) responses[String(status)] = problemResponse(`Problem types: ${types.join(', ')}`);
  if (spec.rateLimit) responses['429'] = { ...problemResponse('Rate limited'), headers: { 'Retry-After': { schema: { type: 'integer' } } } };
  return {
    tags: [spec.tag],
    summary: spec.summary,
    operationId: `${spec.method}${openApiPath(spec.path).replace(/[{}]/g, '').replace(/[^\w]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    description: `Access: ${roles}${spec.scope === 'school' ? ' (school staff: own schools only)' : ''}${spec.rateLimit ? `. Rate limit: ${spec.rateLimit}` : ''}${spec.devOnly ? '. Dev stack only.' : ''}`,
    'x-hub-access': spec.access,
    ...(spec.access === 'public' ? { security: [] } : {}),
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(spec.body, 'input') } } } } : {}),
    ...(spec.consumes
      ? { requestBody: { required: true, content: Object.fromEntries(spec.consumes.map((t) => [t, { schema: { type: 'string', contentMediaType: t } }])) } }
      : {}),
    responses,
  };
}

export function openApiDocument(specs: readonly RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of specs) (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation(spec);
  return {
    openapi: '3.1.0',
    info: {
      title: 'School roster hub API',
      version,
      description: 'Registration journeys, invites, applications, parent confirmation, support and authority surfaces. Problems are RFC 9457 (application/problem+json), Russian by default (Accept-Language: en for English).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status'],
          properties: {
            type: { type: 'string', examples: ['/problems/forbidden'] },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            instance: { type: 'string' },
          },
        },
      },
    },
  };
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A self-contained reference page (no scripts, no CDN): every route, who may call it, its schemas. */
export function docsPage(doc: ReturnType<typeof openApiDocument>, lang: Lang = 'ru'): string {
  const w = words(lang).docs;
  const rows = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const o = op as { summary: string; description: string; tags: string[]; parameters: unknown[]; requestBody?: unknown };
      const details = JSON.stringify({ parameters: o.parameters, requestBody: o.requestBody }, null, 2);
      return `<tr><td><code class="m ${esc(method)}">${esc(method.toUpperCase())}</code></td><td><code>${esc(path)}</code></td><td>${esc(o.tags.join(', '))}</td><td>${esc(o.summary)}<br><small>${esc(o.description)}</small><details><summary>${esc(w.schemas)}</summary><pre>${esc(details)}</pre></details></td></tr>`;
    }),
  );
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${esc(w.title)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td{border-top:1px solid #ddd;padding:.4em;vertical-align:top}
code.m{font-weight:bold}.get{color:#06c}.post{color:#080}pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:30em}</style></head>
<body><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description)}</p><p>${fill(esc(w.links), { openapi: '<a href="/openapi.json">/openapi.json</a>', console: '<a href="/console/">/console/</a>' })}</p>
<table><thead><tr><th>${esc(w.method)}</th><th>${esc(w.path)}</th><th>${esc(w.section)}</th><th>${esc(w.description)}</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>`;
}
