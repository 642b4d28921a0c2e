#!/usr/bin/env node
// Regenerates src/generated/ from proto/ with the system protoc (Debian `protobuf-compiler`) and ts-proto.
// Usage: pnpm --filter @sriov-ts/sriov-device-plugin gen:proto
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(app, 'src', 'generated');
const plugin = join(app, 'node_modules', '.bin', 'protoc-gen-ts_proto');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const options = [
  'outputServices=grpc-js',
  'esModuleInterop=true',
  'importSuffix=.js',
  'forceLong=number',
  'env=node',
  'outputJsonMethods=false',
  'useOptionals=none',
];
execFileSync(
  'protoc',
  [
    `--plugin=protoc-gen-ts_proto=${plugin}`,
    `--ts_proto_out=${out}`,
    `--ts_proto_opt=${options.join(',')}`,
    `--proto_path=${join(app, 'proto')}`,
    'deviceplugin/v1beta1/api.proto',
    'pluginregistration/v1/api.proto',
  ],
  { stdio: 'inherit' },
);
console.log(`generated into ${out}`);
