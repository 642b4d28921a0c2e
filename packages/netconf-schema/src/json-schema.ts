import { toJSONSchema } from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { devicePluginDocumentedSchema } from './device-plugin/schema.js';
import { ibSriovDocumentedSchema } from './ib-sriov/schema.js';
import { sriovDocumentedSchema } from './sriov/schema.js';

/** File name (under `schemas/`) → title, for each config. */
export const JSON_SCHEMA_FILES = {
  'sriov.json': 'sriov CNI netconf',
  'ib-sriov.json': 'ib-sriov CNI netconf',
  'device-plugin.json': 'SR-IOV network device plugin config',
} as const;

const NOTE =
  'Keys are shown in their canonical spelling; like Go encoding/json the plugins also accept any letter case. ' +
  'Unknown keys are ignored.';

/** JSON Schemas (draft 2020-12) of the inputs, as checked in under `schemas/` by `pnpm gen:schemas`. */
export function generateJsonSchemas(): Record<keyof typeof JSON_SCHEMA_FILES, Record<string, unknown>> {
  const make = (schema: $ZodType, file: keyof typeof JSON_SCHEMA_FILES) => ({
    ...(toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>),
    $id: `https://sriov-ts.invalid/schemas/${file}`,
    title: JSON_SCHEMA_FILES[file],
    description: NOTE,
  });
  return {
    'sriov.json': make(sriovDocumentedSchema(), 'sriov.json'),
    'ib-sriov.json': make(ibSriovDocumentedSchema(), 'ib-sriov.json'),
    'device-plugin.json': make(devicePluginDocumentedSchema(), 'device-plugin.json'),
  };
}
