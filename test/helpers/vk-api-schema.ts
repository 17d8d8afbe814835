// Loads the VK API JSON schema excerpt (test/fixtures/vk-api-schema, MIT) into ajv. The schema files use
// two things draft-07 ajv does not take as they are, rewritten here without changing what they require:
// - `"required": true` on a property (draft-03 style) becomes the parent's `required: [...]`;
// - `$ref`s into files not carried (users/, groups/…, reached only by `extended=1` answers the hub never
//   asks for) become an open schema.
// Their own keywords (`entity`, `enumNames`, int64 formats…) are ignored (strict: false, no formats).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

export const SCHEMA_DIR = join(import.meta.dirname, '../fixtures/vk-api-schema');
const BASE = 'https://vk-api-schema.test/';
const CARRIED = ['messages/methods.json', 'messages/responses.json', 'messages/objects.json', 'base/responses.json', 'base/objects.json'];

export const readSchemaFile = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(SCHEMA_DIR, path), 'utf8')) as Record<string, unknown>;

function rewrite(node: unknown, file: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, file));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$ref' && typeof v === 'string') {
      const target = new URL(v.split('#')[0]!, BASE + file).href.slice(BASE.length);
      if (v.startsWith('#') || CARRIED.includes(target)) out.$ref = v;
      continue; // not carried: open schema
    }
    if (k === 'required' && typeof v === 'boolean') continue;
    out[k] = rewrite(v, file);
  }
  const props = (node as { properties?: Record<string, { required?: unknown }> }).properties;
  if (props && typeof props === 'object') {
    const required = Object.entries(props)
      .filter(([, p]) => p && p.required === true)
      .map(([name]) => name);
    if (required.length > 0) out.required = required;
  }
  return out;
}

export interface VkSchema {
  ajv: Ajv;
  methods: Array<{
    name: string;
    access_token_type: string[];
    parameters?: Array<Record<string, unknown> & { name: string; type: string }>;
    responses: Record<string, { $ref: string }>;
    errors?: Array<{ $ref: string }>;
  }>;
  /** errors.json: name → code, and which are global. */
  errors: Record<string, { code: number; global?: boolean }>;
  /** A validator for a definition, e.g. `base/objects.json#/definitions/base_error`. */
  validator(ref: string): ValidateFunction;
}

export function loadVkSchema(): VkSchema {
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  for (const file of CARRIED.filter((f) => !f.endsWith('methods.json'))) {
    const { $schema: _meta, ...doc } = readSchemaFile(file);
    ajv.addSchema({ ...(rewrite(doc, file) as object), $id: BASE + file });
  }
  const methods = ['messages/methods.json', 'execute/methods.json'].flatMap(
    (f) => readSchemaFile(f).methods as VkSchema['methods'],
  );
  const errors = (readSchemaFile('errors.json') as { errors: VkSchema['errors'] }).errors;
  const cache = new Map<string, ValidateFunction>();
  return {
    ajv,
    methods,
    errors,
    validator(ref) {
      let v = cache.get(ref);
      if (!v) {
        const found = ajv.getSchema(BASE + ref);
        if (!found) throw new Error(`no schema at ${ref}`);
        cache.set(ref, (v = found));
      }
      return v;
    },
  };
}

/** A method's `$ref` (relative to messages/methods.json) as a path from the schema root. */
export const refFromMethods = (ref: string): string => new URL(ref, BASE + 'messages/methods.json').href.slice(BASE.length);

/** The code an errors.json `$ref` names. */
export function errorCode(schema: VkSchema, ref: string): number {
  const name = ref.split('/').at(-1)!;
  const e = schema.errors[name];
  if (!e) throw new Error(`unknown error ${ref}`);
  return e.code;
}
