import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RESOURCE_STRUCT } from '../src/device-plugin/schema.js';
import { IB_SRIOV_STRUCT } from '../src/ib-sriov/schema.js';
import { generateJsonSchemas, JSON_SCHEMA_FILES } from '../src/index.js';
import { SRIOV_STRUCT } from '../src/sriov/schema.js';

const dir = new URL('../schemas/', import.meta.url);

describe('checked-in JSON Schemas', () => {
  const fresh = generateJsonSchemas();
  for (const file of Object.keys(JSON_SCHEMA_FILES) as (keyof typeof JSON_SCHEMA_FILES)[]) {
    it(`schemas/${file} equals a fresh generation (run \`pnpm --filter @sriov-ts/netconf-schema gen:schemas\`)`, () => {
      const onDisk = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
      expect(onDisk).toEqual(fresh[file]);
    });
  }

  it('document every key the parsers read', () => {
    const props = (s: Record<string, unknown>) =>
      Object.keys((s as { properties: Record<string, unknown> }).properties);
    expect(props(fresh['sriov.json']).sort()).toEqual([...SRIOV_STRUCT.fields].sort());
    expect(props(fresh['ib-sriov.json']).sort()).toEqual([...IB_SRIOV_STRUCT.fields].sort());
    const dp = fresh['device-plugin.json'] as {
      properties: { resourceList: { anyOf: [{ items: { anyOf: [{ properties: object }] } }] } };
    };
    expect(Object.keys(dp.properties.resourceList.anyOf[0].items.anyOf[0].properties).sort()).toEqual(
      [...RESOURCE_STRUCT.fields].sort(),
    );
  });

  it('carry the LoadConf ranges and enums', () => {
    const sriov = fresh['sriov.json'] as { properties: Record<string, Record<string, unknown>> };
    expect(sriov.properties.vlan).toMatchObject({ type: 'integer', minimum: 0, maximum: 4094 });
    expect(sriov.properties.vlanQoS).toMatchObject({ minimum: 0, maximum: 7 });
    expect(sriov.properties.link_state).toMatchObject({ enum: ['', 'auto', 'enable', 'disable'] });
  });
});
