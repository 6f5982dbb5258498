/** aegis_build_info, the constant-1 gauge every exporter carries. */
import { Gauge, type Registry } from 'prom-client';
import { REVISION, VERSION } from '../version.js';

export function registerBuildInfo(registry: Registry): void {
  const gauge = new Gauge({
    name: 'aegis_build_info',
    help: 'A metric with a constant 1 value labelled by version, revision and Node.js version.',
    labelNames: ['version', 'revision', 'nodejs_version'],
    registers: [registry],
  });
  gauge.set({ version: VERSION, revision: REVISION, nodejs_version: process.version }, 1);
}
