import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/collect/snapshot.js';
import { registerCollectorMetrics } from '../../../src/metrics/collector-metrics.js';
import { registerContainerMetrics } from '../../../src/metrics/container-metrics.js';
import { ExpositionRenderer, wantsOpenMetrics } from '../../../src/metrics/exposition.js';
import { registerHostMetrics } from '../../../src/metrics/host-metrics.js';
import { registerProbeMetrics } from '../../../src/metrics/probe-metrics.js';
import { snapshotFixture } from '../support/snapshot-fixture.js';

function setup(initial: Snapshot | undefined) {
  let current = initial;
  const registry = new Registry();
  const source = () => current;
  registerCollectorMetrics(registry, source);
  registerHostMetrics(registry, source);
  registerProbeMetrics(registry, source);
  registerContainerMetrics(registry, source);
  return {
    renderer: new ExpositionRenderer(registry),
    set: (next: Snapshot) => {
      current = next;
    },
  };
}

function samples(body: string): string[] {
  return body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

describe('snapshot exposition', () => {
  it('renders every host, probe, container and collector figure of the snapshot', async () => {
    const { renderer } = setup(snapshotFixture());
    const { body, contentType } = await renderer.render(undefined);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(samples(body)).toEqual([
      'aegis_collector_duration_seconds{collector="host"} 0.002',
      'aegis_collector_duration_seconds{collector="endpoints"} 0.05',
      'aegis_collector_duration_seconds{collector="containers"} 0.001',
      'aegis_collector_success{collector="host"} 1',
      'aegis_collector_success{collector="endpoints"} 1',
      'aegis_collector_success{collector="containers"} 0',
      'aegis_last_collection_timestamp_seconds 1700000000',
      'aegis_node_cpu_seconds_total{cpu="0",mode="user"} 10',
      'aegis_node_cpu_seconds_total{cpu="0",mode="nice"} 0',
      'aegis_node_cpu_seconds_total{cpu="0",mode="system"} 5',
      'aegis_node_cpu_seconds_total{cpu="0",mode="idle"} 100',
      'aegis_node_cpu_seconds_total{cpu="0",mode="iowait"} 1',
      'aegis_node_cpu_seconds_total{cpu="0",mode="irq"} 0',
      'aegis_node_cpu_seconds_total{cpu="0",mode="softirq"} 0.5',
      'aegis_node_cpu_seconds_total{cpu="0",mode="steal"} 0',
      'aegis_node_memory_total_bytes 1000',
      'aegis_node_memory_available_bytes 600',
      'aegis_node_memory_free_bytes 400',
      'aegis_node_memory_buffers_bytes 10',
      'aegis_node_memory_cached_bytes 200',
      'aegis_node_memory_swap_total_bytes 0',
      'aegis_node_memory_swap_free_bytes 0',
      'aegis_node_load1 0.5',
      'aegis_node_load5 0.25',
      'aegis_node_load15 0.125',
      'aegis_node_boot_time_seconds 1690000000',
      'aegis_node_filesystem_size_bytes{device="/dev/vda",mountpoint="/",fstype="ext4"} 100',
      'aegis_node_filesystem_free_bytes{device="/dev/vda",mountpoint="/",fstype="ext4"} 40',
      'aegis_node_filesystem_avail_bytes{device="/dev/vda",mountpoint="/",fstype="ext4"} 30',
      'aegis_node_network_receive_bytes_total{device="eth0"} 1000',
      'aegis_node_network_transmit_bytes_total{device="eth0"} 2000',
      'aegis_node_network_receive_packets_total{device="eth0"} 10',
      'aegis_node_network_transmit_packets_total{device="eth0"} 20',
      'aegis_node_network_receive_errs_total{device="eth0"} 0',
      'aegis_node_network_transmit_errs_total{device="eth0"} 0',
      'aegis_node_network_receive_drop_total{device="eth0"} 1',
      'aegis_node_network_transmit_drop_total{device="eth0"} 0',
      'aegis_node_disk_read_bytes_total{device="vda"} 512',
      'aegis_node_disk_written_bytes_total{device="vda"} 1024',
      'aegis_node_disk_reads_completed_total{device="vda"} 1',
      'aegis_node_disk_writes_completed_total{device="vda"} 2',
      'aegis_node_disk_io_time_seconds_total{device="vda"} 0.5',
      'aegis_probe_success{target="api"} 0',
      'aegis_probe_duration_seconds{target="api"} 0.25',
      'aegis_probe_http_status_code{target="api"} 503',
      'aegis_container_engine_up 1',
      'aegis_container_info{name="web",id="0123456789ab",image="localhost/busybox:latest"} 1',
      'aegis_container_state{name="web",state="created"} 0',
      'aegis_container_state{name="web",state="running"} 1',
      'aegis_container_state{name="web",state="paused"} 0',
      'aegis_container_state{name="web",state="restarting"} 0',
      'aegis_container_state{name="web",state="removing"} 0',
      'aegis_container_state{name="web",state="exited"} 0',
      'aegis_container_state{name="web",state="dead"} 0',
      'aegis_container_health_status{name="web",status="starting"} 0',
      'aegis_container_health_status{name="web",status="healthy"} 1',
      'aegis_container_health_status{name="web",status="unhealthy"} 0',
      'aegis_container_health_status{name="web",status="none"} 0',
      'aegis_container_restarts_total{name="web"} 2',
      'aegis_container_start_time_seconds{name="web"} 1699999000',
      'aegis_container_cpu_usage_seconds_total{name="web"} 1.5',
      'aegis_container_memory_usage_bytes{name="web"} 4096',
    ]);
  });

  it('drops the series of a container that is gone from the next snapshot', async () => {
    const { renderer, set } = setup(snapshotFixture());
    expect((await renderer.render(undefined)).body).toContain('name="web"');
    set(snapshotFixture({ containers: { engine_up: true, containers: [] } }));
    const { body } = await renderer.render(undefined);
    expect(body).not.toContain('name="web"');
    expect(body).toContain('aegis_container_engine_up 1');
  });

  it('serves nothing but HELP and TYPE before the first snapshot', async () => {
    const { renderer } = setup(undefined);
    expect(samples((await renderer.render(undefined)).body)).toEqual([]);
  });

  it('answers two concurrent scrapes with the same complete body', async () => {
    const { renderer } = setup(snapshotFixture());
    const [a, b] = await Promise.all([renderer.render(undefined), renderer.render(undefined)]);
    expect(a.body).toBe(b.body);
    expect(samples(a.body)).toHaveLength(62);
  });

  it('speaks OpenMetrics when asked, ending with # EOF', async () => {
    const { renderer } = setup(snapshotFixture());
    const { body, contentType } = await renderer.render(
      'application/openmetrics-text; version=1.0.0,text/plain;q=0.5',
    );
    expect(contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(body).toContain('# TYPE aegis_node_cpu_seconds counter\n');
    expect(body).toContain('aegis_node_cpu_seconds_total{cpu="0",mode="user"} 10\n');
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it('keeps _total on counters in text scrapes after an OpenMetrics scrape', async () => {
    const { renderer } = setup(snapshotFixture());
    await renderer.render('application/openmetrics-text; version=1.0.0');
    const { body } = await renderer.render(undefined);
    expect(body).toContain('# TYPE aegis_node_cpu_seconds_total counter\n');
    expect(body).toContain('aegis_node_cpu_seconds_total{cpu="0",mode="user"} 10\n');
  });

  it('recognises the OpenMetrics Accept header only', () => {
    expect(wantsOpenMetrics('application/openmetrics-text;version=1.0.0')).toBe(true);
    expect(wantsOpenMetrics('text/plain;version=0.0.4')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });
});
